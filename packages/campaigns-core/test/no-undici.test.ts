// The default path never loads Node's bundled undici (about 9 MB of memory per process), nor
// `node:https` for an http base URL (about 1 MB): a client without `fetch` or tracer, its batch
// POSTs (2xx, 207, 429, 5xx, an error body) and the core reading the answers, in a process of its
// own (this one has loaded undici long ago).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_SIM_TOKEN, startHubSpotSim, type HubSpotSim } from '@campaigns/hubspot-sim';
import { afterEach, describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/no-undici-child.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

let sim: HubSpotSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('the default path', () => {
  it('answers 2xx, 207, 429, 5xx and error bodies without loading undici', async () => {
    sim = await startHubSpotSim({ campaigns: 80, seed: 7 });
    const ids = sim.store.list().map((campaign) => campaign.id);
    sim.script({ status: 429, retryAfterSeconds: 2 }, { status: 503 });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=@campaigns/source',
        '--import',
        'tsx',
        child,
        sim.url,
        DEFAULT_SIM_TOKEN,
        ids.join(','),
      ],
      { cwd: packageDir, timeout: 60_000 },
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      calls: Record<string, Record<string, unknown>>;
      core: { results: number; errors: string[] };
      undici: string[];
      https: string[];
    };
    expect(report.calls.rateLimited).toMatchObject({ status: 429, retryAfterMs: 2_000 });
    expect(report.calls.unavailable).toMatchObject({ status: 503 });
    expect(report.calls.ok).toMatchObject({
      status: 200,
      ok: true,
      timed: true,
      contentType: expect.stringContaining('application/json'),
      results: 3,
    });
    expect(report.calls.ok!.remaining).toEqual(expect.any(Number));
    expect(report.calls.partial).toMatchObject({ status: 207, ok: true, results: 1, errors: 1 });
    expect(report.calls.invalid).toMatchObject({ status: 400, category: 'VALIDATION_ERROR' });
    expect(report.core).toEqual({ results: 59, errors: ['VALIDATION_ERROR'] });
    expect(report.undici).toEqual([]);
    expect(report.https).toEqual([]);
  });
});
