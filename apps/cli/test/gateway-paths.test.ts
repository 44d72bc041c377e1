// `--gateway` on the paths a plain run does not take, each against a real gateway in this process
// (gateway-stack.ts): the gateway refusing input or a body, its job limit, its event stream
// unavailable or silent, jobs it stops, it going away mid-run; and every secret out of every
// output, unexpected errors included.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Gateway } from '@campaigns/gateway';
import { CancelCampaignUpdateDocument, StartCampaignUpdateDocument } from '@campaigns/graphql';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { openGateway, timings, type JobProgress } from '../src/gateway.js';
import { EXIT, runCli, type CliIo, type ReportLine } from '../src/index.js';
import { ENV, jobEvents, KEY, notesFile, proxy, stack, gatewayUpdate } from './gateway-stack.js';
import { csv, readReport, run, scratch } from './helpers.js';

const defaults = { ...timings };
afterEach(() => void Object.assign(timings, defaults));

/** Every id of `ids` exactly once in the report. */
function expectEachOnce(report: ReportLine[], ids: string[]): void {
  expect(report).toHaveLength(ids.length);
  expect(new Set(report.map((l) => l.id))).toEqual(new Set(ids));
}

function outcomes(report: ReportLine[]): Set<string> {
  return new Set(report.map((l) => (l.status === 'error' ? l.category : l.status)));
}

/** GraphQL errors with this code the gateway answered (its own counter). */
async function errorsAnswered(gw: Gateway, code: string): Promise<number> {
  const { values } = await gw.metrics.graphqlErrors.get();
  return values.find((v) => v.labels.code === code)?.value ?? 0;
}

describe('secrets in every output', () => {
  /** stderr that throws once it is handed the summary: an error nobody planned for. */
  function ioThrowingAtSummary(dir: string, env: Record<string, string>, secret: string) {
    let text = '';
    let thrown = false;
    const stderr = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    const write = stderr.write.bind(stderr);
    stderr.write = ((chunk: string, ...rest: never[]) => {
      if (!thrown && String(chunk).startsWith('Done')) {
        thrown = true;
        throw new Error(`the terminal went away while holding ${secret}`);
      }
      return write(chunk, ...rest);
    }) as typeof stderr.write;
    const io: CliIo = {
      stdin: Readable.from([]),
      stdout: new Writable({ write: (_c, _e, done) => done() }),
      stderr,
      env,
      cwd: dir,
      signal: new AbortController().signal,
    };
    return { io, text: () => text };
  }

  it.each([
    {
      what: 'a gateway credential read from --gateway-token-file',
      secret: KEY,
      args: (_sim: string, gateway: string) => ['--gateway', gateway, '--gateway-token-file'],
    },
    {
      what: 'a HubSpot token read from --token-file',
      secret: DEFAULT_SIM_TOKEN,
      args: (sim: string) => ['--base-url', sim, '--token-file'],
    },
  ])('an unexpected error hides $what', async ({ secret, args }) => {
    const { s, gw } = await stack();
    const dir = scratch();
    notesFile(
      dir,
      s.store
        .list()
        .map((c) => c.id)
        .slice(0, 3),
    );
    writeFileSync(path.join(dir, 'secret.txt'), `${secret}\n`);
    const { io, text } = ioThrowingAtSummary(dir, { HUBSPOT_TOKEN: '' }, secret);
    const code = await runCli(
      ['update', '--file', 'e.csv', ...args(s.url, gw.origin), 'secret.txt'],
      io,
    );
    expect(code).toBe(EXIT.SOME_FAILED);
    expect(text()).toContain('unexpected error: Error: the terminal went away while holding');
    expect(text()).not.toContain(secret);
  });
});

