import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bisect, chunk, HUBSPOT_BATCH_LIMIT } from '../src/chunk.js';

describe('chunk', () => {
  it('keeps every item, in order, in chunks of at most the size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 400 }),
        fc.integer({ min: 1, max: 50 }),
        (items, size) => {
          const chunks = chunk(items, size);
          expect(chunks.flat()).toEqual(items);
          for (const c of chunks) expect(c.length).toBeGreaterThan(0);
          for (const c of chunks) expect(c.length).toBeLessThanOrEqual(size);
          expect(chunks.length).toBe(Math.ceil(items.length / size));
        },
      ),
    );
  });

  it('defaults to HubSpot’s limit of 50 and refuses sizes outside 1–50', () => {
    expect(chunk(Array.from({ length: 120 }, (_, i) => i)).map((c) => c.length)).toEqual([
      50, 50, 20,
    ]);
    expect(HUBSPOT_BATCH_LIMIT).toBe(50);
    expect(() => chunk([1], 51)).toThrow(/1 to 50/);
    expect(() => chunk([1], 0)).toThrow(/1 to 50/);
    expect(() => chunk([1], 2.5)).toThrow(/1 to 50/);
  });
});

describe('bisect', () => {
  it('splits into two non-empty halves that together are the input', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 2, maxLength: 50 }), (items) => {
        const [a, b] = bisect(items);
        expect([...a, ...b]).toEqual(items);
        expect(a.length).toBeGreaterThan(0);
        expect(b.length).toBeGreaterThan(0);
        expect(a.length - b.length).toBeLessThanOrEqual(1);
      }),
    );
  });
});
