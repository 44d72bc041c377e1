import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeBatchResponses, type ChunkReport, type ErrorPayload } from '../src/merge.js';

const notFound: ErrorPayload = {
  status: 'error',
  category: 'OBJECT_NOT_FOUND',
  message: 'not found',
  errors: [],
  context: {},
  links: {},
};
const fallback = { startedAt: '2026-01-01T00:00:00.000Z', completedAt: '2026-01-01T00:01:00.000Z' };

describe('mergeBatchResponses', () => {
  it('puts results in input order whatever order the chunks answered in', () => {
    const reports: ChunkReport<string>[] = [
      {
        keys: ['c', 'd'],
        results: [
          ['d', 'D'],
          ['c', 'C'],
        ],
        errors: [],
      },
      {
        keys: ['a', 'b'],
        results: [
          ['b', 'B'],
          ['a', 'A'],
        ],
        errors: [],
      },
    ];
    expect(mergeBatchResponses(['a', 'b', 'c', 'd'], reports, fallback).results).toEqual([
      'A',
      'B',
      'C',
      'D',
    ]);
  });

  it('groups equal errors across chunks and names every id once, in input order', () => {
    const merged = mergeBatchResponses(
      ['a', 'b', 'c'],
      [
        { keys: ['c'], results: [], errors: [{ keys: ['c'], error: notFound }] },
        { keys: ['a', 'b'], results: [['b', 'B']], errors: [{ keys: ['a'], error: notFound }] },
      ],
      fallback,
    );
    expect(merged.errors).toEqual([{ ...notFound, ids: ['a', 'c'], context: { ids: ['a', 'c'] } }]);
    expect(merged.numErrors).toBe(2);
  });

  it('takes the earliest requestedAt/startedAt, the latest completedAt and the union of links', () => {
    const merged = mergeBatchResponses(
      ['a', 'b'],
      [
        {
          keys: ['a'],
          results: [['a', 1]],
          errors: [],
          requestedAt: '2026-01-01T00:00:05Z',
          startedAt: '2026-01-01T00:00:06Z',
          completedAt: '2026-01-01T00:00:07Z',
          links: { x: '1' },
        },
        {
          keys: ['b'],
          results: [['b', 2]],
          errors: [],
          requestedAt: '2026-01-01T00:00:02Z',
          startedAt: '2026-01-01T00:00:09Z',
          completedAt: '2026-01-01T00:00:10Z',
          links: { y: '2' },
        },
      ],
      { startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T00:00:08Z' },
    );
    expect([merged.requestedAt, merged.startedAt, merged.completedAt]).toEqual([
      '2026-01-01T00:00:02Z',
      '2026-01-01T00:00:06Z',
      '2026-01-01T00:00:10Z',
    ]);
    expect(merged.links).toEqual({ x: '1', y: '2' });
  });

  it('accounts for every key exactly once, whatever the reports say', () => {
    const keyArb = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), {
      minLength: 1,
      maxLength: 60,
    });
    fc.assert(
      fc.property(
        keyArb,
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 60, maxLength: 60 }),
        fc.boolean(),
        (keys, fates, extra) => {
          // fate 0: result, 1: error, 2: both, 3: nothing (missing from the response)
          const results: Array<[string, string]> = [];
          const errors: Array<{ keys: string[]; error: ErrorPayload }> = [];
          keys.forEach((k, i) => {
            const fate = fates[i]!;
            if (fate === 0 || fate === 2) results.push([k, `R${k}`]);
            if (fate === 1 || fate === 2)
              errors.push({ keys: [k], error: { ...notFound, message: `m${i % 3}` } });
          });
          if (extra) results.push(['not-an-input-key-123', 'stray']);
          const merged = mergeBatchResponses(
            keys,
            [{ keys, results: results.reverse(), errors }],
            fallback,
          );
          const named = [
            ...merged.results.map((r) => r.slice(1)),
            ...merged.errors.flatMap((e) => e.ids),
          ];
          expect(named.sort()).toEqual([...keys].sort());
          expect(merged.numErrors).toBe(merged.errors.reduce((n, e) => n + e.ids.length, 0));
          const order = merged.results.map((r) => keys.indexOf(r.slice(1)));
          expect(order).toEqual([...order].sort((a, b) => a - b));
          for (const e of merged.errors) expect(e.context.ids).toEqual(e.ids);
        },
      ),
    );
  });
});

describe('mergeBatchResponses with results not kept', () => {
  it('counts a key reported as succeeded without a value as a success, not as missing', () => {
    const merged = mergeBatchResponses(
      ['a', 'b', 'c'],
      [
        {
          keys: ['a', 'b', 'c'],
          results: [],
          succeeded: ['a', 'c'],
          errors: [{ keys: ['b'], error: notFound }],
        },
      ],
      fallback,
    );
    expect(merged.results).toEqual([]);
    expect(merged.errors.map((e) => e.ids)).toEqual([['b']]);
    expect(merged.numErrors).toBe(1);
  });
});

describe('links from HubSpot', () => {
  it('keeps a __proto__ key of an answer’s links as a key, not as the prototype', () => {
    const merged = mergeBatchResponses(
      ['a'],
      [
        {
          keys: ['a'],
          results: [['a', 'A']],
          errors: [],
          links: JSON.parse('{"__proto__":{"polluted":"yes"},"self":"https://x"}') as never,
        },
      ],
      fallback,
    );
    expect(Object.getPrototypeOf(merged.links)).toBe(Object.prototype);
    expect((merged.links as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(merged.links).sort()).toEqual(['__proto__', 'self']);
  });
});
