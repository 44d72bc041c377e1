// `sim.refuse` and `POST /__sim/refusals`: campaigns HubSpot will not update, reported as item
// errors of a 207 while the rest of the batch is applied.
import type { BatchResponsePublicCampaignWithErrors } from '@campaigns/hubspot-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpecValidator, loadCampaignsSpec, SimConfigError } from '../src/index.js';
import { admin, call, campaignIds, closeSims, startSim } from './sim-helpers.js';

afterEach(closeSims);

const LOCKED = { category: 'VALIDATION_ERROR', message: 'Campaign is locked while in review' };

function update(ids: readonly string[], notes: string) {
  return { inputs: ids.map((id) => ({ id, properties: { hs_notes: notes } })) };
}

describe('refused campaigns', () => {
  it('answers 207 with an item error naming the refused ids, in the spec’s shape, and applies the rest', async () => {
    const sim = await startSim();
    const ids = campaignIds(sim, 5);
    const refused = [ids[1]!, ids[3]!];
    sim.refuse(refused, LOCKED);
    const answer = await call<BatchResponsePublicCampaignWithErrors>(sim, 'POST', '/batch/update', {
      body: update(ids, 'edited'),
    });
    expect(answer.status).toBe(207);
    expect(answer.body.numErrors).toBe(1);
    expect(answer.body.errors).toEqual([
      {
        status: 'error',
        category: 'VALIDATION_ERROR',
        message: LOCKED.message,
        context: { ids: refused },
        errors: [],
        links: {},
      },
    ]);
    expect(answer.body.results.map((c) => c.id).sort()).toEqual(
      ids.filter((id) => !refused.includes(id)).sort(),
    );
    for (const id of ids)
      expect(sim.store.get(id)!.properties.hs_notes === 'edited').toBe(!refused.includes(id));

    const spec = loadCampaignsSpec();
    const operation = spec.operations.find(
      (o) => o.method === 'POST' && o.path === '/batch/update',
    )!;
    expect(createSpecValidator(spec).responseBody(operation, 207, answer.body)).toEqual([]);
  });

  it('reports refused and unknown ids as separate errors, one per reason, with an empty results list when nothing is applied', async () => {
    const sim = await startSim();
    const [a, b, c] = campaignIds(sim, 3);
    sim.refuse([a!], LOCKED);
    sim.refuse([b!], { category: 'CONFLICT', message: 'Being edited by someone else' });
    sim.refuse([c!], LOCKED);
    const answer = await call<BatchResponsePublicCampaignWithErrors>(sim, 'POST', '/batch/update', {
      body: update([a!, b!, c!, 'missing'], 'x'),
    });
    expect(answer.status).toBe(207);
    expect(answer.body.results).toEqual([]);
    expect(answer.body.numErrors).toBe(3);
    expect(answer.body.errors!.map((e) => [e.category, e.context.ids])).toEqual([
      ['OBJECT_NOT_FOUND', ['missing']],
      ['VALIDATION_ERROR', [a, c]],
      ['CONFLICT', [b]],
    ]);
  });

  it('accepts an id again after `times` batches refused it, so a retry succeeds', async () => {
    const sim = await startSim();
    const [id, other] = campaignIds(sim, 2);
    sim.refuse([id!], { ...LOCKED, times: 2 });
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      // A batch without the id uses none of its refusals.
      await call(sim, 'POST', '/batch/update', { body: update([other!], `o${attempt}`) });
      statuses.push(
        (await call(sim, 'POST', '/batch/update', { body: update([id!], 'n') })).status,
      );
    }
    expect(statuses).toEqual([207, 207, 200]);
    expect(sim.store.get(id!)!.properties.hs_notes).toBe('n');
  });

  it('uses no refusal on a batch refused as a whole (a bad property) and touches no other endpoint', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    sim.refuse([id!], { ...LOCKED, times: 1 });
    const bad = await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id, properties: { hs_nope: '1' } }] },
    });
    expect(bad.status).toBe(400);
    expect(
      (await call(sim, 'PATCH', `/${id}`, { body: { properties: { hs_goal: 'g' } } })).status,
    ).toBe(200);
    expect((await call(sim, 'POST', '/batch/update', { body: update([id!], 'n') })).status).toBe(
      207,
    );
    expect((await call(sim, 'POST', '/batch/update', { body: update([id!], 'n') })).status).toBe(
      200,
    );
  });

  it('forgets every refusal on clearRefusals', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    sim.refuse([id!], LOCKED);
    sim.clearRefusals();
    expect((await call(sim, 'POST', '/batch/update', { body: update([id!], 'n') })).status).toBe(
      200,
    );
  });

  it('refuses bad settings with one SimConfigError naming them', () => {
    return startSim().then((sim) => {
      expect(() => sim.refuse(['x'], { message: '', times: 0 })).toThrow(
        new SimConfigError(
          'refusal.message must be a non-empty string, got ""; refusal.times must be a positive integer, got 0',
        ),
      );
      expect(() => sim.refuse([''], LOCKED)).toThrow(SimConfigError);
    });
  });
});

describe('POST /__sim/refusals', () => {
  it('refuses ids from another process, defaulting the category, and clears with /__sim/refusals/clear', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    expect(
      (await admin(sim, 'POST', '/refusals', { ids: [id], message: LOCKED.message, times: 1 }))
        .status,
    ).toBe(204);
    const refused = await call<BatchResponsePublicCampaignWithErrors>(
      sim,
      'POST',
      '/batch/update',
      {
        body: update([id!], 'n'),
      },
    );
    expect(refused.status).toBe(207);
    expect(refused.body.errors![0]).toMatchObject({
      category: 'VALIDATION_ERROR',
      context: { ids: [id] },
    });
    expect((await call(sim, 'POST', '/batch/update', { body: update([id!], 'n') })).status).toBe(
      200,
    );

    await admin(sim, 'POST', '/refusals', { ids: [id], ...LOCKED });
    expect((await admin(sim, 'POST', '/refusals/clear')).status).toBe(204);
    expect((await call(sim, 'POST', '/batch/update', { body: update([id!], 'n') })).status).toBe(
      200,
    );
    expect(sim.stats().byEndpoint['POST /batch/update']).toEqual({ '200': 2, '207': 1 });
  });

  it('answers 400 naming the bad fields, and 405 to another method', async () => {
    const sim = await startSim();
    const bad = await admin<{ message: string }>(sim, 'POST', '/refusals', {
      ids: [],
      message: 'm',
      color: 'red',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('refusal has unknown settings: color');
    const wrong = await admin<{ message: string }>(sim, 'POST', '/refusals', {
      ids: [],
      message: 'm',
    });
    expect(wrong.body.message).toContain('refusal.ids must be a non-empty list of campaign ids');
    expect((await admin(sim, 'GET', '/refusals')).status).toBe(405);
  });
});
