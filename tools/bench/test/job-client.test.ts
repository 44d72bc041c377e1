// The crash-resume benchmark's own checks: each id exactly once in a job's results, and how many
// ids HubSpot saw more than once.
import { describe, expect, it } from 'vitest';
import { appliedHistogram, exactlyOnce } from '../src/job-client.js';

describe('exactlyOnce', () => {
  it('finds nothing wrong with every id once, in input order', () => {
    expect(exactlyOnce(['a', 'b', 'c'], ['a', 'b', 'c'])).toEqual({
      missing: 0,
      repeated: 0,
      foreign: 0,
      inOrder: true,
    });
  });

  it('counts ids missing, listed twice, or not the job’s, and a changed order', () => {
    expect(exactlyOnce(['a', 'b', 'c', 'd'], ['b', 'a', 'a', 'x'])).toEqual({
      missing: 2,
      repeated: 1,
      foreign: 1,
      inOrder: false,
    });
  });
});

describe('appliedHistogram', () => {
  it('sorts ids by how often HubSpot applied them', () => {
    expect(appliedHistogram([1, 1, 2, 0, 3, 2, 1])).toEqual({
      never: 1,
      once: 3,
      twice: 2,
      more: 1,
    });
  });
});
