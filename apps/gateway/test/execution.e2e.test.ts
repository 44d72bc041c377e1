// Over HTTP, an operation answers the same once it is compiled (execution.ts): refusals of bad
// variables (HTTP 400, BAD_USER_INPUT, graphql-js' wording) and of bad input, and results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILE_AFTER_RUNS } from '../src/execution.js';
import { notesInputs, startStack, UPDATE, type Stack } from './stack.js';

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

/** Status and body of one UPDATE, without the parts that change with every run (timestamps). */
async function update(inputs: unknown): Promise<{ status: number; body: unknown }> {
  const response = await stack.http('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: UPDATE, variables: { inputs } }),
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
  it('refuses and answers exactly as before it was compiled', async () => {
    const unknownField = [{ id: ids[0], properties: [{ name: 'hs_notes', value: 'x', y: 1 }] }];
    const tooLong = notesInputs([ids[0]!], () => 'x'.repeat(21));
    const valid = notesInputs(ids, () => 'compiled');

    const before = {
      variables: await update(unknownField),
      input: await update(tooLong),
      result: await update(valid),
    };
    expect(before.variables.status).toBe(400);
    expect(JSON.stringify(before.variables.body)).toContain('BAD_USER_INPUT');
    expect(JSON.stringify(before.variables.body)).not.toMatch(/did you mean/i);
    expect(JSON.stringify(before.input.body)).toContain('MAX_PROPERTY_VALUE_LENGTH');

    for (let i = 0; i < COMPILE_AFTER_RUNS; i++) expect((await update(valid)).status).toBe(200);

    expect(await update(unknownField)).toEqual(before.variables);
    expect(await update(tooLong)).toEqual(before.input);
    expect(await update(valid)).toEqual(before.result);
  });
});
