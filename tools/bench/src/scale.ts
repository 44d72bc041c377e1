// The scale scenario: 1,000, 10,000 and 100,000 updates with a generous limit (wall time per
// update, time spent merging, peak RSS). In a module of its own, which main.ts also bundles and
// runs in a fresh process for the RSS figures: nothing here loads the other scenarios' SDK or
// gateway, and the simulator (another process) gives only its token.
import { performance } from 'node:perf_hooks';
import { DEFAULT_MAX_CONCURRENCY, RateLimitBudget, updateCampaigns } from '@campaigns/core';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { linearFit } from './measure.js';
import { startRemoteSim } from './remote-sim.js';
import type { ScenarioResult } from './scenarios.js';
import { expectedOf, PROPERTY, updatesFor } from './updates.js';

export async function scale(
  sizes = [1_000, 10_000, 100_000],
  options: { keepResults?: boolean; repeats?: number; warmup?: number } = {},
): Promise<ScenarioResult> {
  const warmup = options.warmup ?? 20_000;
  const streamed =
    options.keepResults === false
      ? { keepResults: false as const, onResults: () => undefined }
      : {};
  const generous = { max: 1_000_000, intervalMs: 10_000, daily: 100_000_000 };
  const runs: Array<{
    n: number;
    wallMs: number;
    msPerThousand: number;
    mergeMs: number;
    cpuUserMs: number;
    lost: number;
    maxRssMb: number;
  }> = [];
  // One simulator holding the largest size serves every run (its store is a map: lookups do
  // not slow down with its size), warmed once together with our process.
  const sim = await startRemoteSim({ campaigns: Math.max(...sizes), seed: 3, rateLimit: generous });
  try {
    const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
    // Every run on this client's token shares one budget, as a long-lived script's would.
    const budget = new RateLimitBudget();
    // No toLocaleString (nor any Intl) before the figures are read: the first use maps about 6 MB
    // of ICU data from node's binary into this process, counted in the peak RSS although the
    // engine never touches it (measured: 223 → 216 MB with results kept).
    process.stderr.write(`  scale: warm-up (${warmup} untimed updates)…\n`);
    await updateCampaigns(client, updatesFor(sim.ids.slice(0, warmup), 'warm-up'), {
      budget,
      ...streamed,
    });
    for (const n of sizes) {
      process.stderr.write(`  scale: ${n}…\n`);
      // Small sizes are timed several times and the median kept: this VM's timing noise is ±10–20%.
      const repeats = options.repeats ?? (n <= 1_000 ? 9 : n <= 10_000 ? 5 : 1);
      const samples: Array<(typeof runs)[number]> = [];
      for (let r = 0; r < repeats; r++) {
        // The caller's own input is part of the job (built before, held throughout); what the
        // simulator should hold afterwards is the benchmark's bookkeeping, made after the figures.
        const inputs = updatesFor(sim.ids.slice(0, n), `scale ${n} #${r}`);
        // Collect the previous run's garbage now, or this run pays for it (node --expose-gc).
        (globalThis as { gc?: () => void }).gc?.();
        const cpu = process.cpuUsage();
        const started = performance.now();
        let streamed = 0;
        const outcome = await updateCampaigns(client, inputs, {
          // default options, as a script would; results optionally taken as they come instead of kept
          budget,
          ...(options.keepResults === false
            ? { keepResults: false, onResults: (r: unknown[]) => (streamed += r.length) }
            : {}),
        });
        const wallMs = performance.now() - started;
        const cpuUserMs = process.cpuUsage(cpu).user / 1000;
        // Read before the verification below, which is the benchmark's own bookkeeping.
        const maxRssMb = process.resourceUsage().maxRSS / 1024;
        const lost = (await sim.notApplied(PROPERTY, expectedOf(inputs))).length;
        const delivered = options.keepResults === false ? streamed : outcome.results.length;
        if (delivered !== outcome.stats.succeeded || delivered + outcome.numErrors !== n) {
          throw new Error(
            `outcome does not account for ${n} ids: ${delivered} results, ${outcome.numErrors} failed`,
          );
        }
        samples.push({
          n,
          wallMs,
          msPerThousand: (wallMs / n) * 1000,
          mergeMs: outcome.stats.mergeMs,
          cpuUserMs,
          lost,
          maxRssMb,
        });
      }
      samples.sort((a, b) => a.wallMs - b.wallMs);
      const median = samples[samples.length >> 1]!;
      runs.push({
        ...median,
        lost: samples.reduce((sum, x) => sum + x.lost, 0),
        maxRssMb: Math.max(...samples.map((x) => x.maxRssMb)),
      });
    }
  } finally {
    await sim.close();
  }
  const largest = runs[runs.length - 1]!;
  const perK = runs.map((r) => r.msPerThousand);
  const fit = linearFit(runs);
  return {
    scenario: 'scale',
    headers: [
      'updates',
      'wall s',
      'ms per 1,000',
      'merge ms',
      'process CPU ms',
      'peak RSS MB (so far)',
      'lost ids',
    ],
    rows: runs.map((r) => [
      r.n,
      r.wallMs / 1000,
      r.msPerThousand,
      r.mergeMs,
      r.cpuUserMs,
      r.maxRssMb,
      r.lost,
    ]),
    figures: {
      runs,
      peakRssMb: largest.maxRssMb,
      linearity: { msPerThousand: perK, ...fit },
    },
    targets: [
      {
        target: 'peak RSS ≤ 200 MB at 100,000 updates (default Node settings, results kept)',
        measured: `${largest.maxRssMb.toFixed(0)} MB`,
        met: largest.maxRssMb <= 200,
      },
      {
        target:
          'wall time linear within 15% (every size within 15% of fixed + per-item × n, fitted)',
        measured: `${(fit.worstDeviation * 100).toFixed(1)}% (fit: ${fit.fixedMs.toFixed(1)} ms + ${(fit.perItemMs * 1000).toFixed(1)} ms per 1,000)`,
        met: fit.worstDeviation <= 0.15,
      },
      {
        target: 'every id accounted for, 0 lost',
        measured: String(runs.reduce((n, r) => n + r.lost, 0)),
        met: runs.every((r) => r.lost === 0),
      },
    ],
    notes: [
      'The simulator runs in its own process; RSS and CPU are the benchmark process’s (this table’s first three rows: under tsx, whose loader thread alone is about 35 MB).',
      `Default engine options (${DEFAULT_MAX_CONCURRENCY} requests in flight) and default Node settings; one simulator seeded with the largest size, and ${warmup.toLocaleString('en')} untimed updates first to warm both processes. Median of 9 runs at 1,000 and 5 at 10,000; one run at 100,000.`,
      'Peak RSS "so far" is the process’s peak since it started (warm-up and smaller sizes included). The RSS targets come from the rows marked "fresh process": 100,000 updates in a new process started from compiled JavaScript (this module bundled, as an application ships it: no tsx loader), after a 1,000-update warm-up, results kept in the outcome or taken from onResults (keepResults: false). The caller’s 100,000 inputs are built before the run and held throughout; what the simulator should hold afterwards (the benchmark’s own check) is built after the figure is read.',
      `Linearity compares ms per 1,000 between consecutive sizes, in either direction. Process CPU per 1,000 updates: ${runs.map((r) => `${((r.cpuUserMs / r.n) * 1000).toFixed(1)} ms at ${r.n.toLocaleString('en')}`).join(', ')}.`,
    ],
  };
}
