import { afterEach, describe, expect, it } from 'vitest';
import type { PublicCampaign } from '@campaigns/hubspot-client';
import { call, campaignIds, closeSims, startSim, UUID } from './sim-helpers.js';

afterEach(closeSims);

describe('schema validation from the OpenAPI spec', () => {
  it('refuses a body that breaks the schema with 400 VALIDATION_ERROR, a correlation id and the field paths', async () => {
    const sim = await startSim();
    const { status, body } = await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id: 7, properties: { hs_notes: 'x' } }, { properties: {} }] },
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(body.correlationId).toMatch(UUID);
    expect(body.errors?.map((e) => e.in).sort()).toEqual(['inputs[0].id', 'inputs[1].id']);
  });

  it('refuses property values that are not strings', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const { status, body } = await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id, properties: { hs_budget: 5, hs_notes: null } }] },
    });
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.in).sort()).toEqual([
      'inputs[0].properties.hs_budget',
      'inputs[0].properties.hs_notes',
    ]);
  });

  it('refuses a missing body on an operation that requires one', async () => {
    const sim = await startSim();
    const { status, body } = await call(sim, 'POST', '/batch/read', {
      headers: { 'Content-Type': 'application/json' },
    });
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ in: 'body', code: 'REQUIRED' });
  });

  it('validates the body before any business rule, so a schema error wins over an unknown property', async () => {
    const sim = await startSim();
    const { body } = await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id: 'a', properties: { hs_nope: 'x' } }, { id: 'b' }] },
    });
    expect(body.errors).toEqual([
      expect.objectContaining({ in: 'inputs[1].properties', code: 'REQUIRED' }),
    ]);
  });
});

describe('property rules', () => {
  async function updateOne(properties: Record<string, string>) {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const before = sim.store.get(id!);
    const answer = await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id, properties }] },
    });
    return {
      ...answer,
      id: id!,
      unchanged: JSON.stringify(sim.store.get(id!)) === JSON.stringify(before),
    };
  }

  it.each([
    ['an unknown property', { hs_budget: '100' }, 'PROPERTY_DOESNT_EXIST'],
    ['a read-only property', { hs_spend_items_sum_amount: '10' }, 'READ_ONLY_VALUE'],
    ['a date that is not YYYY-MM-DD', { hs_start_date: '03/04/2026' }, 'INVALID_DATE'],
    ['a date that is not on the calendar', { hs_end_date: '2026-02-29' }, 'INVALID_DATE'],
    ['a status outside its options', { hs_campaign_status: 'running' }, 'INVALID_OPTION'],
    ['a currency that is not ISO 4217', { hs_currency_code: 'usd' }, 'INVALID_OPTION'],
    ['a colour that is not #RRGGBB', { hs_color_hex: 'red' }, 'INVALID_FORMAT'],
    ['an owner that is not a user id', { hs_owner: 'jane@example.com' }, 'INVALID_FORMAT'],
    ['a name over 255 characters', { hs_name: 'n'.repeat(256) }, 'MAX_LENGTH_EXCEEDED'],
  ])(
    'fails the whole request with 400 for %s, naming the property and the id',
    async (_what, properties, code) => {
      const { status, body, id, unchanged } = await updateOne(properties);
      const [name] = Object.keys(properties);
      expect(status).toBe(400);
      expect(body.category).toBe('VALIDATION_ERROR');
      expect(body.errors).toEqual([
        expect.objectContaining({ code, context: { propertyName: [name], ids: [id] } }),
      ]);
      expect(body.message).toContain(name);
      expect(body.message).toContain(id);
      expect(unchanged).toBe(true);
    },
  );

  it('accepts every writable property with a well-formed value', async () => {
    const { status } = await updateOne({
      hs_name: 'Renamed',
      hs_start_date: '2028-02-29',
      hs_end_date: '2028-03-31',
      hs_notes: 'notes',
      hs_audience: 'everyone',
      hs_goal: 'more',
      hs_owner: '123',
      hs_currency_code: 'EUR',
      hs_campaign_status: 'in_progress',
      hs_color_hex: '#a1B2c3',
      hs_utm: 'renamed',
    });
    expect(status).toBe(200);
  });

  it('reports every offending input in one 400, not just the first', async () => {
    const sim = await startSim();
    const ids = campaignIds(sim, 3);
    const { status, body } = await call(sim, 'POST', '/batch/update', {
      body: {
        inputs: [
          { id: ids[0], properties: { hs_start_date: '2026-13-01' } },
          { id: ids[1], properties: { hs_notes: 'fine' } },
          { id: ids[2], properties: { hs_object_id: '1', hs_color_hex: '#12345' } },
        ],
      },
    });
    expect(status).toBe(400);
    expect(body.errors?.map((e) => [e.context?.propertyName?.[0], e.context?.ids?.[0]])).toEqual([
      ['hs_start_date', ids[0]],
      ['hs_object_id', ids[2]],
      ['hs_color_hex', ids[2]],
    ]);
  });

  it('names the property but not the campaign when validationErrorsNameIds is false', async () => {
    const sim = await startSim({ validationErrorsNameIds: false });
    const [id] = campaignIds(sim, 1);
    const { status, body } = await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id, properties: { hs_goal: 'ok', hs_nope: 'x' } }] },
    });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.context).toEqual({ propertyName: ['hs_nope'] });
    expect(JSON.stringify(body)).not.toContain(id);
  });

  it('resets a property sent as "" by removing it from the campaign', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    expect(sim.store.get(id!)?.properties.hs_audience).toBeDefined();
    const { status, body } = await call<{ results: PublicCampaign[] }>(
      sim,
      'POST',
      '/batch/update',
      {
        body: { inputs: [{ id, properties: { hs_audience: '' } }] },
      },
    );
    expect(status).toBe(200);
    expect(body.results[0]?.properties).not.toHaveProperty('hs_audience');
    expect(sim.store.get(id!)?.properties).not.toHaveProperty('hs_audience');
  });

  it('still refuses "" for a read-only property', async () => {
    const { status, body } = await updateOne({ hs_object_id: '' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.code).toBe('READ_ONLY_VALUE');
  });

  it('applies the same rules to a single PATCH', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const { status, body } = await call(sim, 'PATCH', `/${id}`, {
      body: { properties: { hs_campaign_status: 'done' } },
    });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.context).toEqual({ propertyName: ['hs_campaign_status'], ids: [id] });
  });
});
