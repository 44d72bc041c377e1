import { describe, expect, it } from 'vitest';
import { searchOf } from '../src/graphql-http.js';

describe('searchOf', () => {
  it('reads a request target’s query string as URL does', () => {
    const targets = [
      '/graphql',
      '/graphql?',
      '/graphql?query=%7B__typename%7D',
      '/graphql?query={ a b }&variables={"x":1}',
      '/graphql#fragment',
      '/graphql#frag?not-a-query',
      '/graphql?a=1#frag',
      '//graphql?x=1',
      '/gr aph ql',
      '',
    ];
    for (const target of targets)
      expect(searchOf(target)).toBe(new URL(target, 'http://gateway').search);
  });
});
