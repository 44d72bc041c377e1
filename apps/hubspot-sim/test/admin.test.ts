import { afterEach, describe, expect, it } from 'vitest';
import type { PublicCampaign } from '@campaigns/hubspot-client';
import type { SimStats } from '../src/index.js';
import { admin, call, campaignIds, closeSims, DATED, startSim, V3 } from './sim-helpers.js';

afterEach(closeSims);

describe('stats', () => {
  it('counts calls by route template and status, and by the API root they came in on', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    await call(sim, 'POST', '/batch/update', { body: { inputs: [{ id, properties: {} }] } });
    await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id: 'missing', properties: {} }] },
    });
    await call(sim, 'GET', `/${id}`);
    // A v3 simulator does not serve 2026-03's root.
    await call(sim, 'GET', `/${id}`, { root: DATED });
    await call(sim, 'GET', '/nowhere/at/all', { root: '' });
    expect(sim.stats()).toMatchObject({
      totalRequests: 5,
      byEndpoint: {
        'POST /batch/update': { '200': 1, '207': 1 },
        'GET /{campaignGuid}': { '200': 1 },
        'GET (unknown route)': { '404': 2 },
      },
      byApiRoot: { [V3]: 3, [DATED]: 1 },
    });
  });

  it('tracks the largest batch and every batch input received', async () => {
    const sim = await startSim();
    const ids = campaignIds(sim, 7);
    await call(sim, 'POST', '/batch/read', { body: { inputs: ids.map((id) => ({ id })) } });
    await call(sim, 'POST', '/batch/update', {
      body: { inputs: ids.slice(0, 3).map((id) => ({ id, properties: {} })) },
    });
    await call(sim, 'POST', '/batch/update', {
      token: 'wrong',
      body: { inputs: ids.slice(0, 2).map((id) => ({ id, properties: {} })) },
    });
    expect(sim.stats()).toMatchObject({ largestBatch: 7, batchInputsReceived: 12 });
  });

  it('zeroes every count on reset', async () => {
    const sim = await startSim();
    await call(sim, 'GET', '/');
    sim.resetStats();
    expect(sim.stats()).toEqual({
      totalRequests: 0,
      byEndpoint: {},
      byApiRoot: {},
      rateLimited: 0,
      rateLimitedByPolicy: {},
      largestBatch: 0,
      batchInputsReceived: 0,
      inFlight: 0,
      peakInFlight: 0,
      faultsInjected: {},
    });
  });

  it('hands out snapshots that later calls do not change', async () => {
    const sim = await startSim();
    const before = sim.stats();
    await call(sim, 'GET', '/');
    expect(before.totalRequests).toBe(0);
    expect(sim.stats().totalRequests).toBe(1);
  });
});

describe('admin endpoints', () => {
  it('serves the stats at /__sim/stats and resets them with POST /__sim/stats/reset', async () => {
    const sim = await startSim();
    await call(sim, 'GET', '/');
    const stats = await admin<SimStats>(sim, 'GET', '/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.byEndpoint).toEqual({ 'GET /': { '200': 1 } });
    expect((await admin(sim, 'POST', '/stats/reset')).status).toBe(204);
    expect(sim.stats().totalRequests).toBe(0);
  });

  it('needs no token, uses no rate budget and is never counted', async () => {
    const sim = await startSim({ rateLimit: { max: 1, intervalMs: 60_000 } });
    for (let i = 0; i < 5; i++) expect((await admin(sim, 'GET', '/stats')).status).toBe(200);
    expect(sim.stats().totalRequests).toBe(0);
    expect((await call(sim, 'GET', '/')).status).toBe(200);
  });

  it('shows the current value of a campaign, and 404 for one that does not exist', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    await call(sim, 'PATCH', `/${id}`, { body: { properties: { hs_notes: 'now' } } });
    const found = await admin<PublicCampaign>(sim, 'GET', `/campaigns/${id}`);
    expect(found.status).toBe(200);
    expect(found.body.properties.hs_notes).toBe('now');
    expect((await admin(sim, 'GET', '/campaigns/nope')).status).toBe(404);
  });

  it('sets faults, latency and a script over HTTP', async () => {
    const sim = await startSim();
    expect((await admin(sim, 'POST', '/script', [{ status: 503 }])).status).toBe(204);
    expect((await call(sim, 'GET', '/')).status).toBe(503);
    expect(
      (await admin(sim, 'POST', '/faults', { errorRate: 1, errorStatuses: [500] })).status,
    ).toBe(204);
    expect((await call(sim, 'GET', '/')).status).toBe(500);
    expect((await admin(sim, 'POST', '/faults', {})).status).toBe(204);
    expect((await admin(sim, 'POST', '/latency', { fixedMs: 1 })).status).toBe(204);
    expect((await admin(sim, 'POST', '/latency', {})).status).toBe(204);
    expect((await call(sim, 'GET', '/')).status).toBe(200);
  });

  it('refuses a bad admin body with 400 naming the setting', async () => {
    const sim = await startSim();
    const answer = await admin<{ message: string }>(sim, 'POST', '/faults', { errorRate: 'often' });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/errorRate/);
    expect((await admin(sim, 'POST', '/script', { status: 503 })).status).toBe(400);
  });

  it('seeds more campaigns with POST /__sim/seed', async () => {
    const sim = await startSim({ campaigns: 2 });
    const answer = await admin<{ ids: string[] }>(sim, 'POST', '/seed', { count: 3 });
    expect(answer.status).toBe(201);
    expect(answer.body.ids).toHaveLength(3);
    expect(sim.store.size).toBe(5);
    expect((await admin(sim, 'POST', '/seed', { count: -1 })).status).toBe(400);
  });

  it('answers 404 for an unknown admin endpoint and 405 for a wrong method', async () => {
    const sim = await startSim();
    expect((await admin(sim, 'GET', '/nothing')).status).toBe(404);
    expect((await admin(sim, 'POST', '/stats')).status).toBe(405);
  });
});
