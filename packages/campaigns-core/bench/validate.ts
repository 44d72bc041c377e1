// Micro-benchmark of the input checks (issue 11): the old per-input flatMap (kept as the
// reference in test/validate-reference.ts) against the single pass of src/validate.ts, and the
// time from calling updateCampaigns to its first request. Each measurement runs in a fresh
// process, because a run validates once, cold: the first pass is what delays the first send.
//
//   node --conditions=@campaigns/source --import tsx bench/validate.ts [runs]
//
// Not a test: nothing here asserts a time.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

type Mode = 'old' | 'new' | 'first-send';
const SIZES = [50_000, 100_000];

/** Updates shaped as the benchmarks' (one property, a fresh value each). */
function inputsOf(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    properties: { hs_notes: `bench #${i}` } as Record<string, string>,
  }));
}

/** One measurement in this process: the first (cold) pass and the median of 9 more (warm). */
async function child(mode: Mode, n: number): Promise<{ coldMs: number; warmMs: number }> {
  const inputs = inputsOf(n);
  if (mode === 'first-send') return { coldMs: await firstSend(inputs), warmMs: NaN };
  const check =
    mode === 'old'
      ? (await import('../test/validate-reference.js')).referenceCheckUpdateInputs
      : (await import('../src/validate.js')).checkUpdateInputs;
  const times: number[] = [];
  for (let run = 0; run < 10; run++) {
    const started = performance.now();
    const problems = check(inputs);
    times.push(performance.now() - started);
    if (problems.length !== 0) throw new Error('the bench inputs are valid');
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  return { coldMs: times[0]!, warmMs: warm[warm.length >> 1]! };
}

/** ms from calling updateCampaigns to its first request leaving (then the run is aborted). */
async function firstSend(inputs: Array<{ id: string; properties: Record<string, string> }>) {
  const { updateCampaigns } = await import('../src/index.js');
  const { createHubSpotClient } = await import('@campaigns/hubspot-client');
  const controller = new AbortController();
  let firstAt = NaN;
  const client = createHubSpotClient({
    token: 'bench-token',
    baseUrl: 'http://127.0.0.1:9',
    fetch: () => {
      if (Number.isNaN(firstAt)) {
        firstAt = performance.now();
        controller.abort();
      }
      return Promise.reject(new Error('not sent'));
    },
  });
  const started = performance.now();
  await updateCampaigns(client, inputs, { signal: controller.signal, keepResults: false });
  return firstAt - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function driver(runs: number): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const hasNew = 'checkUpdateInputs' in (await import('../src/validate.js'));
  const modes: Mode[] = hasNew ? ['old', 'new', 'first-send'] : ['old', 'first-send'];
  console.log(`${runs} fresh processes per cell; cold = the first pass, warm = median of 9 more`);
  for (const n of SIZES) {
    for (const mode of modes) {
      const cold: number[] = [];
      const warm: number[] = [];
      for (let run = 0; run < runs; run++) {
        const out = execFileSync(process.execPath, [...process.execArgv, self, mode, String(n)], {
          encoding: 'utf8',
        });
        const figures = JSON.parse(out) as { coldMs: number; warmMs: number };
        cold.push(figures.coldMs);
        warm.push(figures.warmMs);
      }
      const fmt = (xs: number[]) =>
        `median ${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
      console.log(
        mode === 'first-send'
          ? `${n.toLocaleString('en')} inputs, updateCampaigns → first request: ${fmt(cold)}`
          : `${n.toLocaleString('en')} inputs, ${mode === 'old' ? 'old flatMap' : 'single pass'}: cold ${fmt(cold)}; warm ${fmt(warm)}`,
      );
    }
  }
}

const [mode, n] = process.argv.slice(2);
if (mode === 'old' || mode === 'new' || mode === 'first-send')
  process.stdout.write(JSON.stringify(await child(mode, Number(n))));
else await driver(Number(mode ?? 7));
