import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_CAMPAIGN_COUNT,
  DEMO_BUSINESS_UNIT_IDS,
  SimConfigError,
  startHubSpotSim,
} from '../src/index.js';
import { call, closeSims, startSim, UUID } from './sim-helpers.js';

afterEach(closeSims);

describe('startHubSpotSim', () => {
  it('listens on 127.0.0.1 on an ephemeral port by default, with 200 demo campaigns', async () => {
    const sim = await startHubSpotSim();
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.store.size).toBe(DEFAULT_CAMPAIGN_COUNT);
      expect((await call(sim, 'GET', '/?limit=1')).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  it('seeds realistic campaigns: UUID ids, hs_* properties and business units above 2^31', async () => {
    const sim = await startSim({ campaigns: 50 });
    for (const campaign of sim.store.list()) {
      expect(campaign.id).toMatch(UUID);
      expect(campaign.properties).toMatchObject({
        hs_name: expect.any(String),
        hs_start_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        hs_campaign_status: expect.stringMatching(
          /^(planned|in_progress|active|paused|completed)$/,
        ),
        hs_budget_items_sum_amount: expect.stringMatching(/^\d+$/),
        hs_createdate: campaign.createdAt,
      });
      expect(campaign.businessUnits?.[0]?.id).toBeGreaterThan(2 ** 31);
      expect(Date.parse(campaign.updatedAt)).toBeGreaterThan(Date.parse(campaign.createdAt));
    }
    expect(new Set(sim.store.list().map((c) => c.businessUnits?.[0]?.id))).toEqual(
      new Set(DEMO_BUSINESS_UNIT_IDS),
    );
  });

  it('seeds the same campaigns for the same seed, and different ones for another', async () => {
    const [a, b, c] = await Promise.all([
      startSim({ seed: 7 }),
      startSim({ seed: 7 }),
      startSim({ seed: 8 }),
    ]);
    expect(a.store.list()).toEqual(b.store.list());
    expect(a.store.list()[0]?.id).not.toBe(c.store.list()[0]?.id);
  });

  it('keeps instances independent', async () => {
    const [a, b] = await Promise.all([startSim({ seed: 3 }), startSim({ seed: 3 })]);
    const [id] = a.store.list().map((c) => c.id);
    await call(a, 'PATCH', `/${id}`, { body: { properties: { hs_notes: 'only in a' } } });
    a.script({ status: 503 });
    expect(a.store.get(id!)?.properties.hs_notes).toBe('only in a');
    expect(b.store.get(id!)?.properties.hs_notes).not.toBe('only in a');
    expect((await call(b, 'GET', '/')).status).toBe(200);
    expect(b.stats().totalRequests).toBe(1);
    expect(a.stats().totalRequests).toBe(1);
  });

  it('adds campaigns for load tests with seedCampaigns', async () => {
    const sim = await startSim({ campaigns: 0 });
    const ids = sim.seedCampaigns(120);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(sim.store.size).toBe(120);
    expect(() => sim.seedCampaigns(1.5)).toThrow(SimConfigError);
  });

  it('refuses options it cannot honour, naming the option', async () => {
    await expect(startHubSpotSim({ port: 70_000 })).rejects.toThrow(/port/);
    await expect(startHubSpotSim({ campaigns: -1 })).rejects.toThrow(/campaigns/);
    await expect(startHubSpotSim({ tokens: [] })).rejects.toThrow(/tokens/);
    await expect(startHubSpotSim({ rateLimit: { max: 0 } })).rejects.toThrow(/rateLimit\.max/);
  });

  it('refuses a port that is already taken', async () => {
    const sim = await startSim();
    const port = Number(new URL(sim.url).port);
    await expect(startHubSpotSim({ port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('closes idempotently and stops answering', async () => {
    const sim = await startHubSpotSim({ campaigns: 1 });
    await Promise.all([sim.close(), sim.close()]);
    await expect(fetch(`${sim.url}/__sim/stats`)).rejects.toThrow();
  });
});
