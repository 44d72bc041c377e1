// The rate budget against the simulator, which counts requests when they arrive, as HubSpot
// does: slow first requests, a 429 burst, and an account tighter than the first guess.
import { createHubSpotClient, type TokenProvider } from '@campaigns/hubspot-client';
import {
  DEFAULT_SIM_TOKEN,
  startHubSpotSim,
  type HubSpotSim,
  type HubSpotSimOptions,
  type SimStats,
} from '@campaigns/hubspot-sim';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RateLimitBudget, updateCampaigns, type RateBudget } from '../src/index.js';

let sim: HubSpotSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function setup(options: HubSpotSimOptions, token: TokenProvider = DEFAULT_SIM_TOKEN) {
  sim = await startHubSpotSim({ campaigns: 120, seed: 11, ...options });
  const ids = sim.store.list().map((c) => c.id);
  const client = createHubSpotClient({ token, baseUrl: sim.url, timeoutMs: 10_000 });
  return { sim, ids, client };
}
const notes = (ids: string[], tag: string) =>
  ids.map((id, i) => ({ id, properties: { hs_notes: `${tag} ${i}` } as Record<string, string> }));
/** 429s the simulator's own limiter sent (not the scripted ones). */
const real429s = (stats: SimStats) => stats.rateLimited - (stats.faultsInjected['429'] ?? 0);

/** A budget that dates every slot at its grant and never learns when requests arrived. */
function grantDated(): RateBudget {
  const inner = new RateLimitBudget({ unansweredHoldMs: 0 });
  return {
    acquire: (signal, key) => inner.acquire(signal, key),
    answered: () => {},
    observe: (info) => inner.observe(info),
    penalize: (ms, at) => inner.penalize(ms, at),
    exhaust: (at) => inner.exhaust(at),
    snapshot: () => inner.snapshot(),
  };
}

describe('the rate budget on the simulator', () => {
  // 20 per second; 60 requests of 2 updates: three windows.
  const limit = { max: 20, intervalMs: 1000 };
  const delayFirst10 = Array.from({ length: 10 }, () => ({ kind: 'delay' as const, ms: 300 }));

  it('causes no 429 when the first 10 requests reach HubSpot 300 ms late', async () => {
    const { sim, ids, client } = await setup({ rateLimit: limit });
    sim.script(...delayFirst10);
    const outcome = await updateCampaigns(client, notes(ids, 'late'), { chunkSize: 2 });
    expect(outcome.numErrors).toBe(0);
    expect(outcome.stats.requests).toBe(60);
    expect(sim.stats().rateLimited).toBe(0);
  });

  it('causes no 429 when the token provider is slow on its first calls', async () => {
    let refresh: Promise<string> | undefined;
    const token = () => (refresh ??= sleep(300).then(() => DEFAULT_SIM_TOKEN));
    const { sim, ids, client } = await setup({ rateLimit: limit }, token);
    const outcome = await updateCampaigns(client, notes(ids, 'token'), { chunkSize: 2 });
    expect(outcome.numErrors).toBe(0);
    expect(sim.stats().rateLimited).toBe(0);
  });

  it("causes no 429 when slots are dated by HubSpot's stamps, the first 10 requests 300 ms late", async () => {
    // 80–200 ms of processing: the stamps date every request well before half its round trip
    // would, and the late ones are stamped when they arrive (counted), not when they were sent.
    const { sim, ids, client } = await setup({
      rateLimit: limit,
      latency: { minMs: 80, maxMs: 200 },
    });
    sim.script(...delayFirst10);
    const inner = new RateLimitBudget({ roundTripsBeforeDating: 10 });
    let stamped = 0;
    const budget: RateBudget = {
      acquire: (signal, key) => inner.acquire(signal, key),
      answered: (at, key, outcome, roundTripMs, stamps) => {
        if (stamps) stamped++;
        inner.answered(at, key, outcome, roundTripMs, stamps);
      },
      observe: (info, at, key) => inner.observe(info, at, key),
      penalize: (ms, at) => inner.penalize(ms, at),
      exhaust: (at) => inner.exhaust(at),
      snapshot: () => inner.snapshot(),
    };
    const outcome = await updateCampaigns(client, notes(ids.slice(0, 100), 'stamped'), {
      chunkSize: 1,
      budget,
    });
    expect(outcome.numErrors).toBe(0);
    expect(outcome.stats.requests).toBe(100);
    expect(stamped).toBe(100);
    expect(sim.stats().rateLimited).toBe(0);
  });

  it('(the control: a budget that dates slots at their grant gets 429s in the same run)', async () => {
    const { sim, ids, client } = await setup({ rateLimit: limit });
    sim.script(...delayFirst10);
    const outcome = await updateCampaigns(client, notes(ids, 'control'), {
      chunkSize: 2,
      budget: grantDated(),
      retry: { baseDelayMs: 1, maxDelayMs: 10 },
    });
    expect(outcome.numErrors).toBe(0); // retried
    expect(sim.stats().rateLimited).toBeGreaterThan(0);
  });

  it('takes one penalty for a burst of ten 429s and resumes after Retry-After, not twice that', async () => {
    // 40 per 4 s; the first ten requests answered 429 with Retry-After 2 s.
    const { sim, ids, client } = await setup({ rateLimit: { max: 40, intervalMs: 4000 } });
    sim.script(...Array.from({ length: 10 }, () => ({ status: 429, retryAfterSeconds: 2 })));
    const outcome = await updateCampaigns(client, notes(ids.slice(0, 100), 'burst'), {
      chunkSize: 5,
    });
    expect(outcome.numErrors).toBe(0);
    expect(outcome.stats.rateLimited).toBe(10);
    expect(real429s(sim.stats())).toBe(0);
    // Retry-After is honoured…
    expect(outcome.stats.durationMs).toBeGreaterThanOrEqual(2000);
    // …and not overshot: ten penalties would hold the budget to a quarter (10 of 40) with the
    // ten refused requests still counted, i.e. until the 4 s window clears.
    expect(outcome.stats.durationMs).toBeLessThan(3500);
  });

  it('sends no more than 10 before the first headers: 0 429s against 10 per second at concurrency 20', async () => {
    const { sim, ids, client } = await setup({ rateLimit: { max: 10, intervalMs: 1000 } });
    const outcome = await updateCampaigns(client, notes(ids.slice(0, 100), 'first'), {
      chunkSize: 5,
      maxConcurrency: 20,
    });
    expect(outcome.numErrors).toBe(0);
    expect(outcome.stats.requests).toBe(20);
    expect(sim.stats().rateLimited).toBe(0);
  });
});
