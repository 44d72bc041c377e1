// Issue 9, findings 4, 5, 7 and 8: what a caller's names may reach (never Object.prototype),
// what payload errors may say (never an upstream address, path or HTML page) and what log lines
// may carry (never a stack trace, unless LOG_STACKS=true).
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadCampaignsDocument, UpdateCampaignsDocument } from '@campaigns/graphql';
import {
  graphqlErrors,
  malformedUpdateAnswer,
  notesInputs,
  startStack,
  type Stack,
} from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const PROTO_READ = /* GraphQL */ `
  query Read($ids: [ID!]!) {
    campaigns(ids: $ids, properties: ["hs_name"]) {
      results {
        id
        name: property(name: "hs_name")
        proto: property(name: "__proto__")
        ctor: property(name: "constructor")
        str: property(name: "toString")
        has: property(name: "hasOwnProperty")
      }
    }
  }
`;

/** A port on 127.0.0.1 nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const lines = (s: Stack) => s.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

describe('names a caller gives never reach Object.prototype', () => {
  it('property(name: "__proto__" | "constructor" | "toString") is null, not an internal error', async () => {
    stack = await startStack();
    const id = stack.sim.store.list()[0]!.id;
    const data = await stack.client().request<{
      campaigns: { results: Array<Record<string, string | null>> };
    }>(PROTO_READ, { ids: [id] });
    expect(data.campaigns.results[0]).toEqual({
      id,
      name: stack.sim.store.get(id)!.properties.hs_name,
      proto: null,
      ctor: null,
      str: null,
      has: null,
    });
    expect(stack.logs.join('')).not.toContain('internal error');
  });

  it.each(['__proto__', 'constructor'])(
    'refuses an input property named %s with BAD_USER_INPUT naming it, sending nothing',
    async (name) => {
      stack = await startStack();
      const [a, b] = stack.sim.store.list().map((c) => c.id);
      const inputs = [
        ...notesInputs([a!]),
        {
          id: b!,
          properties: [
            { name: 'hs_notes', value: 'fine' },
            { name, value: 'sneaky' },
          ],
        },
      ];
      const { errors } = await graphqlErrors(
        stack.client().request(UpdateCampaignsDocument, { inputs }),
      );
      expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(errors[0]?.extensions?.problems).toEqual([
        expect.objectContaining({ index: 1, id: b, field: 'properties[1].name' }),
      ]);
      expect(errors[0]?.message).toContain(`inputs[1] (id "${b}") properties[1].name`);
      expect(errors[0]?.message).toContain(name);
      expect(stack.sim.stats().totalRequests).toBe(0);
      expect(stack.sim.store.get(a!)!.properties.hs_notes).not.toBe('note 0');
    },
  );

  it('refuses a read selecting the property "constructor", sending nothing', async () => {
    stack = await startStack();
    const id = stack.sim.store.list()[0]!.id;
    const { errors } = await graphqlErrors(
      stack
        .client()
        .request(ReadCampaignsDocument, { ids: [id], properties: ['hs_name', 'constructor'] }),
    );
    expect(errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors[0]?.extensions?.problems).toEqual([
      expect.objectContaining({ index: 1, field: 'properties[1]' }),
    ]);
    expect(stack.sim.stats().totalRequests).toBe(0);
  });
});

describe('payload errors name no upstream address, path or page', () => {
  it('HubSpot unreachable: a generic message; the detail is in the debug log with the request id', async () => {
    const port = await closedPort();
    stack = await startStack({
      env: { HUBSPOT_BASE_URL: `http://127.0.0.1:${port}`, HUBSPOT_MAX_ATTEMPTS: '1' },
    });
    const id = stack.sim.store.list()[0]!.id;
    const { updateCampaigns } = await stack
      .client({ 'x-request-id': 'leak-unreachable-1' })
      .request(UpdateCampaignsDocument, { inputs: notesInputs([id]) });

    expect(updateCampaigns.numErrors).toBe(1);
    const [error] = updateCampaigns.errors;
    expect(error).toMatchObject({
      category: 'RETRIES_EXHAUSTED',
      subCategory: 'NETWORK',
      message:
        'gave up after 1 attempt; last failure: HubSpot could not be reached (connection refused)',
    });
    const body = stack.responses.join('\n');
    expect(body).not.toMatch(new RegExp(`127\\.0\\.0\\.1|:${port}|ECONNREFUSED|/marketing|/batch`));

    const detail = lines(stack).find(
      (l) => l.reqId === 'leak-unreachable-1' && typeof l.detail === 'string',
    );
    expect(detail).toMatchObject({ level: 'debug', category: 'RETRIES_EXHAUSTED', ids: 1 });
    expect(detail!.detail).toContain(`127.0.0.1:${port}`);
    expect(detail!.detail).toContain('ECONNREFUSED');
  });

  it.each([502, 504])(
    "an edge's %i HTML page: no HTML and no path in the message",
    async (status) => {
      stack = await startStack({ env: { HUBSPOT_MAX_ATTEMPTS: '1' } });
      const id = stack.sim.store.list()[0]!.id;
      stack.sim.script({ status });
      const { updateCampaigns } = await stack
        .client({ 'x-request-id': `leak-html-${status}` })
        .request(UpdateCampaignsDocument, { inputs: notesInputs([id]) });

      const [error] = updateCampaigns.errors;
      expect(error).toMatchObject({
        category: 'RETRIES_EXHAUSTED',
        httpStatus: status,
        message: `gave up after 1 attempt; last failure: HubSpot answered ${status} with a non-JSON body`,
      });
      expect(stack.responses.join('\n')).not.toMatch(/<html|<\/|\/marketing|\/batch|Gateway/);
      const detail = lines(stack).find(
        (l) => l.reqId === `leak-html-${status}` && typeof l.detail === 'string',
      );
      expect(detail!.detail).toContain('<html>');
      expect(detail!.detail).toContain('/marketing/v3/campaigns/batch/update');
    },
  );

  it("keeps HubSpot's own JSON messages", async () => {
    stack = await startStack();
    const [id] = stack.sim.store.list().map((c) => c.id);
    const { updateCampaigns } = await stack.client().request(UpdateCampaignsDocument, {
      inputs: [{ id: id!, properties: [{ name: 'hs_campaign_status', value: 'nope' }] }],
    });
    expect(updateCampaigns.errors[0]?.message).toMatch(/hs_campaign_status/);
  });
});

describe('log lines carry no stack trace unless LOG_STACKS=true', () => {
  async function internalError(env: Record<string, string>) {
    stack = await startStack({
      // Arbitrary documents: production otherwise runs trusted (persisted) ones only.
      env: { NODE_ENV: 'production', ALLOW_ARBITRARY_DOCUMENTS: 'true', ...env },
      deps: { fetch: malformedUpdateAnswer() },
    });
    const id = stack.sim.store.list()[0]!.id;
    const { errors } = await graphqlErrors(
      stack
        .client({ 'x-request-id': 'stack-test-1' })
        .request(UpdateCampaignsDocument, { inputs: notesInputs([id]) }),
    );
    expect(errors[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'stack-test-1' },
    });
    const logged = lines(stack).find(
      (l) =>
        l.reqId === 'stack-test-1' && l.msg === 'internal error while serving a GraphQL request',
    );
    expect(logged?.err).toMatchObject({ type: 'TypeError', message: expect.any(String) });
    return logged!;
  }

  it('in production, an internal error is logged by type and message, without its stack', async () => {
    const logged = await internalError({});
    expect((logged.err as Record<string, unknown>).stack).toBeUndefined();
    expect(stack!.logs.join('')).not.toContain('    at ');
  });

  it('with LOG_STACKS=true the stack is logged', async () => {
    const logged = await internalError({ LOG_STACKS: 'true' });
    expect((logged.err as { stack?: string }).stack).toContain('    at ');
  });
});
