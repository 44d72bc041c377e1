import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPropertyViolations, isCalendarDate } from '../src/properties.js';

describe('isCalendarDate', () => {
  it('accepts exactly the YYYY-MM-DD strings that name a real day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const date = new Date(0);
          date.setUTCFullYear(y, m - 1, d);
          const real =
            m >= 1 &&
            m <= 12 &&
            date.getUTCFullYear() === y &&
            date.getUTCMonth() === m - 1 &&
            date.getUTCDate() === d;
          expect(isCalendarDate(text)).toBe(real);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses other shapes of a date', () => {
    for (const text of [
      '2026-3-01',
      '2026-03-01T00:00:00Z',
      '20260301',
      ' 2026-03-01',
      '2026/03/01',
    ]) {
      expect(isCalendarDate(text)).toBe(false);
    }
  });
});

describe('findPropertyViolations', () => {
  it('treats "" as a reset for any writable property', () => {
    expect(
      findPropertyViolations(
        { hs_start_date: '', hs_campaign_status: '', hs_color_hex: '' },
        'update',
      ),
    ).toEqual([]);
  });

  it('requires a name to create a campaign, and "" is no name', () => {
    expect(findPropertyViolations({ hs_name: '' }, 'create')).toEqual([
      expect.objectContaining({ propertyName: 'hs_name', code: 'REQUIRED' }),
    ]);
    expect(findPropertyViolations({ hs_name: 'Launch' }, 'create')).toEqual([]);
  });
});
