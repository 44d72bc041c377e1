// `--gateway` against a gateway that answers wrong on purpose (a tiny fake GraphQL server here, no
// real gateway): secrets in its words, pages that never end, a page far over the size asked, an
// event stream that never sends its headers, reads that never answer after Ctrl-C. Each case
// ends with every row reported once and nothing of the credential in any output.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { timings } from '../src/gateway.js';
import { EXIT } from '../src/index.js';
import { fakeGateway, type Call } from './gateway-fake.js';
import { csv, readReport, run, scratch } from './helpers.js';

const KEY = 'hostile-gateway-key-5c2e9a7b1d3f';
const ENV = { HUBSPOT_TOKEN: '', HUBSPOT_CAMPAIGNS_GATEWAY_TOKEN: KEY };
const IDS = ['abc1', 'abc2'];

const defaults = { ...timings };
// No stream here serves: its tries are not waited for.
beforeEach(() => void (timings.streamRetryMs = 1));
afterEach(() => void Object.assign(timings, defaults));

function job(status = 'COMPLETE', total = IDS.length) {
  const done = status === 'COMPLETE' ? total : 0;
  return { id: 'job1', status, stopReason: null, total, done, succeeded: done, failed: 0 };
}

/** The usual answers to a start and to a read of the job's progress. */
function basics(call: Call): unknown {
  if (call.op === 'StartCampaignUpdate') return { data: { startCampaignUpdate: job('PENDING') } };
  if (call.op === 'CampaignUpdateJobResults') return { data: { campaignUpdateJob: job() } };
  if (call.op === 'CancelCampaignUpdate')
    return { data: { cancelCampaignUpdate: job('CANCELED') } };
  return undefined;
}

/** A job's results page: no campaigns, the cursor and whether there is more as given. */
function resultsPage(endCursor: string | null, hasNextPage: boolean, extra = {}) {
  return {
    data: {
      campaignUpdateJob: {
        ...job(),
        results: { edges: [], pageInfo: { endCursor, hasNextPage } },
        errors: [],
        errorCount: 0,
        ...extra,
      },
    },
  };
}

async function update(origin: string, signal?: AbortSignal) {
  const dir = scratch();
  writeFileSync(
    path.join(dir, 'e.csv'),
    csv([['id', 'hs_notes'], ...IDS.map((id, i) => [id, `note ${i}`])]),
  );
  const result = await run(
    ['update', '--file', 'e.csv', '--gateway', origin, '--report', 'r.jsonl', '-q'],
    { cwd: dir, env: ENV, ...(signal ? { signal } : {}) },
  );
  const report = readReport(path.join(dir, 'r.jsonl'));
  expect(report.map((l) => l.id).sort()).toEqual(IDS);
  expect(`${result.stdout}${result.stderr}${JSON.stringify(report)}`).not.toContain(KEY);
  return { ...result, report };
}

