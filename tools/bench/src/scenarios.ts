// The four benchmark scenarios. Each returns rows for the table and one JSON record.
import { performance } from 'node:perf_hooks';
import { updateCampaigns, type UpdateInput } from '@campaigns/core';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { naiveLoop, ourCore, sdkCareful, sdkDefault, type Contender } from './contenders.js';
import { idealWallMs, mb, percentile } from './measure.js';
import { startRemoteSim } from './remote-sim.js';

export interface ScenarioResult {
  scenario: string;
  headers: string[];
  rows: Array<Array<string | number>>;
  /** Machine-readable figures, one JSON line per scenario. */
  figures: Record<string, unknown>;
  /** Targets from the issue, each met or not, with the measured value. */
  targets: Array<{ target: string; measured: string; met: boolean }>;
  notes?: string[];
}

const PROPERTY = 'hs_notes';

function intendedUpdates(ids: string[], tag: string): { inputs: UpdateInput[]; expected: Record<string, string> } {
  const expected: Record<string, string> = {};
  const inputs = ids.map((id, i) => {
    const value = `${tag} #${i}`;
    expected[id] = value;
    return { id, properties: { [PROPERTY]: value } };
  });
  return { inputs, expected };
}

const LIMIT = 190;
const INTERVAL_MS = 10_000;
const LATENCY = { minMs: 80, maxMs: 200 };
const MEAN_LATENCY_MS = (LATENCY.minMs + LATENCY.maxMs) / 2;

interface ContenderRun {
  name: string;
  wallMs: number;
  itemsPerSec: number;
  efficiency: number;
  received429: number;
  lostIds: number;
  reportedFailed: number;
  requestsSeen: number;
  largestBatch: number;
}

async function runContender(contender: Contender, n: number): Promise<ContenderRun> {
  const sim = await startRemoteSim({ campaigns: n, seed: 7, rateLimit: { max: LIMIT, intervalMs: INTERVAL_MS }, latency: LATENCY });
  try {
    const { inputs, expected } = intendedUpdates(sim.ids, `throughput ${contender.name}`);
    const started = performance.now();
    const result = await contender.run(sim.url, inputs, 30_000);
    const wallMs = performance.now() - started;
    const stats = await sim.stats();
    const lost = await sim.notApplied(PROPERTY, expected);
    const requests = Math.ceil(n / 50);
    return {
      name: contender.name,
      wallMs,
      itemsPerSec: (n - lost.length) / (wallMs / 1000),
      efficiency: lost.length === 0 ? idealWallMs(requests, LIMIT, INTERVAL_MS, MEAN_LATENCY_MS) / wallMs : NaN,
      received429: stats.rateLimited,
      lostIds: lost.length,
      reportedFailed: result.reportedFailed,
      requestsSeen: stats.totalRequests,
      largestBatch: stats.largestBatch,
    };
  } finally {
    await sim.close();
  }
}

export async function throughput(n = 10_000): Promise<ScenarioResult> {
  const runs: ContenderRun[] = [];
  for (const contender of [ourCore, sdkCareful, sdkDefault, naiveLoop]) {
    process.stderr.write(`  throughput: ${contender.name}…\n`);
    runs.push(await runContender(contender, n));
  }
  const ours = runs[0]!;
  const sdk = runs[1]!;
  const ratio = ours.itemsPerSec / sdk.itemsPerSec;
  return {
    scenario: 'throughput',
    headers: ['contender', 'wall s', 'items applied/s', 'efficiency', '429s received', 'lost ids', 'reported failed', 'requests', 'largest batch'],
    // Efficiency compares a finished job with the least time the limit allows; a run that lost
    // ids did not finish the job, so it has none.
    rows: runs.map((r) => [r.name, r.wallMs / 1000, r.itemsPerSec, r.lostIds === 0 ? r.efficiency : 'n/a (ids lost)', r.received429, r.lostIds, r.reportedFailed, r.requestsSeen, r.largestBatch]),
    figures: { n, limit: LIMIT, intervalMs: INTERVAL_MS, latencyMs: LATENCY, runs, oursVsSdkItemsPerSec: ratio },
    targets: [
      { target: 'efficiency ≥ 0.95', measured: ours.efficiency.toFixed(3), met: ours.efficiency >= 0.95 },
      { target: 'zero 429s', measured: String(ours.received429), met: ours.received429 === 0 },
      { target: '≥ 1.8× the official SDK’s items/s', measured: `${ratio.toFixed(2)}×`, met: ratio >= 1.8 },
      { target: '0 lost ids', measured: String(ours.lostIds), met: ours.lostIds === 0 },
    ],
  };
}

