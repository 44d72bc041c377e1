// End to end: a GraphQL client → the gateway → the engine → the simulator, all over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadCampaignsDocument, UpdateCampaignsDocument } from '@campaigns/graphql';
import { apiRootPath } from '@campaigns/hubspot-client';
import { print } from 'graphql';
import {
  graphqlBody,
  graphqlErrors,
  notesInputs,
  propertyOf,
  API_VERSIONS,
  specFacts,
  startStack,
  unchecked,
  type Stack,
} from './stack.js';

let stack: Stack;
let ids: string[];
beforeAll(async () => {
  stack = await startStack({ env: { MAX_CAMPAIGNS_PER_MUTATION: '130' } });
  ids = stack.sim.store.list().map((c) => c.id);
});
afterAll(() => stack.close());

const update = (inputs: unknown) =>
  stack.client().request(UpdateCampaignsDocument, { inputs: unchecked(inputs) });
const requestsSoFar = () => stack.sim.stats().totalRequests;

// The tests that go through HubSpot's batch endpoints run once per API version in openapi/ (v3's
// 207s, 2026-03's 200s with errors folded in and int32 business units), each on a stack whose
// gateway (HUBSPOT_API_VERSION) and simulator speak that version. The rest run on v3 only.
describe.each(API_VERSIONS)('on HubSpot API %s', (version) => {
  const { partialStatus, businessUnitIdFormat } = specFacts(version);
  let shared: { stack: Stack; ids: string[] };
  beforeAll(async () => {
    shared = { stack, ids };
    stack = await startStack({
      env: { MAX_CAMPAIGNS_PER_MUTATION: '130', HUBSPOT_API_VERSION: version },
    });
    ids = stack.sim.store.list().map((c) => c.id);
  });
  afterAll(async () => {
    await stack.close();
    ({ stack, ids } = shared);
  });

  describe('updateCampaigns', () => {
    it('updates every campaign and returns them as HubSpot now holds them', async () => {
      const targets = ids.slice(0, 3);
      const { updateCampaigns: payload } = await update(
        notesInputs(targets, (i) => `full success ${i}`),
      );

      expect(payload.status).toBe('COMPLETE');
      expect(payload.numErrors).toBe(0);
      expect(payload.errors).toEqual([]);
      expect(payload.results.map((r) => r.id)).toEqual(targets);
      expect(payload.results.map((r) => propertyOf(r, 'hs_notes'))).toEqual([
        'full success 0',
        'full success 1',
        'full success 2',
      ]);
      for (const [i, id] of targets.entries()) {
        expect(stack.sim.store.get(id)?.properties.hs_notes).toBe(`full success ${i}`);
        const props = payload.results[i]!.properties;
        expect(props.map((p) => p.name)).toEqual([...props.map((p) => p.name)].sort());
        expect(props).toContainEqual({ name: 'hs_notes', value: `full success ${i}` });
      }
      expect(Date.parse(payload.startedAt)).toBeLessThanOrEqual(Date.parse(payload.completedAt));
      expect(payload.stopReason).toBeNull();
      // The gateway spoke this version: every call came in on its root (the only one served).
      expect(Object.keys(stack.sim.stats().byApiRoot)).toEqual([apiRootPath(version)]);
    });

    it('reports a partial success (207, or 200 with errors) as payload errors, not GraphQL errors', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      const { updateCampaigns: payload } = await update([
        { id: ids[3]!, properties: [{ name: 'hs_notes', value: 'partial' }] },
        { id: missing, properties: [{ name: 'hs_notes', value: 'partial' }] },
        { id: ids[4]!, properties: [{ name: 'hs_notes', value: 'partial' }] },
      ]);

      expect(payload.status).toBe('COMPLETE');
      expect(payload.results.map((r) => r.id)).toEqual([ids[3], ids[4]]);
      expect(payload.numErrors).toBe(1);
      expect(payload.errors).toHaveLength(1);
      expect(payload.errors[0]).toMatchObject({
        ids: [missing],
        category: 'OBJECT_NOT_FOUND',
        httpStatus: partialStatus,
      });
      expect(payload.errors[0]!.context).toMatchObject({ ids: [missing] });
      // The metric tells the partial answer from a complete one, whichever status it came with.
      const metrics = await (await stack.http('/metrics')).text();
      expect(metrics).toContain(
        `gateway_hubspot_requests_total{operation="update",status="${partialStatus}",partial="true"} 1`,
      );
    });

    it('sends 120 campaigns as 3 chunks of at most 50 and answers in input order', async () => {
      const targets = [...ids.slice(0, 120)].reverse();
      stack.sim.resetStats();
      const { updateCampaigns: payload } = await update(notesInputs(targets, (i) => `bulk ${i}`));

      expect(payload.status).toBe('COMPLETE');
      expect(payload.numErrors).toBe(0);
      expect(payload.results.map((r) => r.id)).toEqual(targets);
      expect(payload.results.map((r) => propertyOf(r, 'hs_notes'))).toEqual(
        targets.map((_, i) => `bulk ${i}`),
      );
      const stats = stack.sim.stats();
      expect(stats.byEndpoint['POST /batch/update']).toEqual({ '200': 3 });
      expect(stats.largestBatch).toBeLessThanOrEqual(50);
      expect(stats.batchInputsReceived).toBe(120);
    });

    it('keeps business-unit ids intact as strings (int64 past 2^31, or int32)', async () => {
      const { updateCampaigns: payload } = await update(
        notesInputs(ids.slice(0, 20), () => 'units'),
      );

      const seen = payload.results.flatMap((r) => r.businessUnits.map((b) => b.id));
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.some((id) => Number(id) > 2 ** 31)).toBe(businessUnitIdFormat !== 'int32');
      for (const result of payload.results) {
        const upstream = stack.sim.store.get(result.id)!.businessUnits.map((b) => String(b.id));
        expect(result.businessUnits.map((b) => b.id)).toEqual(upstream);
      }
    });

    it('isolates a campaign HubSpot refuses with a 400 and updates the others', async () => {
      const { updateCampaigns: payload } = await update([
        { id: ids[5]!, properties: [{ name: 'hs_notes', value: 'isolated ok' }] },
        { id: ids[6]!, properties: [{ name: 'hs_currency_code', value: 'XXX' }] },
        { id: ids[7]!, properties: [{ name: 'hs_notes', value: 'isolated ok' }] },
      ]);

      expect(payload.results.map((r) => r.id)).toEqual([ids[5], ids[7]]);
      expect(payload.errors).toHaveLength(1);
      expect(payload.errors[0]).toMatchObject({
        ids: [ids[6]],
        category: 'VALIDATION_ERROR',
        httpStatus: 400,
      });
      expect(payload.errors[0]!.message).toContain('hs_currency_code');
    });

    it('merges an id given twice into one update, later values winning', async () => {
      const { updateCampaigns: payload } = await update([
        { id: ids[8]!, properties: [{ name: 'hs_notes', value: 'first' }] },
        { id: ids[8]!, properties: [{ name: 'hs_notes', value: 'second' }] },
      ]);
      expect(payload.results.map((r) => propertyOf(r, 'hs_notes'))).toEqual(['second']);
      expect(payload.coalesced).toEqual([{ id: ids[8], indices: [0, 1] }]);
    });

    it('resets a property with an empty value', async () => {
      await update(notesInputs([ids[9]!], () => 'to be cleared'));
      const { updateCampaigns: payload } = await update(notesInputs([ids[9]!], () => ''));
      expect(payload.numErrors).toBe(0);
      expect(stack.sim.store.get(ids[9]!)?.properties.hs_notes ?? '').toBe('');
    });

    it('retries a transient 503 and counts the retry', async () => {
      stack.sim.script({ status: 503 });
      const { updateCampaigns: payload } = await update(
        notesInputs([ids[10]!], () => 'after a 503'),
      );
      expect(payload.numErrors).toBe(0);
      expect(propertyOf(payload.results[0]!, 'hs_notes')).toBe('after a 503');
      const metrics = await (await stack.http('/metrics')).text();
      expect(metrics).toMatch(/gateway_hubspot_retries_total\{operation="update"\} [1-9]/);
      expect(metrics).toMatch(
        /gateway_hubspot_requests_total\{operation="update",status="503",partial="false"\} 1/,
      );
    });
  });

  describe('campaigns query', () => {
    it('reads back what a mutation changed, unknown ids as payload errors', async () => {
      await update(notesInputs(ids.slice(11, 13), (i) => `read back ${i}`));
      const missing = '11111111-1111-4111-8111-111111111111';
      const { campaigns } = await stack.client().request(ReadCampaignsDocument, {
        ids: [ids[12]!, missing, ids[11]!],
        properties: ['hs_name', 'hs_notes'],
      });

      expect(campaigns.results.map((r) => [r.id, propertyOf(r, 'hs_notes')])).toEqual([
        [ids[12], 'read back 1'],
        [ids[11], 'read back 0'],
      ]);
      expect(campaigns.errors).toEqual([
        expect.objectContaining({ ids: [missing], category: 'OBJECT_NOT_FOUND' }),
      ]);
    });
  });
});

