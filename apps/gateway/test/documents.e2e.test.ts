// Trusted documents through a running gateway in production mode, where only the operations of
// the manifest run (ALLOW_ARBITRARY_DOCUMENTS defaults to false there).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRUSTED_DOCUMENTS_FILE, loadManifest } from '../src/documents.js';
import { apiKeyEntry, startStack, type Stack } from './stack.js';

const API_KEY = 'documents-test-key-0123456789abcdef';
const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_MODE: 'api-key',
  GATEWAY_API_KEYS: apiKeyEntry('web', API_KEY),
  // Unset: the production default applies.
  ALLOW_ARBITRARY_DOCUMENTS: undefined,
};
const manifest = loadManifest(DEFAULT_TRUSTED_DOCUMENTS_FILE);
const byName = (name: string) => manifest.find((o) => o.name === name)!;
const READ = byName('ReadCampaigns');
const UPDATE = byName('UpdateCampaigns');

interface Answer {
  status: number;
  body: {
    data?: Record<string, { status: string; results: Array<{ id: string }> }> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

async function call(stack: Stack, body: unknown, init: RequestInit = {}): Promise<Answer> {
  const response = await stack.http('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body: JSON.stringify(body),
    ...init,
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

describe('trusted documents (production defaults)', () => {
  let stack: Stack;
  let ids: string[];
  beforeAll(async () => {
    stack = await startStack({ env: PRODUCTION });
    ids = stack.sim.store
      .list()
      .slice(0, 3)
      .map((c: { id: string }) => c.id);
  });
  afterAll(async () => stack.close());

  it('runs a trusted query named by documentId, by APQ hash (with or without query), or sent as text', async () => {
    const apq = { persistedQuery: { version: 1, sha256Hash: READ.id } };
    for (const request of [
      { documentId: READ.id },
      { documentId: `sha256:${READ.id}` },
      { extensions: apq },
      { extensions: apq, query: READ.body },
      { query: READ.body },
    ]) {
      const answer = await call(stack, { ...request, variables: { ids } });
      expect(answer.status, JSON.stringify(request)).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data!.campaigns!.results.map((r) => r.id)).toEqual(ids);
    }
  });

  it('runs a trusted mutation', async () => {
    const before = stack.sim.stats().byEndpoint['POST /batch/update']?.['200'] ?? 0;
    const answer = await call(stack, {
      documentId: UPDATE.id,
      variables: { inputs: [{ id: ids[0], properties: [{ name: 'hs_notes', value: 'trusted' }] }] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data!.updateCampaigns!.status).toBe('COMPLETE');
    expect(stack.sim.stats().byEndpoint['POST /batch/update']?.['200']).toBe(before + 1);
  });

  it('runs a trusted query over GET, the id in the search string', async () => {
    const search = new URLSearchParams({
      documentId: READ.id,
      variables: JSON.stringify({ ids: ids.slice(0, 1) }),
    });
    const response = await stack.http(`/graphql?${search.toString()}`, {
      headers: { 'x-api-key': API_KEY, 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Answer['body'];
    expect(body.data!.campaigns!.results.map((r) => r.id)).toEqual(ids.slice(0, 1));
  });

  it('refuses a repeated GraphQL parameter over GET instead of passing its query on unchecked', async () => {
    const get = (search: string) =>
      stack.http(`/graphql?${search}`, {
        headers: { 'x-api-key': API_KEY, 'apollo-require-preflight': 'true' },
      });
    const query = `query=${encodeURIComponent('{ __typename }')}`;
    const before = stack.sim.stats().totalRequests;
    const alone = await get(query);
    expect(alone.status).toBe(400);
    expect(((await alone.json()) as Answer['body']).errors![0]!.extensions?.code).toBe(
      'TRUSTED_DOCUMENT_REQUIRED',
    );
    for (const [name, search] of [
      // The bypass: the gate let this through untouched, and Apollo (which ignores documentId) ran the query.
      ['documentId', `${query}&documentId=a&documentId=b`],
      ['documentId', `${query}&documentId=${READ.id}&documentId=${READ.id}`],
      ['query', `${query}&${query}`],
      ['extensions', `${query}&extensions={}&extensions={}`],
      ['variables', `documentId=${READ.id}&variables={}&variables={}`],
      ['operationName', `documentId=${READ.id}&operationName=A&operationName=B`],
    ] as const) {
      const response = await get(search);
      expect(response.status, search).toBe(400);
      expect(await response.json(), search).toEqual({
        errors: [
          {
            message: `the ${name} parameter is given 2 times: each of query, documentId, extensions, variables and operationName may be given once`,
            extensions: { code: 'BAD_REQUEST', parameter: name },
          },
        ],
      });
    }
    expect(stack.sim.stats().totalRequests).toBe(before);
  });

  it('refuses any other document before parsing it, naming ALLOW_ARBITRARY_DOCUMENTS; nothing reaches HubSpot', async () => {
    const before = stack.sim.stats().totalRequests;
    for (const query of [
      // A harmless query, a copy of a trusted one with a space more, and one that does not even parse.
      '{ __typename }',
      `${READ.body} `,
      '{{{ not graphql',
    ]) {
      const answer = await call(stack, { query, variables: { ids } });
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([
        {
          message: expect.stringContaining('ALLOW_ARBITRARY_DOCUMENTS=false'),
          extensions: {
            code: 'TRUSTED_DOCUMENT_REQUIRED',
            setting: 'ALLOW_ARBITRARY_DOCUMENTS',
            value: false,
          },
        },
      ]);
    }
    const unknown = await call(stack, {
      documentId: createHash('sha256').update('mutation X { y }').digest('hex'),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors![0]!.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.body.errors![0]!.message).toContain('TRUSTED_DOCUMENTS_FILE');
    expect(stack.sim.stats().totalRequests).toBe(before);
  });

  it('does not let clients register documents (APQ registration stays off)', async () => {
    const query = '{ __typename }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const register = await call(stack, {
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash } },
    });
    expect(register.status).toBe(400);
    const replay = await call(stack, {
      extensions: { persistedQuery: { version: 1, sha256Hash } },
    });
    expect(replay.status).toBe(400);
    expect(replay.body.errors![0]!.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('ALLOW_ARBITRARY_DOCUMENTS=true in production', () => {
  it('runs arbitrary documents next to the trusted ones', async () => {
    const stack = await startStack({ env: { ...PRODUCTION, ALLOW_ARBITRARY_DOCUMENTS: 'true' } });
    try {
      const arbitrary = await call(stack, { query: '{ __typename }' });
      expect(arbitrary).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      const trusted = await call(stack, { documentId: READ.id, variables: { ids: [] } });
      expect(trusted.status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});

describe('a bad TRUSTED_DOCUMENTS_FILE', () => {
  it('stops the start with a message naming the setting and the file', async () => {
    await expect(
      startStack({ env: { TRUSTED_DOCUMENTS_FILE: '/nonexistent/manifest.json' } }),
    ).rejects.toThrow(
      'TRUSTED_DOCUMENTS_FILE (/nonexistent/manifest.json): cannot read it (ENOENT)',
    );
  });
});
