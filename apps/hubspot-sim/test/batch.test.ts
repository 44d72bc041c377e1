import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  BatchResponsePublicCampaignWithErrors,
  PublicCampaign,
} from '@campaigns/hubspot-client';
import { call, campaignIds, closeSims, startSim } from './sim-helpers.js';

afterEach(closeSims);

type BatchAnswer = BatchResponsePublicCampaignWithErrors;
const MISSING = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];

describe('batch update', () => {
  it('refuses more than 50 inputs with 400 and still counts them as the largest batch', async () => {
    const sim = await startSim({ campaigns: 60 });
    const inputs = campaignIds(sim, 51).map((id) => ({ id, properties: { hs_notes: 'x' } }));
    const { status, body } = await call(sim, 'POST', '/batch/update', { body: { inputs } });
    expect(status).toBe(400);
    expect(body.category).toBe('VALIDATION_ERROR');
    expect(body.errors?.[0]?.in).toBe('inputs');
    expect(sim.stats().largestBatch).toBe(51);
    expect(sim.store.list().some((c) => c.properties.hs_notes === 'x')).toBe(false);
  });

  it('accepts exactly 50 inputs', async () => {
    const sim = await startSim({ campaigns: 50 });
    const inputs = campaignIds(sim).map((id) => ({ id, properties: { hs_notes: 'x' } }));
    const { status, body } = await call<BatchAnswer>(sim, 'POST', '/batch/update', {
      body: { inputs },
    });
    expect(status).toBe(200);
    expect(body.results).toHaveLength(50);
  });

  it('refuses an empty batch with 400', async () => {
    const sim = await startSim();
    const { status, body } = await call(sim, 'POST', '/batch/update', { body: { inputs: [] } });
    expect(status).toBe(400);
    expect(body.message).toMatch(/must not be empty/);
  });

  it('refuses duplicate ids with 400 naming each duplicated id', async () => {
    const sim = await startSim();
    const [a, b, c] = campaignIds(sim, 3);
    const inputs = [a, b, a, c, b, a].map((id) => ({ id, properties: { hs_notes: 'x' } }));
    const { status, body } = await call(sim, 'POST', '/batch/update', { body: { inputs } });
    expect(status).toBe(400);
    expect(body.category).toBe('VALIDATION_ERROR');
    expect(body.errors?.map((e) => e.context?.ids)).toEqual([[a], [b]]);
    expect(sim.store.get(a!)?.properties.hs_notes).not.toBe('x');
  });

  it('answers unknown ids with a 207 OBJECT_NOT_FOUND error naming them, and still applies the known ones', async () => {
    const sim = await startSim();
    const [known] = campaignIds(sim, 1);
    const inputs = [MISSING[0], known, MISSING[1]].map((id) => ({
      id,
      properties: { hs_goal: 'G' },
    }));
    const { status, body } = await call<BatchAnswer>(sim, 'POST', '/batch/update', {
      body: { inputs },
    });
    expect(status).toBe(207);
    expect(body.status).toBe('COMPLETE');
    expect(body.results.map((c) => c.id)).toEqual([known]);
    expect(body.numErrors).toBe(1);
    expect(body.errors).toEqual([
      {
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: expect.any(String),
        context: { ids: MISSING },
        errors: [],
        links: {},
      },
    ]);
    expect(sim.store.get(known!)?.properties.hs_goal).toBe('G');
  });

  it('answers 207 with no results when every id is unknown', async () => {
    const sim = await startSim();
    const { status, body } = await call<BatchAnswer>(sim, 'POST', '/batch/update', {
      body: { inputs: MISSING.map((id) => ({ id, properties: {} })) },
    });
    expect(status).toBe(207);
    expect(body.results).toEqual([]);
    expect(body.errors?.[0]?.context.ids).toEqual(MISSING);
  });

  it('returns results in an order different from the input order', async () => {
    const sim = await startSim();
    for (const size of [2, 3, 10]) {
      const ids = campaignIds(sim, size);
      const { body } = await call<BatchAnswer>(sim, 'POST', '/batch/update', {
        body: { inputs: ids.map((id) => ({ id, properties: {} })) },
      });
      const returned = body.results.map((c) => c.id);
      expect(returned).not.toEqual(ids);
      expect([...returned].sort()).toEqual([...ids].sort());
    }
  });

  it('stamps requestedAt, startedAt and completedAt as ISO times', async () => {
    const sim = await startSim();
    const { body } = await call<BatchAnswer>(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id: campaignIds(sim, 1)[0], properties: {} }] },
    });
    for (const time of [body.requestedAt, body.startedAt, body.completedAt])
      expect(new Date(time!).toISOString()).toBe(time);
  });

  it('moves updatedAt strictly forward on every update of a campaign, even within one millisecond', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const stamps = [sim.store.get(id!)!.updatedAt];
    for (let i = 0; i < 5; i++) {
      const { body } = await call<BatchAnswer>(sim, 'POST', '/batch/update', {
        body: { inputs: [{ id, properties: { hs_notes: `n${i}` } }] },
      });
      stamps.push(body.results[0]!.updatedAt);
    }
    for (let i = 1; i < stamps.length; i++)
      expect(Date.parse(stamps[i]!)).toBeGreaterThan(Date.parse(stamps[i - 1]!));
    expect(sim.store.get(id!)?.updatedAt).toBe(stamps.at(-1));
  });

  it('accounts for every input id exactly once, in results or in an error naming it', async () => {
    const sim = await startSim({ campaigns: 30, rateLimit: false });
    const known = campaignIds(sim);
    const unknownIds = fc.uuid().filter((id) => !known.includes(id));
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.oneof(fc.constantFrom(...known), unknownIds), {
          minLength: 1,
          maxLength: 50,
        }),
        async (ids) => {
          const { status, body } = await call<BatchAnswer>(sim, 'POST', '/batch/update', {
            body: { inputs: ids.map((id) => ({ id, properties: { hs_notes: 'pbt' } })) },
          });
          const accounted = [
            ...body.results.map((c) => c.id),
            ...(body.errors ?? []).flatMap((e) => e.context.ids ?? []),
          ];
          expect(accounted.sort()).toEqual([...ids].sort());
          expect(status).toBe(ids.every((id) => known.includes(id)) ? 200 : 207);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('batch archive', () => {
  it('answers 204 whatever the ids, and removes the ones that existed', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const { status, body } = await call(sim, 'POST', '/batch/archive', {
      body: { inputs: [{ id }, { id: MISSING[0] }, { id }] },
    });
    expect(status).toBe(204);
    expect(body).toBe('');
    expect(sim.store.get(id!)).toBeUndefined();
    expect(
      (await call(sim, 'POST', '/batch/archive', { body: { inputs: [{ id: MISSING[1] }] } }))
        .status,
    ).toBe(204);
  });
});

describe('batch read', () => {
  it('answers unknown ids with a 207 and the known campaigns', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const { status, body } = await call<BatchAnswer & { results: PublicCampaign[] }>(
      sim,
      'POST',
      '/batch/read',
      {
        body: { inputs: [{ id }, { id: MISSING[0] }] },
      },
    );
    expect(status).toBe(207);
    expect(body.results.map((c) => c.id)).toEqual([id]);
    expect(body.errors?.[0]).toMatchObject({
      category: 'OBJECT_NOT_FOUND',
      context: { ids: [MISSING[0]] },
    });
  });
});
