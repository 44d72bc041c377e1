// Over HTTP, an operation answers the same compiled (execution.ts) as on graphql-js: refusals of
// bad variables (HTTP 400, BAD_USER_INPUT, graphql-js' wording) and of bad input, and results.
// The gateway compiles only its trusted documents, at their first run: the frontends' mutation as
// a client prints it is one, so it runs compiled; the same operation in another text is not in
// the manifest (the stack allows arbitrary documents), so it always runs on graphql-js.
import { UpdateCampaignsDocument } from '@campaigns/graphql';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compiled } from './jit-spy.js';
import { notesInputs, startStack, type Stack } from './stack.js';

vi.mock('graphql-jit', async (original) =>
  (await import('./jit-spy.js')).countingJit(await original()),
);

/** What a client sends: a trusted document, compiled. */
const TRUSTED = print(UpdateCampaignsDocument);
/** The same operation, one newline longer: not a trusted document, never compiled. */
const UNTRUSTED = `${TRUSTED}\n`;

let stack: Stack;
let ids: string[];
beforeAll(async () => {
  stack = await startStack({ env: { NODE_ENV: 'production', MAX_PROPERTY_VALUE_LENGTH: '20' } });
  ids = stack.sim.store
    .list()
    .slice(0, 3)
    .map((c) => c.id);
});
afterAll(() => stack.close());

/** Status and body of one update, without the parts that change with every run (timestamps). */
async function update(query: string, inputs: unknown): Promise<{ status: number; body: unknown }> {
  const response = await stack.http('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: { inputs } }),
  });
  const body = (await response.json()) as { data?: { updateCampaigns?: object } };
  const payload = body.data?.updateCampaigns as Record<string, unknown> | undefined;
  if (payload) {
    delete payload.requestedAt;
    delete payload.startedAt;
    delete payload.completedAt;
    for (const result of payload.results as Array<Record<string, unknown>>) {
      delete result.updatedAt;
      result.properties = (result.properties as Array<{ name: string }>).filter(
        (p) => p.name !== 'hs_lastmodifieddate',
      );
    }
  }
  return { status: response.status, body };
}

describe('a compiled operation over HTTP', () => {
  it('refuses and answers exactly as graphql-js does', async () => {
    const unknownField = [{ id: ids[0], properties: [{ name: 'hs_notes', value: 'x', y: 1 }] }];
    const tooLong = notesInputs([ids[0]!], () => 'x'.repeat(21));
    const valid = notesInputs(ids, () => 'compiled');

    const interpreted = {
      variables: await update(UNTRUSTED, unknownField),
      input: await update(UNTRUSTED, tooLong),
      result: await update(UNTRUSTED, valid),
    };
    expect(compiled).toEqual({ compilations: 0, runs: 0 });
    expect(interpreted.variables.status).toBe(400);
    expect(JSON.stringify(interpreted.variables.body)).toContain('BAD_USER_INPUT');
    expect(JSON.stringify(interpreted.variables.body)).not.toMatch(/did you mean/i);
    expect(JSON.stringify(interpreted.input.body)).toContain('MAX_PROPERTY_VALUE_LENGTH');
    expect(interpreted.result.status).toBe(200);

    expect(await update(TRUSTED, unknownField)).toEqual(interpreted.variables);
    expect(await update(TRUSTED, tooLong)).toEqual(interpreted.input);
    expect(await update(TRUSTED, valid)).toEqual(interpreted.result);
    // Compiled once, at its first run; each of the three requests ran the compiled operation.
    expect(compiled).toEqual({ compilations: 1, runs: 3 });
  });
});