describe('bad input', () => {
  it('refuses the whole mutation with BAD_USER_INPUT listing every problem, and sends nothing', async () => {
    const before = requestsSoFar();
    const { errors } = await graphqlErrors(
      update([
        { id: ids[0]!, properties: [{ name: 'hs_notes', value: 'fine' }] },
        { id: ' ', properties: [{ name: 'hs_notes', value: 'x' }] },
        {
          id: ids[1]!,
          properties: [
            { name: 'Bad Name', value: 'x' },
            { name: 'hs_notes', value: 'a' },
            { name: 'hs_notes', value: 'b' },
          ],
        },
        { id: ids[2]!, properties: [] },
      ]),
    );

    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
    const problems = errors[0]!.extensions?.problems as Array<{
      index: number;
      id: string;
      field: string;
      message: string;
    }>;
    expect(problems.map((p) => [p.index, p.id, p.field])).toEqual([
      [1, ' ', 'id'],
      [2, ids[1], 'properties[2].name'],
      [2, ids[1], 'properties[0].name'],
      [3, ids[2], 'properties'],
    ]);
    expect(errors[0]!.extensions?.problemCount).toBe(4);
    expect(errors[0]!.message).toContain('nothing was sent to HubSpot');
    expect(requestsSoFar()).toBe(before);
  });

  it('refuses more campaigns than MAX_CAMPAIGNS_PER_MUTATION', async () => {
    const before = requestsSoFar();
    const { errors } = await graphqlErrors(update(notesInputs(ids.slice(0, 131))));
    expect(errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors[0]!.extensions?.limit).toEqual({
      setting: 'MAX_CAMPAIGNS_PER_MUTATION',
      max: 130,
      actual: 131,
    });
    expect(requestsSoFar()).toBe(before);
  });

  it('refuses input that does not match the schema before any resolver runs', async () => {
    const before = requestsSoFar();
    const { status, errors } = await graphqlErrors(
      update([{ id: ids[0], properties: [{ name: 'hs_notes' }] }]),
    );
    expect(status).toBe(400);
    expect(errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(requestsSoFar()).toBe(before);
  });

  it('refuses a body larger than MAX_BODY_BYTES with 413', async () => {
    const huge = notesInputs(ids.slice(0, 10), () => 'x'.repeat(120_000));
    const response = await stack.http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: graphqlBody(UpdateCampaignsDocument, { inputs: huge }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await stack.http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":',
    });
    expect(response.status).toBe(400);
  });
});