describe('the gateway refusing input', () => {
  it('a value over MAX_PROPERTY_VALUE_LENGTH (the file passes its own check): exit 2, row and column named, nothing sent', async () => {
    const { s, gw } = await stack();
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 5);
    const long = 'x'.repeat(70_000);
    writeFileSync(
      path.join(dir, 'e.csv'),
      csv([
        ['id', 'hs_name', 'hs_notes'],
        ...ids.map((id, i) => [id, `n${i}`, i === 2 ? long : 'ok']),
      ]),
    );
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', gw.origin],
      { cwd: dir, env: ENV },
    );
    expect(result.code).toBe(EXIT.BAD_INPUT);
    expect(result.stderr).toContain(
      `row 4 (${ids[2]}) hs_notes: is 70000 characters long, more than MAX_PROPERTY_VALUE_LENGTH=65536`,
    );
    expect(result.stderr).toContain('Stopped (the gateway refused the input)');
    expect(await jobEvents(gw, 'queued')).toBe(0);
    expect(s.stats().totalRequests).toBe(0);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    // The row at fault says why; the others were only not sent with it.
    expect(report.find((l) => l.id === ids[2])).toMatchObject({
      status: 'error',
      category: 'BAD_USER_INPUT',
      message: expect.stringContaining('hs_notes: is 70000 characters long'),
    });
    expect(
      report.filter((l) => l.id !== ids[2]).map((l) => l.status === 'error' && l.category),
    ).toEqual(Array(4).fill('CANCELED'));
  });

  it('a gateway with a lower MAX_CAMPAIGNS_PER_JOB than --job-size: jobs are made that small, every id applied once', async () => {
    const { s, gw } = await stack({}, { env: { MAX_CAMPAIGNS_PER_JOB: '4' } });
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 10);
    notesFile(dir, ids);
    const result = await run(gatewayUpdate(gw.origin, 7), { cwd: dir, env: ENV });
    expect(result.stderr).toContain('Done: 10 of 10 campaigns updated');
    expect(result.code).toBe(EXIT.OK);
    expect(s.stats().batchInputsReceived).toBe(10);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    expect(outcomes(report)).toEqual(new Set(['ok']));
  });
});

describe('the gateway pushing back', () => {
  it('JOB_LIMIT_EXCEEDED (MAX_QUEUED_JOBS_PER_CALLER=1): waits for room, every id applied once', async () => {
    const { s, gw } = await stack(
      { latency: { fixedMs: 100 } },
      { env: { MAX_QUEUED_JOBS_PER_CALLER: '1' } },
    );
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 20);
    notesFile(dir, ids);
    const result = await run(gatewayUpdate(gw.origin, 5), { cwd: dir, env: ENV });
    expect(result.code).toBe(EXIT.OK);
    expect(await errorsAnswered(gw, 'JOB_LIMIT_EXCEEDED')).toBeGreaterThan(0);
    expect(result.stderr).toContain('waiting for one to end');
    expect(await jobEvents(gw, 'queued')).toBe(4);
    expect(s.stats().batchInputsReceived).toBe(20);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    expect(outcomes(report)).toEqual(new Set(['ok']));
  });

  it('a job body over MAX_JOB_BODY_BYTES (413): the job is split, every id applied once', async () => {
    const { s, gw } = await stack(
      {},
      { env: { MAX_BODY_BYTES: '2048', MAX_JOB_BODY_BYTES: '2048' } },
    );
    const dir = scratch();
    const ids = s.store.list().map((c) => c.id);
    notesFile(dir, ids);
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', gw.origin],
      { cwd: dir, env: ENV },
    );
    expect(result.code).toBe(EXIT.OK);
    expect(await jobEvents(gw, 'queued')).toBeGreaterThan(1);
    expect(s.stats().batchInputsReceived).toBe(30);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    expect(outcomes(report)).toEqual(new Set(['ok']));
    expect(ids.every((id, i) => s.store.get(id)!.properties.hs_notes === `note ${i}`)).toBe(true);
  });

  it('a start answered 504 by a proxy after the gateway queued it is not sent again', async () => {
    const { s, gw } = await stack();
    let starts = 0;
    const front = await proxy(gw.origin, {
      after: (operation) =>
        operation === 'StartCampaignUpdate' && ++starts === 1 ? 504 : undefined,
    });
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 5);
    notesFile(dir, ids);
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', front.origin],
      { cwd: dir, env: ENV },
    );
    expect(result.code).toBe(EXIT.STOPPED);
    expect(starts).toBe(1);
    expect(await jobEvents(gw, 'queued')).toBe(1);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    // The gateway may have queued them: not "not sent".
    expect(outcomes(report)).toEqual(new Set(['CANCELED_IN_FLIGHT']));
  });
});

