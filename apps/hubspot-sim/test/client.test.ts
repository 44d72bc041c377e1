import { afterEach, describe, expect, it } from 'vitest';
import {
  createHubSpotClient,
  HubSpotApiError,
  HubSpotNetworkError,
  type RateLimitInfo,
} from '@campaigns/hubspot-client';
import { CAMPAIGN_SCOPES, DEFAULT_SIM_TOKEN } from '../src/index.js';
import { campaignIds, closeSims, startSim } from './sim-helpers.js';

afterEach(closeSims);

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('our typed client against the sim', () => {
  it('updates a batch on v3 and on a date version, with the same call', async () => {
    for (const apiVersion of ['v3', '2026-03'] as const) {
      const sim = await startSim({ apiVersion });
      const ids = campaignIds(sim, 2);
      const client = createHubSpotClient({
        token: DEFAULT_SIM_TOKEN,
        baseUrl: sim.url,
        apiVersion,
      });
      const { data, response } = await client.POST('/batch/update', {
        body: { inputs: ids.map((id) => ({ id, properties: { hs_goal: apiVersion } })) },
      });
      expect(response.status).toBe(200);
      expect(data?.results.map((c) => c.id).sort()).toEqual([...ids].sort());
      expect(sim.store.get(ids[0]!)?.properties.hs_goal).toBe(apiVersion);
    }
  });

  it('reads the rate-limit headers the sim sends', async () => {
    const sim = await startSim({ rateLimit: { max: 10, intervalMs: 10_000, daily: 500 } });
    const seen: RateLimitInfo[] = [];
    const client = createHubSpotClient({
      token: DEFAULT_SIM_TOKEN,
      baseUrl: sim.url,
      onRateLimit: (info) => seen.push(info),
    });
    await client.GET('/', { params: { query: { limit: 1, properties: ['hs_name'] } } });
    expect(seen).toEqual([
      { max: 10, remaining: 9, intervalMs: 10_000, daily: 500, dailyRemaining: 499 },
    ]);
  });

  it('surfaces 400, 403 and 429 as HubSpotApiErrors with category, policy and Retry-After', async () => {
    const sim = await startSim({
      rateLimit: { max: 2, intervalMs: 60_000 },
      tokens: [{ token: 'read-only-token', scopes: [CAMPAIGN_SCOPES.read] }],
    });
    const client = createHubSpotClient({ token: 'read-only-token', baseUrl: sim.url });
    const [id] = campaignIds(sim, 1);
    const forbidden = await failure(
      client.POST('/batch/update', { body: { inputs: [{ id: id!, properties: {} }] } }),
    );
    const invalid = await failure(client.POST('/batch/read', { body: { inputs: [] } }));
    const limited = await failure(client.GET('/'));
    expect(forbidden).toMatchObject({ status: 403, category: 'MISSING_SCOPES', retryable: false });
    expect(invalid).toMatchObject({ status: 400, category: 'VALIDATION_ERROR' });
    expect(limited).toBeInstanceOf(HubSpotApiError);
    expect(limited).toMatchObject({
      status: 429,
      policyName: 'TEN_SECONDLY_ROLLING',
      retryable: true,
    });
    expect((limited as HubSpotApiError).retryAfterMs).toBeGreaterThanOrEqual(1000);
  });

  it('hands a 207 back as data with the missing ids', async () => {
    const sim = await startSim();
    const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
    const { data, response } = await client.POST('/batch/update', {
      body: { inputs: [{ id: 'missing', properties: {} }] },
    });
    expect(response.status).toBe(207);
    expect(data && 'errors' in data ? data.errors?.[0]?.context.ids : undefined).toEqual([
      'missing',
    ]);
  });

  it('times out on a hang and fails with a network error on a drop', async () => {
    const sim = await startSim();
    const client = createHubSpotClient({
      token: DEFAULT_SIM_TOKEN,
      baseUrl: sim.url,
      timeoutMs: 100,
    });
    sim.script({ kind: 'hang' }, { kind: 'drop' });
    const timedOut = await failure(client.GET('/'));
    const dropped = await failure(client.GET('/'));
    expect(timedOut).toBeInstanceOf(HubSpotNetworkError);
    expect(timedOut).toMatchObject({ kind: 'timeout' });
    expect(dropped).toMatchObject({ kind: 'network', retryable: true });
  });
});