export async function faults(n = 10_000): Promise<ScenarioResult> {
  const faultPlan = { errorRate: 0.05, errorStatuses: [503], hangRate: 0.02, hangMs: 60_000, dropRate: 0.01 };
  const timeoutMs = 2_000;
  const sim = await startRemoteSim({ campaigns: n, seed: 11, rateLimit: { max: LIMIT, intervalMs: INTERVAL_MS }, latency: LATENCY, faults: faultPlan });
  try {
    const { inputs, expected } = intendedUpdates(sim.ids, 'faults');
    const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url, timeoutMs });
    const started = performance.now();
    const outcome = await updateCampaigns(client, inputs);
    const wallMs = performance.now() - started;
    const stats = await sim.stats();
    const lost = await sim.notApplied(PROPERTY, expected);
    const completion = (outcome.results.length / n) * 100;
    const finalStateOk = ((n - lost.length) / n) * 100;
    return {
      scenario: 'faults',
      headers: ['n', 'completion %', 'ids lost', 'final state as intended %', 'retries', 'requests', 'faults injected', '429s', 'wall s'],
      rows: [[n, completion, lost.length, finalStateOk, outcome.stats.retries, stats.totalRequests, JSON.stringify(stats.faultsInjected), stats.rateLimited, wallMs / 1000]],
      figures: { n, faults: faultPlan, clientTimeoutMs: timeoutMs, completion, lostIds: lost.length, finalStateOk, retries: outcome.stats.retries, faultsInjected: stats.faultsInjected, wallMs, numErrors: outcome.numErrors },
      targets: [
        { target: '0 ids lost', measured: String(lost.length), met: lost.length === 0 },
        { target: 'final state 100% as intended', measured: `${finalStateOk.toFixed(2)}%`, met: finalStateOk === 100 },
      ],
    };
  } finally {
    await sim.close();
  }
}