describe('CSRF prevention', () => {
  it('refuses a simple (non-preflighted) POST and sends nothing to HubSpot', async () => {
    const before = requestsSoFar();
    const response = await stack.http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: graphqlBody(UpdateCampaignsDocument, { inputs: notesInputs([ids[0]!], () => 'csrf') }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Cross-Site Request Forgery');
    expect(requestsSoFar()).toBe(before);
    expect(stack.sim.store.get(ids[0]!)?.properties.hs_notes).not.toBe('csrf');
  });

  it('refuses a GET without a preflight header', async () => {
    const response = await stack.http(`/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
  });
});

describe('query limits', () => {
  it('names MAX_QUERY_DEPTH, MAX_QUERY_ALIASES and MAX_QUERY_COST when a document exceeds them', async () => {
    const tight = await startStack({
      env: { MAX_QUERY_DEPTH: '3', MAX_QUERY_ALIASES: '2', MAX_QUERY_COST: '31' },
    });
    try {
      const limitsOf = (errors: Array<{ extensions?: Record<string, unknown> }>) =>
        errors.map((e) => e.extensions?.limit);

      const depth = await graphqlErrors(
        tight.client().request('{ campaigns(ids: []) { errors { details { message } } } }'),
      );
      expect(depth.status).toBe(400);
      expect(depth.errors[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(limitsOf(depth.errors)).toContainEqual({
        setting: 'MAX_QUERY_DEPTH',
        max: 3,
        actual: 4,
      });

      const aliases = await graphqlErrors(
        tight
          .client()
          .request(
            '{ a: campaigns(ids: []) { numErrors } b: campaigns(ids: []) { numErrors } c: campaigns(ids: []) { numErrors } }',
          ),
      );
      expect(limitsOf(aliases.errors)).toEqual([
        { setting: 'MAX_QUERY_ALIASES', max: 2, actual: 3 },
      ]);

      // campaigns 1 + results 1 + 3 fields under a list (×10) = 32
      const cost = await graphqlErrors(
        tight.client().request('{ campaigns(ids: []) { results { id createdAt updatedAt } } }'),
      );
      expect(limitsOf(cost.errors)).toEqual([{ setting: 'MAX_QUERY_COST', max: 31, actual: 32 }]);
      expect(cost.errors[0]!.message).toContain('MAX_QUERY_COST=31');

      // Fragments count where they are spread.
      const viaFragments = await graphqlErrors(
        tight
          .client()
          .request(
            'query { ...A } fragment A on Query { campaigns(ids: []) { errors { ...B } } } fragment B on CampaignBatchError { details { message } }',
          ),
      );
      expect(limitsOf(viaFragments.errors)).toContainEqual({
        setting: 'MAX_QUERY_DEPTH',
        max: 3,
        actual: 4,
      });
      expect(tight.sim.stats().totalRequests).toBe(0);
    } finally {
      await tight.close();
    }
  });
});

describe('operations endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await stack.http('/healthz')).status).toBe(200);
    const ready = await stack.http('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('exposes Prometheus metrics for mutations, HubSpot calls and chunk latency', async () => {
    await update(notesInputs([ids[14]!], () => 'metrics'));
    // One id HubSpot does not know: a 207 among the answers.
    await update(notesInputs([ids[15]!, '00000000-0000-4000-8000-0000000000ff'], () => 'metrics'));
    const response = await stack.http('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/gateway_mutations_total\{outcome="complete"\} [1-9]/);
    expect(text).toMatch(
      /gateway_hubspot_requests_total\{operation="update",status="200",partial="false"\} [1-9]/,
    );
    expect(text).toMatch(
      /gateway_hubspot_requests_total\{operation="update",status="207",partial="true"\} [1-9]/,
    );
    expect(text).toMatch(
      /gateway_hubspot_chunk_duration_seconds_count\{operation="update"\} [1-9]/,
    );
    expect(text).toContain('gateway_hubspot_rate_limited_total');
    expect(text).toMatch(/gateway_graphql_errors_total\{code="BAD_USER_INPUT"\} [1-9]/);
    expect(text).toMatch(/gateway_hubspot_ratelimit_max \d+/);
  });

  it('answers 404 elsewhere and echoes a sane x-request-id', async () => {
    const response = await stack.http('/nope', { headers: { 'x-request-id': 'trace-123' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    const generated = await stack.http('/healthz', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one JSON line per request with its request id', async () => {
    const response = await stack
      .client()
      .rawRequest(print(ReadCampaignsDocument), { ids: [ids[0]] });
    const requestId = response.headers.get('x-request-id');
    const lines = stack.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.reqId === requestId);
    expect(lines.map((l) => l.msg)).toContain('request completed');
    expect(lines.find((l) => l.msg === 'request completed')).toMatchObject({
      status: 200,
      path: '/graphql',
      subject: 'anonymous',
    });
  });
});
