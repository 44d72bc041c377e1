import { parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  CHECKED_DATE_TIMES_MAX,
  DateTimeScalar,
  isDateTimeString,
  JSONScalar,
} from '../src/scalars.js';

describe('JSON scalar literals', () => {
  it('reads a variable inside a literal from the variables own properties only', () => {
    const literal = parseValue('{ a: $constructor, b: $toString, c: $given }');
    expect(JSONScalar.parseLiteral(literal, { given: 1 })).toEqual({
      a: undefined,
      b: undefined,
      c: 1,
    });
  });
});

describe('DateTime', () => {
  const serialize = (value: unknown) => DateTimeScalar.serialize(value);

  it('keeps its answer for a value it has checked before, valid or not', () => {
    for (let round = 0; round < 3; round++) {
      expect(serialize('2026-03-01T12:00:00.000Z')).toBe('2026-03-01T12:00:00.000Z');
      expect(serialize('2026-03-01T12:00:00+01:00')).toBe('2026-03-01T12:00:00+01:00');
      // The pattern's shape, but no such day or month: refused every time.
      expect(() => serialize('2026-13-01T12:00:00Z')).toThrow(/ISO 8601/);
      expect(() => serialize('2026-02-30T25:00:00Z')).toThrow(/ISO 8601/);
      // Days their month does not have, which Date.parse would roll over into the next one.
      for (const day of ['2026-02-29', '2026-02-30', '2026-04-31', '2026-06-31', '2026-00-10'])
        expect(() => serialize(`${day}T12:00:00Z`), day).toThrow(/ISO 8601/);
      for (const time of ['24:00:00Z', '12:60:00Z', '12:00:60Z', '12:00:00+24:00', '12:00+01:60'])
        expect(() => serialize(`2026-03-01T${time}`), time).toThrow(/ISO 8601/);
      expect(serialize('2028-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00Z');
      expect(serialize('2026-12-31T23:59:59.999-12:00')).toBe('2026-12-31T23:59:59.999-12:00');
      expect(() => serialize('yesterday')).toThrow(/ISO 8601/);
    }
  });

  it('checks every value alike past the remembered ones, long values included', () => {
    const base = Date.UTC(2026, 0, 1);
    const values = Array.from({ length: CHECKED_DATE_TIMES_MAX * 2 + 3 }, (_, i) =>
      new Date(base + i * 1000).toISOString(),
    );
    for (const value of values) expect(isDateTimeString(value)).toBe(true);
    for (const value of values) expect(serialize(value)).toBe(value);
    const long = `2026-03-01T12:00:00.${'1'.repeat(1000)}Z`;
    for (let round = 0; round < 2; round++)
      expect(isDateTimeString(long)).toBe(!Number.isNaN(Date.parse(long)));
    expect(isDateTimeString('2026-13-01T12:00:00Z')).toBe(false);
  });

  it('turns a Date into its ISO string', () => {
    expect(serialize(new Date('2026-03-01T12:00:00Z'))).toBe('2026-03-01T12:00:00.000Z');
    expect(() => serialize(new Date(Number.NaN))).toThrow(/ISO 8601/);
  });
});