export async function scale(sizes = [1_000, 10_000, 100_000]): Promise<ScenarioResult> {
  const rows: Array<Array<string | number>> = [];
  const runs: Array<{ n: number; wallMs: number; msPerThousand: number; mergeMs: number; cpuUserMs: number; lost: number }> = [];
  for (const n of sizes) {
    process.stderr.write(`  scale: ${n}…\n`);
    const sim = await startRemoteSim({ campaigns: n, seed: 3, rateLimit: { max: 1_000_000, intervalMs: 10_000, daily: 100_000_000 } });
    try {
      const { inputs, expected } = intendedUpdates(sim.ids, `scale ${n}`);
      const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
      const cpu = process.cpuUsage();
      const started = performance.now();
      const outcome = await updateCampaigns(client, inputs, { maxConcurrency: 16 });
      const wallMs = performance.now() - started;
      const cpuUserMs = process.cpuUsage(cpu).user / 1000;
      const lost = (await sim.notApplied(PROPERTY, expected)).length;
      runs.push({ n, wallMs, msPerThousand: (wallMs / n) * 1000, mergeMs: outcome.stats.mergeMs, cpuUserMs, lost });
      rows.push([n, wallMs / 1000, (wallMs / n) * 1000, outcome.stats.mergeMs, cpuUserMs, lost]);
    } finally {
      await sim.close();
    }
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const perK = runs.map((r) => r.msPerThousand);
  const base = perK[1] ?? perK[0]!;
  const biggest = perK[perK.length - 1]!;
  const deviation = Math.abs(biggest / base - 1);
  return {
    scenario: 'scale',
    headers: ['updates', 'wall s', 'ms per 1,000', 'merge ms', 'process CPU ms', 'lost ids'],
    rows,
    figures: { runs, peakRssMb, linearityDeviation: deviation },
    targets: [
      { target: 'peak RSS ≤ 300 MB at 100,000 updates', measured: `${peakRssMb.toFixed(0)} MB`, met: peakRssMb <= 300 },
      { target: 'wall time linear within 15% (ms per 1,000 at 100,000 vs 10,000)', measured: `${(deviation * 100).toFixed(1)}%`, met: deviation <= 0.15 },
    ],
    notes: [`peak RSS of the benchmark process (the simulator runs in its own process): ${peakRssMb.toFixed(0)} MB`],
  };
}

/** The same 50-campaign update through the gateway (GraphQL over HTTP) and through the core directly. */
export async function gatewayOverhead(runs = 200, warmup = 20): Promise<ScenarioResult> {
  const { createGateway, loadConfig } = await import('@campaigns/gateway');
  const { Writable } = await import('node:stream');
  const sim = await startRemoteSim({ campaigns: 50, seed: 5, rateLimit: { max: 1_000_000, intervalMs: 10_000, daily: 100_000_000 } });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', AUTH_MODE: 'none', LOG_LEVEL: 'warn', NODE_ENV: 'test', HUBSPOT_BASE_URL: sim.url, HUBSPOT_TOKEN: DEFAULT_SIM_TOKEN });
  const gateway = await createGateway(config, { logDestination: new Writable({ write: (_c, _e, cb) => cb() }), defaultMetrics: false });
  const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
  const mutation = `mutation Update($inputs: [CampaignUpdateInput!]!) {
    updateCampaigns(inputs: $inputs) { status numErrors results { id updatedAt properties { name value } } errors { ids category message } }
  }`;
  try {
    const viaGateway = async (i: number) => {
      const inputs = sim.ids.map((id) => ({ id, properties: [{ name: PROPERTY, value: `gw ${i}` }] }));
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: mutation, variables: { inputs } }),
      });
      const body = (await response.json()) as { data?: { updateCampaigns: { numErrors: number } }; errors?: unknown[] };
      if (!body.data || body.data.updateCampaigns.numErrors !== 0) throw new Error(`gateway run failed: ${JSON.stringify(body).slice(0, 300)}`);
    };
    const direct = async (i: number) => {
      const outcome = await updateCampaigns(client, sim.ids.map((id) => ({ id, properties: { [PROPERTY]: `core ${i}` } })));
      if (outcome.numErrors !== 0) throw new Error('direct run failed');
    };
    const gatewayMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      // Alternate the two so that drift in the machine's load hits both alike.
      for (const [fn, out] of [[viaGateway, gatewayMs], [direct, directMs]] as const) {
        const t = performance.now();
        await fn(i);
        if (i >= warmup) out.push(performance.now() - t);
      }
    }
    gatewayMs.sort((a, b) => a - b);
    directMs.sort((a, b) => a - b);
    const g50 = percentile(gatewayMs, 50);
    const d50 = percentile(directMs, 50);
    const g95 = percentile(gatewayMs, 95);
    const d95 = percentile(directMs, 95);
    return {
      scenario: 'gateway-overhead',
      headers: ['path', 'runs', 'p50 ms', 'p95 ms'],
      rows: [
        ['core directly', runs, d50, d95],
        ['through the gateway', runs, g50, g95],
        ['added by the gateway', '', g50 - d50, g95 - d95],
        ['ratio gateway / core', '', g50 / d50, g95 / d95],
      ],
      figures: { runs, warmup, campaigns: 50, p50: { core: d50, gateway: g50 }, p95: { core: d95, gateway: g95 }, addedP50Ms: g50 - d50, ratioP50: g50 / d50, ratioP95: g95 / d95 },
      targets: [{ target: 'p50 added ≤ 5 ms for 50 campaigns', measured: `${(g50 - d50).toFixed(2)} ms`, met: g50 - d50 <= 5 }],
    };
  } finally {
    await gateway.close();
    await sim.close();
  }
}

export { percentile, mb };
