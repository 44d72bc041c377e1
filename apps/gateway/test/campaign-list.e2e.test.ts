// campaignList over HTTP, sent as a frontend sends it: the typed operation of @campaigns/graphql,
// printed, to a gateway that runs only its trusted documents (the production default). Paging to
// the end, the name filter, the sorts, the bounds (refused before anything reaches HubSpot), the
// read scope, and HubSpot's own refusal of a cursor.
import {
  CampaignListDocument,
  documentIdOf,
  type CampaignListQuery,
  type CampaignListQueryVariables,
} from '@campaigns/graphql';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSIONS, apiKeyEntry, graphqlErrors, startStack, type Stack } from './stack.js';

const READER = 'reader-key-0123456789';
const WRITER = 'writer-key-0123456789';
let stack: Stack;

const list = (variables: CampaignListQueryVariables, key = READER) =>
  stack.client({ 'x-api-key': key }).request(CampaignListDocument, variables);
const listCalls = () =>
  Object.values(stack.sim.stats().byEndpoint['GET /'] ?? {}).reduce((a, b) => a + b, 0);
const nameOf = (node: CampaignListQuery['campaignList']['edges'][number]['node']) =>
  node.properties.find((p) => p.name === 'hs_name')?.value ?? '';

/** Every page of a listing, in order. */
async function allPages(variables: CampaignListQueryVariables) {
  const pages: Array<CampaignListQuery['campaignList']> = [];
  let after: string | null = null;
  do {
    const { campaignList } = await list({ ...variables, ...(after ? { after } : {}) });
    pages.push(campaignList);
    after = campaignList.pageInfo.hasNextPage ? campaignList.pageInfo.endCursor : null;
  } while (after !== null);
  return pages;
}

