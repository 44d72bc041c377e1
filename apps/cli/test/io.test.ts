import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count } from '../src/io.js';

describe('count', () => {
  it('groups digits as en-US does, without Intl', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        (n) => {
          expect(count(n)).toBe(n.toLocaleString('en-US'));
        },
      ),
    );
    for (const n of [0, 7, 999, 1000, 12_345, 100_000, 1_000_000, -1234])
      expect(count(n)).toBe(n.toLocaleString('en-US'));
  });

  it('keeps the decimals of a fraction it is given', () => {
    expect(count(1234.5)).toBe('1,234.5');
    expect(count(Number.NaN)).toBe('NaN');
  });
});
