import { parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { JSONScalar } from '../src/scalars.js';

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
