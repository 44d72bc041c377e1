// How a run holds what it keeps: results compacted (values unchanged), booked by position, and
// inputs coalesced without an object per input.
import { describe, expect, it } from 'vitest';
import { coalesceInputs } from '../src/coalesce.js';
import { ResultCompactor } from '../src/compact.js';
import { ResultBook } from '../src/merge.js';
import { updateCampaigns, type UpdateInput } from '../src/index.js';
import { fakeHubSpot, ids, jsonResponse, type SentRequest } from './fake-hubspot.js';

const hubspotResult = (id: string, n: number) => ({
  id,
  properties: {
    hs_name: `Campaign ${n}`,
    hs_campaign_status: n % 2 ? 'active' : 'paused',
    hs_createdate: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
    hs_lastmodifieddate: '2026-02-01T00:00:00.000Z',
  },
  createdAt: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
  updatedAt: '2026-02-01T00:00:00.000Z',
  businessUnits: [{ id: 0 }],
});

describe('ResultCompactor', () => {
  it('changes no value of a result, repeated or not, over many results', () => {
    const compactor = new ResultCompactor();
    for (let n = 0; n < 1_000; n++) {
      const id = `cmp-${n}`;
      const result = hubspotResult(`${id}`, n);
      expect(compactor.compact(result, id)).toEqual(hubspotResult(id, n));
    }
  });

  it("takes the caller's value only where HubSpot echoed it unchanged", () => {
    const compactor = new ResultCompactor();
    const sent = Object.assign(Object.create(null) as Record<string, unknown>, {
      hs_notes: 'as sent',
      hs_goal: 'sent lower-case',
      hs_budget_items_sum_amount: 17750,
    });
    const answer = {
      id: 'a',
      properties: {
        hs_notes: 'as sent',
        // HubSpot normalised this one: the answer's value stays.
        hs_goal: 'Sent lower-case',
        hs_budget_items_sum_amount: '17750',
        // Not sent at all, though `toString` is a name every plain object inherits.
        toString: 'x',
      },
    };
    expect(compactor.compact(structuredClone(answer), 'a', sent)).toEqual(answer);
    expect(compactor.compact(structuredClone(answer), 'a', { toString: 'y' })).toEqual(answer);
  });

  it('leaves what is not a campaign alone', () => {
    const compactor = new ResultCompactor();
    expect(compactor.compact({ id: 'a' }, 'a')).toEqual({ id: 'a' });
    // What HubSpot sent, untyped as JSON.parse leaves it: the types say a campaign, it may not be.
    expect(compactor.compact(JSON.parse('null'))).toBeNull();
    expect(compactor.compact(JSON.parse('{"id":"a","properties":"x"}'), 'b')).toEqual({
      id: 'a',
      properties: 'x',
    });
  });

  it('shares equal business unit lists as one frozen list, deep-equal to what HubSpot sent', () => {
    const compactor = new ResultCompactor();
    const units = (n: number) => [{ id: 2 ** 31 + (n % 3) }, { id: 7, name: `unit ${n % 3}` }];
    const kept = Array.from({ length: 9 }, (_, n) =>
      compactor.compact({ ...hubspotResult(`cmp-${n}`, n), businessUnits: units(n) }),
    );
    for (const [n, result] of kept.entries()) {
      expect(result.businessUnits).toEqual(units(n));
      expect(result.businessUnits).toBe(kept[n % 3]!.businessUnits);
      expect(Object.isFrozen(result.businessUnits)).toBe(true);
      for (const unit of result.businessUnits) expect(Object.isFrozen(unit)).toBe(true);
    }
    expect(kept[0]!.businessUnits).not.toBe(kept[1]!.businessUnits);
    // Shared, so one result's list cannot be changed through another's.
    expect(() => kept[0]!.businessUnits.push({ id: 1 })).toThrow(TypeError);
    expect(() => {
      (kept[0]!.businessUnits[0] as { id: number }).id = 1;
    }).toThrow(TypeError);
    expect(kept[3]!.businessUnits[0]!.id).toBe(2 ** 31);
  });

  it('does not share a business unit list when equal JSON would not mean equal values, but freezes it', () => {
    const compactor = new ResultCompactor();
    // -0 writes as 0 in JSON; a nested object, an undefined or a class instance is not plain.
    const odd = [
      [{ id: -0 }],
      [{ id: 0, extra: { a: 1 } }],
      [{ id: 0, extra: undefined }],
      [new Date(0)],
    ];
    for (const units of odd) {
      const result = compactor.compact({
        id: 'a',
        businessUnits: units as unknown as Array<{ id: number }>,
      });
      expect(result.businessUnits).toBe(units);
      expect(Object.isFrozen(units)).toBe(true);
    }
    const zero = compactor.compact({ id: 'b', businessUnits: [{ id: 0 }] });
    expect(Object.is(zero.businessUnits[0]!.id, 0)).toBe(true);
  });

  it('hands back the same results through a run that keeps them', async () => {
    const echo = (req: SentRequest) =>
      jsonResponse(200, {
        status: 'COMPLETE',
        results: req.inputs.map((input) => hubspotResult(input.id!, Number(input.id!.slice(4)))),
      });
    const { client } = fakeHubSpot(echo);
    const input = ids(300);
    const outcome = await updateCampaigns(
      client,
      input.map((id) => ({ id, properties: { hs_notes: 'n' } })),
    );
    expect(outcome.results).toEqual(input.map((id) => hubspotResult(id, Number(id.slice(4)))));
    // Every result's `[{ id: 0 }]` is one frozen list, chunk after chunk.
    expect(new Set(outcome.results.map((r) => r.businessUnits)).size).toBe(1);
    expect(Object.isFrozen(outcome.results[299]!.businessUnits)).toBe(true);
  });

  it('freezes every list alike: results a run streams, and kept lists past the shared ones', async () => {
    // Each result its own list: more distinct lists than a run shares.
    const distinct = (id: string, n: number) => ({
      ...hubspotResult(id, n),
      businessUnits: [{ id: n }],
    });
    const echo = (req: SentRequest) =>
      jsonResponse(200, {
        status: 'COMPLETE',
        results: req.inputs.map((input) => distinct(input.id!, Number(input.id!.slice(4)))),
      });
    const { client } = fakeHubSpot(echo);
    const input = ids(1_100).map((id) => ({ id, properties: { hs_notes: 'n' } }));
    const kept = await updateCampaigns(client, input);
    expect(kept.results).toHaveLength(1_100);
    const streamed: Array<(typeof kept.results)[number]> = [];
    const outcome = await updateCampaigns(client, input, {
      keepResults: false,
      onResults: (results) => streamed.push(...results),
    });
    expect(outcome.results).toEqual([]);
    expect(streamed).toHaveLength(1_100);
    for (const result of [...kept.results, ...streamed]) {
      expect(result).toEqual(distinct(result.id, Number(result.id.slice(4))));
      expect(Object.isFrozen(result.businessUnits)).toBe(true);
      expect(Object.isFrozen(result.businessUnits[0])).toBe(true);
    }
  });
});

