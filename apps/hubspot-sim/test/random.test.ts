import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSeededRandom, shuffleAwayFromInputOrder } from '../src/random.js';

describe('shuffleAwayFromInputOrder', () => {
  it('returns a permutation that differs from the input whenever there are two or more items', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer(), { maxLength: 60 }), fc.integer(), (items, seed) => {
        const shuffled = shuffleAwayFromInputOrder(items, createSeededRandom(seed));
        expect([...shuffled].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
        if (items.length > 1) expect(shuffled).not.toEqual(items);
      }),
    );
  });
});

describe('createSeededRandom', () => {
  it('replays the same stream for the same seed', () => {
    const draw = (seed: number) => {
      const random = createSeededRandom(seed);
      return [random.next(), random.integer(1, 6), random.uuid()];
    };
    expect(draw(9)).toEqual(draw(9));
    expect(draw(9)).not.toEqual(draw(10));
  });
});
