// What the official-SDK contenders report as failed: the ids a batch answer names as errors,
// whether HubSpot sends them in a 207 (v3) or folded into a 200 (date versions such as 2026-03).
import { describe, expect, it } from 'vitest';
import { failedIn } from '../src/contenders.js';

const error = (ids: string[]) => ({
  status: 'error',
  category: 'OBJECT_NOT_FOUND',
  message: 'not found',
  context: { ids },
});

describe('failedIn', () => {
  it('counts the ids a 2xx answer names as errors, in a 207 or a 200', async () => {
    const partial = { status: 'COMPLETE', results: [{ id: 'a' }], errors: [error(['b', 'c'])] };
    expect(await failedIn(Response.json(partial, { status: 207 }), 3)).toBe(2);
    expect(await failedIn(Response.json({ ...partial, numErrors: 1 }, { status: 200 }), 3)).toBe(2);
  });

  it('counts none in a complete answer or a 204, and every id in a non-2xx', async () => {
    const complete = { status: 'COMPLETE', results: [{ id: 'a' }, { id: 'b' }] };
    expect(await failedIn(Response.json(complete), 2)).toBe(0);
    expect(await failedIn(new Response(null, { status: 204 }), 2)).toBe(0);
    expect(await failedIn(Response.json(error(['a']), { status: 400 }), 2)).toBe(2);
  });
});
