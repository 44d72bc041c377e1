import { describe, expect, it } from 'vitest';
import {
  checkSecretLength,
  MIN_SECRET_LENGTH,
  REDACTED,
  redactString,
  redactValue,
} from '../src/index.js';

describe('redactString', () => {
  it('replaces every occurrence of a known secret', () => {
    expect(redactString('a s3cr3t-value b s3cr3t-value', ['s3cr3t-value'])).toBe(
      `a ${REDACTED} b ${REDACTED}`,
    );
  });

  it('hides a secret whatever its length (a 7-character token too), the longest first', () => {
    expect(redactString('401: bad token 7chars! (7chars)', ['7chars!'])).toBe(
      `401: bad token ${REDACTED} (7chars)`,
    );
    expect(redactString('the short word', ['short'])).toBe(`the ${REDACTED} word`);
    expect(redactString('abc-secret-xyz', ['secret', 'abc-secret-xyz'])).toBe(REDACTED);
    expect(redactString('nothing to hide', [''])).toBe('nothing to hide');
  });

  it('refuses secrets too short to redact, naming what but never the value', () => {
    expect(() => checkSecretLength('abcde', 'the HubSpot token')).toThrow(
      /^the HubSpot token is 5 characters long; at least 6 are required/,
    );
    expect(() => checkSecretLength('abcde', 'the HubSpot token')).not.toThrow(/abcde/);
    expect(() => checkSecretLength('abcdef', 'the HubSpot token')).not.toThrow();
    expect(MIN_SECRET_LENGTH).toBe(6);
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
