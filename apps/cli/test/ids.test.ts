// The ids seen by the check: every id once, the row it was first on, exactly (no hash guesses).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdRows, IdSet } from '../src/ids.js';

describe('IdRows', () => {
  it('tells the first row of every id seen again, across growth of the table', () => {
    const ids = new IdRows();
    const guids = Array.from({ length: 30_000 }, () => randomUUID());
    guids.forEach((id, i) => expect(ids.firstRow(id, i + 2)).toBeUndefined());
    expect(ids.size).toBe(30_000);
    guids.forEach((id, i) => expect(ids.firstRow(id, 99_999)).toBe(i + 2));
    expect(ids.size).toBe(30_000);
  });

  it('compares ids exactly: case, near-GUIDs and other ids are ids of their own', () => {
    const ids = new IdRows();
    const guid = '7d09b6cc-4a0b-40e3-9118-12b9ab6d39a6';
    const lookalikes = [
      guid.toUpperCase(),
      '7d09b6cc-4a0b-40e3-9118-12b9ab6d39a7',
      '7d09b6cc4a0b-40e3-9118-12b9ab6d39a6-',
      '7d09b6cc-4a0b-40e3-9118-12b9ab6d39ag',
      '0d09b6cc-4a0b-40e3-9118-12b9ab6d39a6',
      '12345',
      'campaign-7',
    ];
    expect(ids.firstRow(guid, 2)).toBeUndefined();
    lookalikes.forEach((id, i) => expect([id, ids.firstRow(id, i + 3)]).toEqual([id, undefined]));
    expect(ids.firstRow(guid, 50)).toBe(2);
    lookalikes.forEach((id, i) => expect([id, ids.firstRow(id, 60)]).toEqual([id, i + 3]));
    expect(ids.size).toBe(1 + lookalikes.length);
  });

  it('spreads ids crafted to collide under a xor of the words: lookups stay short', () => {
    // Under `a ^ imul(b, K1) ^ imul(c, K2)` (then d), every one of these ids had the same hash,
    // and each insertion walked past all the earlier ones.
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
    const guid = (a: number, b: number) =>
      `${hex(a)}-${hex(b).slice(0, 4)}-${hex(b).slice(4)}-0000-000000000000`;
    const ids = new IdRows();
    for (let b = 1; b <= 20_000; b++) {
      const a = Math.imul(b, 0x9e3779b1) ^ 0x12345678;
      expect(ids.firstRow(guid(a, b), b + 1)).toBeUndefined();
    }
    expect(ids.size).toBe(20_000);
    expect(ids.longestProbe).toBeLessThan(100);
  });
});

describe('IdSet (the --resume ids)', () => {
  const anyId = fc.oneof(
    fc.uuid(),
    fc.uuid().map((id) => id.toUpperCase()),
    fc.string({ maxLength: 40 }),
    fc.integer({ min: 0, max: 10 ** 9 }).map(String),
  );

  it('answers like a Set of strings for any ids, GUIDs or not, whatever the case', () => {
    fc.assert(
      fc.property(
        fc.array(anyId, { maxLength: 300 }),
        fc.array(anyId, { maxLength: 50 }),
        (added, probes) => {
          const compact = new IdSet();
          const plain = new Set<string>();
          for (const id of added) {
            compact.add(id);
            plain.add(id);
          }
          expect(compact.size).toBe(plain.size);
          for (const id of [...added, ...probes]) expect(compact.has(id)).toBe(plain.has(id));
        },
      ),
    );
  });

  it('looks up without recording: has() of an unseen id leaves it unseen', () => {
    const set = new IdSet();
    const id = randomUUID();
    expect(set.has(id)).toBe(false);
    expect(set.has(id)).toBe(false);
    expect(set.size).toBe(0);
    set.add(id);
    set.add(id);
    expect(set.size).toBe(1);
    expect(set.has(id)).toBe(true);
    expect(set.has(id.toUpperCase())).toBe(false);
  });
});