describe('following a job without its event stream', () => {
  it('a proxy that refuses /graphql/stream: the job is read instead, progress and a complete report', async () => {
    const { s, gw } = await stack({ campaigns: 120, latency: { fixedMs: 20 } });
    const front = await proxy(gw.origin, {
      refuse: (p) => (p.endsWith('/stream') ? 404 : undefined),
    });
    const dir = scratch();
    const ids = s.store.list().map((c) => c.id);
    notesFile(dir, ids);
    const result = await run(gatewayUpdate(front.origin, 40), { cwd: dir, env: ENV });
    expect(result.code).toBe(EXIT.OK);
    expect(result.stderr).toContain('Done: 120 of 120 campaigns updated');
    expect(front.seen.some((r) => r.path === '/graphql/stream')).toBe(true);
    expect(front.seen.some((r) => r.operation === 'CampaignUpdateJobResults')).toBe(true);
    // Once the stream failed (three tries each for the first two jobs, followed at once), the
    // third job is read at once rather than trying it again.
    expect(front.seen.filter((r) => r.path === '/graphql/stream').length).toBeLessThanOrEqual(6);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    expect(outcomes(report)).toEqual(new Set(['ok']));
  });

  it('follow() tells the progress read by polling, up to the ended job', async () => {
    const { s, gw } = await stack({ latency: { fixedMs: 20 } });
    const front = await proxy(gw.origin, {
      refuse: (p) => (p.endsWith('/stream') ? 404 : undefined),
    });
    const client = await openGateway({ gateway: front.origin }, {
      env: ENV,
      cwd: scratch(),
    } as unknown as CliIo);
    const started = await client.request(StartCampaignUpdateDocument, {
      inputs: s.store
        .list()
        .map((c) => ({ id: c.id, properties: [{ name: 'hs_notes', value: 'polled' }] })),
    });
    const seen: JobProgress[] = [];
    const last = await client.follow(started.startCampaignUpdate.id, (p) => seen.push(p));
    expect(last).toMatchObject({ status: 'COMPLETE', total: 30, done: 30, succeeded: 30 });
    expect(seen.at(-1)).toEqual(last);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('a stream that goes silent (no heartbeat) is given up for reading the job', async () => {
    timings.streamIdleMs = 300;
    const { s, gw } = await stack();
    const front = await proxy(gw.origin, { hang: (p) => p.endsWith('/stream') });
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 10);
    notesFile(dir, ids);
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', front.origin],
      { cwd: dir, env: ENV },
    );
    expect(result.code).toBe(EXIT.OK);
    expect(front.seen.some((r) => r.operation === 'CampaignUpdateJobResults')).toBe(true);
    expectEachOnce(readReport(path.join(dir, 'r.jsonl')), ids);
  });
});

