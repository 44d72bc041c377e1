// listCampaignsPage against the simulator: paging to the end, the query passed through, the
// budget drawn from under the caller's key, retries like a chunk's, and why a page failed.
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { DEFAULT_SIM_TOKEN, startHubSpotSim, type HubSpotSim } from '@campaigns/hubspot-sim';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LIST_PROPERTIES,
  listCampaignsPage,
  ListPageError,
  RateLimitBudget,
  type RateBudget,
} from '../src/index.js';

let sim: HubSpotSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function setup(campaigns = 45, token = DEFAULT_SIM_TOKEN) {
  sim = await startHubSpotSim({ campaigns, seed: 4 });
  const client = createHubSpotClient({ token, baseUrl: sim.url, timeoutMs: 2_000 });
  return { sim, client };
}
const fast = { baseDelayMs: 1, maxDelayMs: 5 };

/** A budget that records whose turn each call took. */
function recording(): { budget: RateBudget; keys: Array<string | undefined> } {
  const inner = new RateLimitBudget();
  const keys: Array<string | undefined> = [];
  const budget: RateBudget = {
    acquire: (signal, key) => {
      keys.push(key);
      return inner.acquire(signal, key);
    },
    answered: (...args) => inner.answered(...args),
    observe: (...args) => inner.observe(...args),
    penalize: (...args) => inner.penalize(...args),
    exhaust: (...args) => inner.exhaust(...args),
    snapshot: () => inner.snapshot(),
  };
  return { budget, keys };
}

describe('listCampaignsPage', () => {
  it('pages to the end with the cursor HubSpot gives, each campaign once, under the caller’s turn', async () => {
    const { sim, client } = await setup(45);
    const { budget, keys } = recording();
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await listCampaignsPage(
        client,
        { limit: 20, ...(after ? { after } : {}), properties: DEFAULT_LIST_PROPERTIES },
        { budget, fairnessKey: 'alice' },
      );
      expect(page.total).toBe(45);
      seen.push(...page.results.map((c) => c.id));
      expect(page.results[0]?.properties.hs_name).toBeTypeOf('string');
      after = page.nextAfter;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(
      sim.store
        .list()
        .map((c) => c.id)
        .sort(),
    );
    expect(keys).toEqual(['alice', 'alice', 'alice']);
  });

  it('passes the name filter and the sort to HubSpot', async () => {
    const { sim, client } = await setup(60);
    const page = await listCampaignsPage(
      client,
      { name: 'SALE', sort: '-hs_name', limit: 100, properties: ['hs_name'] },
      { budget: new RateLimitBudget() },
    );
    const names = page.results.map((c) => c.properties.hs_name!);
    const expected = sim.store
      .list()
      .map((c) => c.properties.hs_name ?? '')
      .filter((n) => n.toLowerCase().includes('sale'));
    expect(page.total).toBe(expected.length);
    expect(names).toEqual(expected.sort().reverse());
  });

  it('retries transient failures and rate limits with the core’s backoff, then answers', async () => {
    const { sim, client } = await setup(5);
    sim.script({ status: 503 }, { status: 429, retryAfterSeconds: 0 });
    const retries: Array<{ attempt: number; rateLimited: boolean }> = [];
    const page = await listCampaignsPage(
      client,
      {},
      {
        budget: new RateLimitBudget(),
        retry: fast,
        onRetry: ({ attempt, rateLimited }) => retries.push({ attempt, rateLimited }),
      },
    );
    expect(page.results).toHaveLength(5);
    expect(retries).toEqual([
      { attempt: 1, rateLimited: false },
      { attempt: 2, rateLimited: true },
    ]);
    expect(sim.stats().byEndpoint['GET /']).toEqual({ '200': 1, '429': 1, '503': 1 });
  });

  it('says why a page could not be read: credentials, a refused query, attempts used up, canceled', async () => {
    const { sim, client } = await setup(5);
    const bad = createHubSpotClient({ token: 'not-a-token', baseUrl: sim.url });
    const budget = new RateLimitBudget();
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => expect.fail('the page was read'),
        (error: unknown) => {
          expect(error).toBeInstanceOf(ListPageError);
          return error as ListPageError;
        },
      );
    expect(await failure(listCampaignsPage(bad, {}, { budget }))).toMatchObject({
      failure: 'auth',
      httpStatus: 401,
    });
    expect(
      await failure(listCampaignsPage(client, { after: 'not-a-cursor' }, { budget })),
    ).toMatchObject({ failure: 'invalid', httpStatus: 400 });
    sim.script({ status: 503 }, { status: 503 });
    const gaveUp = await failure(
      listCampaignsPage(client, {}, { budget, retry: { ...fast, maxAttempts: 2 } }),
    );
    expect(gaveUp).toMatchObject({ failure: 'failed', httpStatus: 503 });
    expect(gaveUp.message).toMatch(/^gave up after 2 attempts/);
    expect(
      await failure(listCampaignsPage(client, {}, { budget, signal: AbortSignal.abort() })),
    ).toMatchObject({ failure: 'aborted' });
  });
});