// On each API version in openapi/: the gateway and the simulator both speak it.
describe.each(API_VERSIONS)('on HubSpot API %s', (version) => {
  beforeAll(async () => {
    stack = await startStack({
      sim: { campaigns: 150 },
      env: {
        AUTH_MODE: 'api-key',
        GATEWAY_API_KEYS: [
          apiKeyEntry('reader', READER, 'campaigns:read'),
          apiKeyEntry('writer', WRITER, 'campaigns:write'),
        ].join(','),
        // Trusted documents only, the production default.
        ALLOW_ARBITRARY_DOCUMENTS: 'false',
        HUBSPOT_API_VERSION: version,
      },
    });
  });
  afterAll(() => stack.close());

  describe('campaignList', () => {
    it('is a trusted document, by its text and by its id', async () => {
      // Any other text is refused: this gateway runs only its manifest.
      const other = await graphqlErrors(
        stack
          .client({ 'x-api-key': READER })
          .request('query Mine { campaignList(first: 1) { totalCount } }'),
      );
      expect(other.errors[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
      const response = await stack.http('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': READER },
        body: JSON.stringify({
          documentId: documentIdOf(CampaignListDocument),
          variables: { first: 1 },
        }),
      });
      const body = (await response.json()) as { data?: CampaignListQuery };
      expect(response.status).toBe(200);
      expect(body.data?.campaignList.edges).toHaveLength(1);
      expect(print(CampaignListDocument)).toContain('query CampaignList(');
    });

    it('pages through every campaign once, with HubSpot’s total and the default properties', async () => {
      const pages = await allPages({ first: 40 });
      expect(pages.map((p) => p.edges.length)).toEqual([40, 40, 40, 30]);
      expect(pages.every((p) => p.totalCount === 150)).toBe(true);
      expect(pages.at(-1)!.pageInfo).toEqual({ endCursor: null, hasNextPage: false });
      const ids = pages.flatMap((p) => p.edges.map((e) => e.node.id));
      expect(new Set(ids).size).toBe(150);
      expect(new Set(ids)).toEqual(new Set(stack.sim.store.list().map((c) => c.id)));
      // Every edge of a page carries the page's cursor (HubSpot's cursors mark pages).
      expect(pages[0]!.edges.every((e) => e.cursor === pages[0]!.pageInfo.endCursor)).toBe(true);
      const first = pages[0]!.edges[0]!.node;
      expect(first.properties.map((p) => p.name)).toContain('hs_name');
      expect(nameOf(first)).toBe(stack.sim.store.get(first.id)!.properties.hs_name);
      // Sorted by name by default.
      const names = pages.flatMap((p) => p.edges.map((e) => nameOf(e.node)));
      expect(names).toEqual([...names].sort());
    });

    it('filters by name (contains, any case) and sorts as asked', async () => {
      const expected = stack.sim.store
        .list()
        .filter((c) => (c.properties.hs_name ?? '').toLowerCase().includes('sale'));
      expect(expected.length).toBeGreaterThan(0);
      const pages = await allPages({ name: 'SaLe', sort: 'NAME_DESC', first: 7 });
      const names = pages.flatMap((p) => p.edges.map((e) => nameOf(e.node)));
      expect(pages[0]!.totalCount).toBe(expected.length);
      expect(names).toHaveLength(expected.length);
      expect(names).toEqual([...names].sort().reverse());

      const byCreation = (
        await list({ sort: 'CREATED_AT_DESC', first: 100 })
      ).campaignList.edges.map((e) => e.node.createdAt);
      expect(byCreation).toEqual([...byCreation].sort().reverse());
      // An empty filter is no filter.
      expect((await list({ name: '', first: 1 })).campaignList.totalCount).toBe(150);
    });

    it('refuses a page larger than HubSpot’s, and a malformed cursor, before calling HubSpot', async () => {
      const before = listCalls();
      const tooLarge = await graphqlErrors(list({ first: 101 }));
      expect(tooLarge.errors[0]).toMatchObject({
        message: expect.stringContaining("first must be from 1 to 100 (HubSpot's largest page)"),
        extensions: {
          code: 'BAD_USER_INPUT',
          argument: 'first',
          limit: { argument: 'first', max: 100, actual: 101 },
        },
      });
      for (const variables of [
        { first: 0 },
        { after: 'not a cursor' },
        { after: 'x'.repeat(257) },
        { after: '' },
        { name: 'x'.repeat(256) },
        { name: 'new\nline' },
      ]) {
        const { errors } = await graphqlErrors(list(variables));
        expect(errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      }
      expect(listCalls()).toBe(before);
    });

    it('passes a cursor HubSpot does not know to it, and answers its refusal as BAD_USER_INPUT', async () => {
      const { errors } = await graphqlErrors(list({ after: 'forged-cursor' }));
      expect(errors[0]).toMatchObject({
        message: expect.stringContaining('HubSpot refused the query'),
        extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
      });
    });

    it('passes a percent-encoded cursor (HubSpot documents them: base64, %3D for "=") on to HubSpot', async () => {
      const before = listCalls();
      // The simulator's cursors are digits, so it refuses this one: what matters is that the
      // gateway accepted the shape and asked HubSpot.
      for (const after of ['NTI1Cg%3D%3D', 'MTAw=', 'a-b_c.d~e+f/g']) {
        const { errors } = await graphqlErrors(list({ after }));
        expect(errors[0]).toMatchObject({
          message: expect.stringContaining('HubSpot refused the query'),
          extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
        });
      }
      expect(listCalls()).toBe(before + 3);
      for (const after of ['a b', 'a&b=c', 'a#b', 'x'.repeat(257)]) {
        const { errors } = await graphqlErrors(list({ after }));
        expect(errors[0]?.message).toContain("after must be a page's endCursor");
      }
      expect(listCalls()).toBe(before + 3);
    });

    it("blames `after` for HubSpot's 400 only when one was sent", async () => {
      stack.sim.script({ status: 400 });
      const { errors } = await graphqlErrors(list({ first: 5 }));
      expect(errors[0]).toMatchObject({
        message: expect.stringContaining('HubSpot refused the query'),
        extensions: { code: 'BAD_USER_INPUT', source: 'HUBSPOT' },
      });
      expect(errors[0]?.extensions).not.toHaveProperty('argument');
    });

    it('needs the read scope', async () => {
      const { errors } = await graphqlErrors(list({ first: 1 }, WRITER));
      expect(errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    });
  });
});