describe('jobs that stop, and a gateway that goes away', () => {
  it.each([
    {
      why: 'AUTH (HubSpot refused its token)',
      fault: { status: 401 },
      says: "Stopped (HubSpot refused the gateway's credential)",
    },
    {
      why: 'DAILY_LIMIT',
      fault: { status: 429, policyName: 'DAILY' },
      says: "Stopped (HubSpot's daily limit is used up)",
    },
  ])(
    'a job the gateway stops for $why: exit 3, every id once, none ok',
    async ({ fault, says }) => {
      const { s, gw } = await stack();
      const dir = scratch();
      const ids = s.store.list().map((c) => c.id);
      notesFile(dir, ids);
      s.script(fault);
      const result = await run(gatewayUpdate(gw.origin, 10), { cwd: dir, env: ENV });
      expect(result.code).toBe(EXIT.STOPPED);
      expect(result.stderr).toContain(says);
      const report = readReport(path.join(dir, 'r.jsonl'));
      expectEachOnce(report, ids);
      expect(outcomes(report).has('ok')).toBe(false);
    },
  );

  it('the gateway going away mid-run: exit 3, every id once, none claimed ok that was not', async () => {
    // Each HubSpot call answered after half a second: the proxy closes while jobs run.
    const { s, gw } = await stack({ campaigns: 300, latency: { fixedMs: 500 } });
    const front = await proxy(gw.origin);
    const dir = scratch();
    const ids = s.store.list().map((c) => c.id);
    notesFile(dir, ids);
    const running = run(gatewayUpdate(front.origin, 50), { cwd: dir, env: ENV });
    while (s.stats().batchInputsReceived < 50) await sleep(5);
    await front.close();
    const result = await running;
    expect(result.code).toBe(EXIT.STOPPED);
    expect(result.stderr).toContain('Stopped (the gateway could not be reached)');
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    expect(
      [...outcomes(report)].every((o) => ['ok', 'CANCELED', 'CANCELED_IN_FLIGHT'].includes(o)),
    ).toBe(true);
    // Every ok line is true of HubSpot.
    for (const line of report)
      if (line.status === 'ok' && 'properties' in line)
        expect(s.store.get(line.id)!.properties.hs_notes).toBe(line.properties.hs_notes);
  });

  it('a canceled job that does not end is waited for a bounded time: exit 3, nothing claimed ok', async () => {
    timings.cancelGraceMs = 200;
    // HubSpot answers each call after 3 s, and the cancel never reaches the gateway.
    const { s, gw } = await stack({ latency: { fixedMs: 3_000 } });
    const front = await proxy(gw.origin, {
      refuse: (_path, operation) => (operation === 'CancelCampaignUpdate' ? 503 : undefined),
    });
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 10);
    notesFile(dir, ids);
    const interrupt = new AbortController();
    const running = run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', front.origin],
      { cwd: dir, env: ENV, signal: interrupt.signal },
    );
    while (s.stats().batchInputsReceived === 0) await sleep(5);
    interrupt.abort();
    const result = await running;
    expect(result.code).toBe(EXIT.STOPPED);
    expect(result.stderr).toContain('did not end within 0.2 s of its cancel');
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    expect(outcomes(report)).toEqual(new Set(['CANCELED_IN_FLIGHT']));
  });

  it('a job canceled at the gateway by someone else: exit 3, saying so (not "interrupted")', async () => {
    const { s, gw, logs } = await stack({ latency: { fixedMs: 1_000 } });
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 10);
    notesFile(dir, ids);
    const running = run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', gw.origin],
      { cwd: dir, env: ENV },
    );
    while (s.stats().batchInputsReceived === 0) await sleep(5);
    const started = logs
      .map((line) => JSON.parse(line) as { event?: string; job?: string })
      .find((e) => e.event === 'campaigns.job.start');
    const other = await openGateway({ gateway: gw.origin }, {
      env: ENV,
      cwd: dir,
    } as unknown as CliIo);
    await other.request(CancelCampaignUpdateDocument, { id: started!.job! });
    const result = await running;
    expect(result.code).toBe(EXIT.STOPPED);
    expect(result.stderr).toContain('Stopped (a job was canceled at the gateway)');
    expect(result.stderr).toContain('was canceled at the gateway, not by this command');
    expectEachOnce(readReport(path.join(dir, 'r.jsonl')), ids);
  });

  it('a job with no answer for one of its ids: that row says so, every other row once', async () => {
    const { s, gw } = await stack();
    const front = await proxy(gw.origin, {
      alter: (operation, answer) => {
        if (operation !== 'CampaignUpdateJob') return answer;
        const body = JSON.parse(answer) as {
          data: { campaignUpdateJob: { results: { edges: unknown[] } } };
        };
        body.data.campaignUpdateJob.results.edges.shift();
        return JSON.stringify(body);
      },
    });
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 6);
    notesFile(dir, ids);
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', front.origin],
      { cwd: dir, env: ENV },
    );
    expect(result.stderr).not.toContain('unexpected error');
    expect(result.code).toBe(EXIT.SOME_FAILED);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expectEachOnce(report, ids);
    expect(report.filter((l) => l.status === 'ok')).toHaveLength(5);
  });
});
