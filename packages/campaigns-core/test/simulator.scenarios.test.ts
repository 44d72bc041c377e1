// The scenarios of update-scenarios.test.ts again, this time against the simulator: a HubSpot
// stand-in written independently of the core, that shuffles results and is strict on input.
import { createHubSpotClient } from '@campaigns/hubspot-client';
import {
  DEFAULT_SIM_TOKEN,
  startHubSpotSim,
  type HubSpotSim,
  type HubSpotSimOptions,
} from '@campaigns/hubspot-sim';
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreCategory, updateCampaigns } from '../src/index.js';

let sim: HubSpotSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function setup(options: HubSpotSimOptions = {}, timeoutMs = 2_000) {
  sim = await startHubSpotSim({ campaigns: 120, seed: 9, ...options });
  const ids = sim.store.list().map((c) => c.id);
  const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url, timeoutMs });
  return { sim, ids, client };
}
const notes = (ids: string[], tag: string) =>
  ids.map((id, i) => ({ id, properties: { hs_notes: `${tag} ${i}` } as Record<string, string> }));
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 10 } };

describe('updateCampaigns on the simulator', () => {
  it('returns 120 results in input order although the simulator shuffles them', async () => {
    const { sim, ids, client } = await setup();
    const outcome = await updateCampaigns(client, notes(ids, 'order'));
    expect(outcome.results.map((r) => r.id)).toEqual(ids);
    expect(sim.stats().byEndpoint['POST /batch/update']).toEqual({ '200': 3 });
    expect(sim.store.get(ids[119]!)?.properties.hs_notes).toBe('order 119');
  });

  it('keeps the found campaigns of a 207 and reports the unknown ids', async () => {
    const { ids, client } = await setup();
    const unknown = [
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ];
    const outcome = await updateCampaigns(
      client,
      notes([ids[0]!, unknown[0]!, ids[1]!, unknown[1]!], 'partial'),
    );
    expect(outcome.results.map((r) => r.id)).toEqual([ids[0], ids[1]]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ category: 'OBJECT_NOT_FOUND', ids: unknown }),
    ]);
  });

  for (const namesIds of [true, false]) {
    it(`isolates the bad campaign of a whole-chunk 400 (${namesIds ? 'named by the error' : 'found by bisection'})`, async () => {
      const { sim, ids, client } = await setup({ validationErrorsNameIds: namesIds });
      const inputs = notes(ids.slice(0, 50), 'isolate');
      inputs[21]!.properties = { hs_campaign_status: 'sort-of-active' };
      const outcome = await updateCampaigns(client, inputs);
      expect(outcome.results).toHaveLength(49);
      expect(outcome.errors).toEqual([
        expect.objectContaining({ category: 'VALIDATION_ERROR', ids: [ids[21]] }),
      ]);
      expect(outcome.errors[0]?.message).toMatch(/hs_campaign_status/);
      expect(sim.store.get(ids[20]!)?.properties.hs_notes).toBe('isolate 20');
    });
  }

  it('retries two 503s and succeeds', async () => {
    const { sim, ids, client } = await setup();
    sim.script({ status: 503 }, { status: 503 });
    const outcome = await updateCampaigns(client, notes(ids.slice(0, 10), 'retry'), fast);
    expect(outcome.results).toHaveLength(10);
    expect(outcome.stats.retries).toBe(2);
    expect(sim.stats().byEndpoint['POST /batch/update']).toEqual({ '200': 1, '503': 2 });
  });

  it('retries after a client timeout and succeeds', async () => {
    const { sim, ids, client } = await setup({}, 200);
    sim.script({ kind: 'hang', ms: 5_000 });
    const outcome = await updateCampaigns(client, notes(ids.slice(0, 10), 'timeout'), fast);
    expect(outcome.status).toBe('COMPLETE');
    expect(outcome.results).toHaveLength(10);
    expect(outcome.stats.retries).toBe(1);
  });

  it('stops after a DAILY 429 and does not retry it', async () => {
    const { sim, ids, client } = await setup();
    sim.script({ status: 429, policyName: 'DAILY', retryAfterSeconds: 3600 });
    const outcome = await updateCampaigns(client, notes(ids, 'daily'), { maxConcurrency: 1 });
    expect(outcome.stopReason).toBe('daily-limit');
    expect(outcome.results).toHaveLength(0);
    expect(outcome.errors.every((e) => e.category === CoreCategory.DAILY_LIMIT_REACHED)).toBe(true);
    expect(sim.stats().totalRequests).toBe(1);
  });

  it('cancels mid-run: done ids succeed, in-flight and never-sent ones are reported as such', async () => {
    const { ids, client } = await setup({ latency: { fixedMs: 200 } });
    const controller = new AbortController();
    let requests = 0;
    const outcome = await updateCampaigns(client, notes(ids, 'abort'), {
      maxConcurrency: 1,
      signal: controller.signal,
      // The second request has left (its event comes just before it is sent) when this fires.
      onEvent: (e) => {
        if (e.type === 'request' && ++requests === 2) setTimeout(() => controller.abort(), 20);
      },
    });
    expect(outcome.status).toBe('CANCELED');
    expect(outcome.results).toHaveLength(50);
    expect(outcome.errors.map((e) => [e.category, e.ids.length])).toEqual([
      [CoreCategory.CANCELED_IN_FLIGHT, 50],
      [CoreCategory.CANCELED, 20],
    ]);
    expect(outcome.stats.requests).toBe(2);
  });

  it('cancels between chunks: the chunk not yet sent is CANCELED, not counted, never received', async () => {
    const { sim, ids, client } = await setup({ latency: { fixedMs: 50 } });
    const controller = new AbortController();
    const outcome = await updateCampaigns(client, notes(ids, 'abort'), {
      maxConcurrency: 1,
      signal: controller.signal,
      onProgress: (p) => p.chunksDone === 1 && controller.abort(),
    });
    expect(outcome.status).toBe('CANCELED');
    expect(outcome.results).toHaveLength(50);
    expect(outcome.errors.map((e) => [e.category, e.ids.length])).toEqual([
      [CoreCategory.CANCELED, 70],
    ]);
    expect(outcome.stats.requests).toBe(1);
    await new Promise((r) => setTimeout(r, 100)); // anything sent would have arrived by now
    expect(sim.stats().byEndpoint['POST /batch/update']).toEqual({ '200': 1 });
  });

  it('coalesces duplicate ids, which the simulator would refuse in one batch', async () => {
    const { sim, ids, client } = await setup();
    const outcome = await updateCampaigns(client, [
      { id: ids[0]!, properties: { hs_notes: 'first' } },
      { id: ids[1]!, properties: { hs_notes: 'other' } },
      { id: ids[0]!, properties: { hs_notes: 'second' } },
    ]);
    expect(outcome.numErrors).toBe(0);
    expect(outcome.coalesced).toEqual([{ id: ids[0], indices: [0, 2] }]);
    expect(sim.store.get(ids[0]!)?.properties.hs_notes).toBe('second');
  });

  it('resets a property with ""', async () => {
    const { sim, ids, client } = await setup();
    await updateCampaigns(client, [{ id: ids[0]!, properties: { hs_notes: 'to be cleared' } }]);
    const outcome = await updateCampaigns(client, [{ id: ids[0]!, properties: { hs_notes: '' } }]);
    expect(outcome.results[0]?.properties.hs_notes ?? '').toBe('');
    expect(sim.store.get(ids[0]!)?.properties.hs_notes).toBeUndefined();
  });
});

describe('signals of a run', () => {
  it('leaves no listener on the caller’s signal, even through openapi-fetch’s `Request`', async () => {
    sim = await startHubSpotSim({ campaigns: 100, seed: 4 });
    const ids = sim.store.list().map((c) => c.id);
    const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
    // A middleware sends every call through openapi-fetch's `Request`, which links to its signal.
    client.use({ onRequest: () => undefined });
    const caller = new AbortController();
    const outcome = await updateCampaigns(client, notes(ids, 'generic'), { signal: caller.signal });
    expect(outcome.stats.succeeded).toBe(100);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});
