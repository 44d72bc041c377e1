// `update --gateway` when something nobody planned for throws while a job's outcome is read (here
// the check of a results page, mocked to throw a plain Error): the job's rows still get their
// lines (CANCELED_IN_FLIGHT), the rows after it CANCELED, and the run stops saying why.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as gatewayModule from '../src/gateway.js';
import { timings } from '../src/gateway.js';
import { EXIT } from '../src/index.js';
import { fakeGateway } from './gateway-fake.js';
import { csv, readReport, run, scratch } from './helpers.js';

const KEY = 'unexpected-gateway-key-8e41c0d9a2b7';

vi.mock('../src/gateway.js', async (original) => ({
  ...(await original<typeof gatewayModule>()),
  checkCampaignPage: () => {
    throw new Error(`nobody planned for this (${KEY})`);
  },
}));

const defaults = { ...timings };
afterEach(() => void Object.assign(timings, defaults));

describe('an unexpected error while a job is read', () => {
  it('turns its rows into CANCELED_IN_FLIGHT lines, later rows CANCELED, exit 3', async () => {
    // The fake serves no event stream: its tries are not waited for.
    timings.streamRetryMs = 1;
    const ids = ['abc1', 'abc2', 'abc3', 'abc4'];
    let started = 0;
    const job = (id: string, status: string) => ({
      id,
      status,
      stopReason: null,
      total: 1,
      done: status === 'PENDING' ? 0 : 1,
      succeeded: 0,
      failed: 0,
    });
    const gw = await fakeGateway(({ op, variables }) => {
      const id = String(variables.id);
      if (op === 'StartCampaignUpdate')
        return { data: { startCampaignUpdate: job(`job${++started}`, 'PENDING') } };
      if (op === 'CancelCampaignUpdate')
        return { data: { cancelCampaignUpdate: job(id, 'CANCELED') } };
      return { data: { campaignUpdateJob: job(id, 'COMPLETE') } };
    });
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'e.csv'),
      csv([['id', 'hs_notes'], ...ids.map((id) => [id, 'x'])]),
    );
    const { code, stderr } = await run(
      [
        'update',
        '--file',
        'e.csv',
        '--gateway',
        gw.origin,
        '--job-size',
        '1',
        '--report',
        'r.jsonl',
      ],
      { cwd: dir, env: { HUBSPOT_TOKEN: '', HUBSPOT_CAMPAIGNS_GATEWAY_TOKEN: KEY } },
    );
    const report = readReport(path.join(dir, 'r.jsonl'));
    expect(code).toBe(EXIT.STOPPED);
    expect(stderr).toContain('unexpected error: nobody planned for this');
    expect(`${stderr}${JSON.stringify(report)}`).not.toContain(KEY);
    expect(report.map((l) => l.id).sort()).toEqual(ids);
    const categories = report.map((l) => (l.status === 'error' ? l.category : l.status));
    expect(categories[0]).toBe('CANCELED_IN_FLIGHT');
    expect(new Set(categories)).toEqual(new Set(['CANCELED_IN_FLIGHT', 'CANCELED']));
  });
});