describe('a hostile gateway', () => {
  it('its refusal of the first job quoting the credential: redacted in the summary too', async () => {
    const gw = await fakeGateway((call) =>
      call.op === 'StartCampaignUpdate'
        ? {
            errors: [
              {
                message: 'bad',
                extensions: {
                  code: 'BAD_USER_INPUT',
                  problemCount: 1,
                  problems: [
                    { index: 0, field: 'properties[0].value', message: `refused for key ${KEY}` },
                  ],
                },
              },
            ],
          }
        : basics(call),
    );
    const { code, stderr } = await update(gw.origin);
    expect(code).toBe(EXIT.BAD_INPUT);
    expect(stderr).toContain('refused for key [REDACTED]');
  });

  it('error groups quoting the credential: redacted in the report and the summary', async () => {
    const gw = await fakeGateway(
      (call) =>
        basics(call) ??
        resultsPage(null, false, {
          errorCount: 1,
          errors: [{ ids: IDS, category: 'VALIDATION_ERROR', message: `HubSpot saw ${KEY}` }],
        }),
    );
    const { code, report } = await update(gw.origin);
    expect(code).toBe(EXIT.SOME_FAILED);
    expect(
      report.every((l) => l.status === 'error' && l.message === 'HubSpot saw [REDACTED]'),
    ).toBe(true);
  });

  it('results paged with the same cursor again and again: refused, rows CANCELED_IN_FLIGHT', async () => {
    const gw = await fakeGateway((call) => {
      if (call.op !== 'CampaignUpdateJob') return basics(call);
      // Past 50 pages the fake gives in (the old code would page forever).
      const more = gw.count('CampaignUpdateJob') < 50;
      return resultsPage('same', more);
    });
    const { code, stderr, report } = await update(gw.origin);
    expect(gw.count('CampaignUpdateJob')).toBe(2);
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).toContain('a cursor seen before');
    expect(report.every((l) => l.status === 'error' && l.category === 'CANCELED_IN_FLIGHT')).toBe(
      true,
    );
  });

  it('results paged with new cursors past what the job can hold: refused after ceil(total/1000)+1 pages', async () => {
    const gw = await fakeGateway((call) => {
      if (call.op !== 'CampaignUpdateJob') return basics(call);
      const n = gw.count('CampaignUpdateJob');
      return resultsPage(`c${n}`, n < 50);
    });
    const { code, stderr } = await update(gw.origin);
    expect(gw.count('CampaignUpdateJob')).toBe(2);
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).toContain('more than 2 pages');
  });

  it('error groups paged without end: refused within errorCount pages', async () => {
    const gw = await fakeGateway((call) => {
      if (call.op === 'CampaignUpdateJobErrorGroups') {
        const more = gw.count('CampaignUpdateJobErrorGroups') < 50;
        return {
          data: {
            campaignUpdateJob: {
              errorGroups: {
                groups: [{ ids: [], category: 'X', message: 'x' }],
                pageInfo: { endCursor: 'same', hasNextPage: more },
              },
            },
          },
        };
      }
      return basics(call) ?? resultsPage(null, false, { errorCount: 5 });
    });
    const { code, stderr } = await update(gw.origin);
    expect(gw.count('CampaignUpdateJobErrorGroups')).toBe(2);
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).toContain('a cursor seen before');
  });

  it('a page of 300,000 error groups: refused as over the page size, every row reported', async () => {
    const groups = JSON.stringify(
      Array.from({ length: 300_000 }, () => ({ ids: [], category: 'X', message: '' })),
    );
    const gw = await fakeGateway((call, res) => {
      if (call.op !== 'CampaignUpdateJobErrorGroups')
        return basics(call) ?? resultsPage(null, false, { errorCount: 5 });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(
          `{"data":{"campaignUpdateJob":{"errorGroups":{"groups":${groups},"pageInfo":{"endCursor":null,"hasNextPage":false}}}}}`,
        );
      return undefined;
    });
    const { code, stderr, report } = await update(gw.origin);
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).not.toContain('unexpected error');
    expect(stderr).toContain('a page over 1000');
    expect(report.every((l) => l.status === 'error' && l.category === 'CANCELED_IN_FLIGHT')).toBe(
      true,
    );
  });

  it('an event stream that never sends its headers counts as silent: the job is read instead', async () => {
    timings.streamIdleMs = 100;
    timings.streamRetryMs = 10;
    let opened = 0;
    const gw = await fakeGateway(
      (call) => basics(call) ?? resultsPage(null, false),
      () => void opened++,
    );
    const { code, report } = await update(gw.origin);
    expect(opened).toBeGreaterThan(0);
    expect(gw.count('CampaignUpdateJobResults')).toBeGreaterThan(0);
    // The fake answers no campaign: neither ok nor failed.
    expect(code).toBe(EXIT.SOME_FAILED);
    expect(report.every((l) => l.status === 'error' && l.category === 'CANCELED_IN_FLIGHT')).toBe(
      true,
    );
  });

  it('Ctrl-C while a read of the job never answers: given up after the cancel grace', async () => {
    timings.cancelGraceMs = 50;
    timings.requestTimeoutMs = 600_000;
    const stop = new AbortController();
    const gw = await fakeGateway((call) => {
      if (call.op === 'CampaignUpdateJobResults') {
        // The read hangs; the operator presses Ctrl-C.
        stop.abort();
        return undefined;
      }
      return basics(call);
    });
    const { code, stderr, report } = await update(gw.origin, stop.signal);
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).toContain('did not end within');
    expect(report.every((l) => l.status === 'error' && l.category === 'CANCELED_IN_FLIGHT')).toBe(
      true,
    );
  });
});

describe('a hostile gateway, starts', () => {
  it('a start answered 200 without a job: its rows CANCELED_IN_FLIGHT (it may have queued one)', async () => {
    const gw = await fakeGateway((call) =>
      call.op === 'StartCampaignUpdate'
        ? { data: { startCampaignUpdate: { id: 'job1' } } }
        : basics(call),
    );
    const { code, stderr, report } = await update(gw.origin);
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).toContain('malformed');
    expect(report.every((l) => l.status === 'error' && l.category === 'CANCELED_IN_FLIGHT')).toBe(
      true,
    );
  });

  it('JOB_LIMIT_EXCEEDED with none of its jobs running: stops once jobLimitGiveUpMs is waited', async () => {
    timings.jobLimitGiveUpMs = 0;
    const gw = await fakeGateway((call) =>
      call.op === 'StartCampaignUpdate'
        ? { errors: [{ message: 'too many jobs', extensions: { code: 'JOB_LIMIT_EXCEEDED' } }] }
        : basics(call),
    );
    const { code, stderr, report } = await update(gw.origin);
    expect(gw.count('StartCampaignUpdate')).toBe(1);
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).toContain("the gateway's job queue stayed full");
    expect(report.every((l) => l.status === 'error' && l.category === 'CANCELED')).toBe(true);
  });
});

describe('a hostile gateway, export', () => {
  it('pages answered with the same cursor: stops (exit 3) instead of paging forever', async () => {
    const gw = await fakeGateway((call) => {
      if (call.op !== 'CampaignExportPage') return undefined;
      const more = gw.count('CampaignExportPage') < 50;
      return {
        data: {
          campaignList: {
            totalCount: 1,
            edges: [{ node: { id: '1', properties: [{ name: 'hs_name', value: 'x' }] } }],
            pageInfo: { endCursor: 'same', hasNextPage: more },
          },
        },
      };
    });
    const dir = scratch();
    const { code, stderr } = await run(
      ['export', '--gateway', gw.origin, '--properties', 'hs_name', '-o', 'x.csv', '-q'],
      { cwd: dir, env: ENV },
    );
    expect(gw.count('CampaignExportPage')).toBe(2);
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).toContain('already given');
    expect(stderr).not.toContain(KEY);
  });
});