describe('ResultBook', () => {
  it('reads the outcome off once, kept results in input order', () => {
    const book = new ResultBook<string>(3);
    book.succeed(2, 'C');
    book.fail(1, {
      status: 'error',
      category: 'X',
      message: 'm',
      errors: [],
      context: {},
      links: {},
    });
    book.succeed(0, 'A');
    book.succeed(0, 'A again');
    const fallback = { startedAt: 's', completedAt: 'c' };
    const merged = book.merge((p) => ['a', 'b', 'c'][p]!, fallback);
    expect(merged.results).toEqual(['A', 'C']);
    expect(merged.errors.map((e) => e.ids)).toEqual([['b']]);
    expect(() => book.merge((p) => String(p), fallback)).toThrow(/once/);
  });

  it('unkept, books successes without results', () => {
    const book = new ResultBook<string>(2, false);
    book.succeed(0, 'A');
    const merged = book.merge((p) => ['a', 'b'][p]!, { startedAt: 's', completedAt: 'c' });
    expect(merged.results).toEqual([]);
    expect(merged.errors.map((e) => e.ids)).toEqual([['b']]);
  });
});

describe('coalesceInputs', () => {
  it('skips the positions it is told to, and reports positions for repeated ids', () => {
    const inputs: UpdateInput[] = [
      { id: 'a', properties: { hs_name: 'A1' } },
      { id: 'b', properties: { hs_name: 'bad' } },
      { id: 'a', properties: { hs_goal: 'g' } },
      { id: 'c', properties: { hs_name: 'C' } },
    ];
    const { updates, coalesced } = coalesceInputs(inputs, (index) => index === 1);
    expect(updates).toEqual([
      { id: 'a', properties: { hs_name: 'A1', hs_goal: 'g' } },
      { id: 'c', properties: { hs_name: 'C' } },
    ]);
    expect(updates[1]).toBe(inputs[3]);
    expect(coalesced).toEqual([{ id: 'a', indices: [0, 2] }]);
  });
});
