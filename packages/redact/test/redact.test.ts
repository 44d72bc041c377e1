import { describe, expect, it } from 'vitest';
import { REDACTED, redactString, redactValue } from '../src/index.js';

describe('redactString', () => {
  it('replaces every occurrence of a known secret', () => {
    expect(redactString('a s3cr3t-value b s3cr3t-value', ['s3cr3t-value'])).toBe(
      `a ${REDACTED} b ${REDACTED}`,
    );
  });

  it('leaves secrets shorter than 8 characters alone (they would shred ordinary text)', () => {
    expect(redactString('the short word', ['short'])).toBe('the short word');
  });

  it('hides credential shapes it was not told about', () => {
    expect(redactString('Authorization: Bearer abc.def-ghi', [])).toBe(
      `Authorization: Bearer ${REDACTED}`,
    );
    expect(redactString('token pat-na1-0123abcd-4567 used', [])).toBe(`token ${REDACTED} used`);
  });
});

describe('redactValue', () => {
  it('redacts strings deep in a value, keys too, without changing the original', () => {
    const secret = 'top-secret-1234';
    const value = { [secret]: [`x ${secret}`, 1, null, { nested: secret }] };
    expect(redactValue(value, [secret])).toEqual({
      [REDACTED]: [`x ${REDACTED}`, 1, null, { nested: REDACTED }],
    });
    expect(value[secret]![0]).toBe(`x ${secret}`);
  });

  it('copies a __proto__ key of parsed JSON as a key, never as the prototype', () => {
    const copy = redactValue(
      JSON.parse('{"__proto__":{"polluted":"yes"},"message":"m"}') as Record<string, unknown>,
      [],
    );
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy.polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'message']);
  });

  it('stops at a depth of 32', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(JSON.stringify(redactValue(deep, []))).toContain(REDACTED);
  });
});
