// Thousands of malformed or hostile GraphQL requests against a running production-mode gateway
// (arbitrary documents allowed, an API-key caller). Every answer must be a client error or a
// valid result, never a 5xx or INTERNAL_SERVER_ERROR; no request may cost over 200 ms of CPU;
// and a refused request sends nothing to HubSpot. Requests go one at a time, so the CPU this
// process spends between sending one and reading its answer is that request's (client included).
import { ReadCampaignsDocument, UpdateCampaignsDocument } from '@campaigns/graphql';
import fc from 'fast-check';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyEntry, startStack, type Stack } from './stack.js';

/** The frontends' operations as clients send them: the valid documents the fuzzer starts from. */
const READ = print(ReadCampaignsDocument);
const UPDATE = print(UpdateCampaignsDocument);

const API_KEY = 'fuzz-test-key-0123456789abcdef';
const MAX_CPU_MS = 200;

interface FuzzRequest {
  method: 'POST' | 'GET';
  query?: string;
  variables?: unknown;
  operationName?: unknown;
}

// --- documents ------------------------------------------------------------------------------

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '...',
  '@',
  '$',
  '!',
  '=',
  '|',
  '&',
  ',',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  'Query',
  'Mutation',
  'Campaign',
  'campaigns',
  'updateCampaigns',
  'ids',
  'inputs',
  'properties',
  'results',
  'id',
  'status',
  'numErrors',
  'businessUnits',
  'property',
  'name',
  'errors',
  'details',
  '__typename',
  '__schema',
  '__type',
  'F',
  'A',
  'x',
  '"str"',
  '""',
  '"""block"""',
  '"\\u00e9\\n"',
  '1',
  '-0',
  '1.5e300',
  'true',
  'null',
  'COMPLETE',
  '@include(if: true)',
  '@skip(if: $v)',
  '@deprecated',
  '@nope',
  '#comment\n',
  '$ids',
  '$inputs',
  '[ID!]!',
  'String',
  'Int',
  '\u0000',
  '\ufeff',
  '"',
];

const tokenSoup = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })), { maxLength: 120 })
  .map((parts) => parts.join(' '));

const field = fc.constantFrom(
  '__typename',
  'numErrors',
  'status',
  'results { id }',
  'results { __typename id property(name: "hs_name") }',
  'errors { ids message details { code } }',
  'nope',
);

const deepNesting = fc
  .integer({ min: 1, max: 600 })
  .chain((depth) =>
    fc.constantFrom(
      `{ campaigns(ids: []) ${'{ results '.repeat(depth)}{ id }${' }'.repeat(depth)} }`,
      `${'{ a '.repeat(depth)}${'}'.repeat(depth)}`,
      `{ campaigns(ids: ${'['.repeat(depth)}"1"${']'.repeat(depth)}) { numErrors } }`,
      `{ ${'... on Query { '.repeat(depth)}__typename${' }'.repeat(depth)} }`,
      `query Q($v: ${'['.repeat(depth)}ID${']'.repeat(depth)}) { __typename }`,
    ),
  );

const fragments = fc
  .record({
    count: fc.integer({ min: 1, max: 60 }),
    width: fc.integer({ min: 1, max: 4 }),
    cycle: fc.boolean(),
    leaf: field,
    onList: fc.boolean(),
  })
  .map(({ count, width, cycle, leaf, onList }) => {
    const type = onList ? 'CampaignsPayload' : 'Query';
    const root = onList ? `{ campaigns(ids: []) { ...F${count} } }` : `{ ...F${count} }`;
    const leafSel = onList ? leaf : '__typename';
    let source = `${root}\nfragment F0 on ${type} { ${leafSel}${cycle ? ` ...F${count}` : ''} }\n`;
    for (let i = 1; i <= count; i++)
      source += `fragment F${i} on ${type} { ${`...F${i - 1} `.repeat(width)}}\n`;
    return source;
  });

const aliasFlood = fc
  .record({ count: fc.integer({ min: 1, max: 4000 }), sel: field, root: fc.boolean() })
  .map(({ count, sel, root }) => {
    const parts = Array.from({ length: count }, (_, i) =>
      root ? `a${i}: __typename` : `a${i}: campaigns(ids: []) { ${sel} }`,
    );
    return `{ ${parts.join(' ')} }`;
  });

const repeatedFields = fc
  .record({ count: fc.integer({ min: 1, max: 5000 }), sel: field, root: fc.boolean() })
  .map(({ count, sel, root }) =>
    root
      ? `{ ${'__typename '.repeat(count)}}`
      : `{ campaigns(ids: []) { ${`${sel} `.repeat(count)}} }`,
  );

const directives = fc
  .record({
    count: fc.integer({ min: 1, max: 800 }),
    directive: fc.constantFrom(
      '@include(if: true)',
      '@skip(if: false)',
      '@skip(if: $v)',
      '@nope',
      '@deprecated',
      '@include',
    ),
  })
  .map(
    ({ count, directive }) => `query Q($v: Boolean) { __typename ${`${directive} `.repeat(count)}}`,
  );

const longStrings = fc
  .record({
    length: fc.integer({ min: 1, max: 400_000 }),
    block: fc.boolean(),
    unterminated: fc.boolean(),
  })
  .map(({ length, block, unterminated }) => {
    const text = 'x'.repeat(length);
    const literal = block
      ? `"""${text}${unterminated ? '' : '"""'}`
      : `"${text}${unterminated ? '' : '"'}`;
    return `{ campaigns(ids: [${literal}]) { numErrors } }`;
  });

const subscriptionsAndIntrospection = fc.constantFrom(
  'subscription { campaigns(ids: []) { numErrors } }',
  'subscription S { __typename }',
  '{ __schema { types { name fields { name } } } }',
  '{ __type(name: "Campaign") { name } }',
  'query A { __typename } query A { __typename }',
  'query A { __typename } query B { __typename }',
  '{ campaigns(ids: []) { numErrors } } mutation { updateCampaigns(inputs: []) { status } }',
  'fragment F on Query { __typename }',
  'type Query { a: Int }',
  'query ($v: Int = "x") { __typename }',
  'query { campaigns(ids: [], ids: []) { numErrors } }',
  '{ campaigns { numErrors } }',
  '{ updateCampaigns(inputs: []) { status } }',
  '{ campaigns(ids: []) }',
  '{ campaigns(ids: []) { results } }',
);

/** A valid document with characters cut, doubled or replaced. */
const mangled = fc
  .record({
    doc: fc.constantFrom(READ, UPDATE),
    edits: fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom('cut', 'dup', 'swap'),
        ch: fc.constantFrom(...TOKENS),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ doc, edits }) => {
    let text: string = doc;
    for (const { at, op, ch } of edits) {
      const i = at % Math.max(1, text.length);
      text =
        op === 'cut'
          ? text.slice(0, i) + text.slice(i + 5)
          : op === 'dup'
            ? text.slice(0, i) + text.slice(i, i + 20).repeat(3) + text.slice(i)
            : text.slice(0, i) + ch + text.slice(i + 1);
    }
    return text;
  });

const document = fc.oneof(
  { arbitrary: tokenSoup, weight: 4 },
  { arbitrary: deepNesting, weight: 2 },
  { arbitrary: fragments, weight: 3 },
  { arbitrary: aliasFlood, weight: 2 },
  { arbitrary: repeatedFields, weight: 2 },
  { arbitrary: directives, weight: 1 },
  { arbitrary: longStrings, weight: 1 },
  { arbitrary: subscriptionsAndIntrospection, weight: 2 },
  { arbitrary: mangled, weight: 3 },
);

// --- variables ------------------------------------------------------------------------------

const input = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null), fc.constant('1')),
    idd: fc.string({ maxLength: 5 }),
    properties: fc.oneof(
      fc.array(
        fc.record(
          {
            name: fc.oneof(
              fc.constantFrom('hs_notes', 'hs_name', 'nope', ''),
              fc.string({ maxLength: 30 }),
            ),
            value: fc.oneof(fc.string({ maxLength: 50 }), fc.integer(), fc.constant(null)),
            extra: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 5 },
      ),
      fc.string({ maxLength: 5 }),
    ),
  },
  { requiredKeys: [] },
);

const variables = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    ids: fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null)), {
      maxLength: 30,
    }),
  }),
  fc.record({
    ids: fc
      .integer({ min: 0, max: 3000 })
      .map((n) => Array.from({ length: n }, (_, i) => String(i))),
  }),
  fc.record({ inputs: fc.array(input, { maxLength: 8 }) }),
  fc.record({
    inputs: fc
      .integer({ min: 0, max: 2500 })
      .map((n) => Array.from({ length: n }, () => ({ id: '1', properties: [] }))),
  }),
  fc.record({
    inputs: fc.constant([
      { id: '1', properties: [{ name: 'hs_notes', value: 'x'.repeat(70_000) }] },
    ]),
  }),
  fc.string({ maxLength: 10 }),
);

const request: fc.Arbitrary<FuzzRequest> = fc.record(
  {
    method: fc.constantFrom<'POST' | 'GET'>('POST', 'POST', 'POST', 'GET'),
    query: document,
    variables,
    operationName: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('ReadCampaigns', 'UpdateCampaigns', 'A', 'B', 'Q'),
      fc.integer(),
    ),
  },
  { requiredKeys: ['method', 'query'] },
);

// --- the run --------------------------------------------------------------------------------

interface Outcome {
  status: number;
  body: { data?: unknown; errors?: Array<{ message?: string; extensions?: { code?: string } }> };
  cpuMs: number;
}

async function send(stack: Stack, req: FuzzRequest): Promise<Outcome> {
  const headers: Record<string, string> = { 'x-api-key': API_KEY };
  let url = '/graphql';
  const init: RequestInit = { method: req.method, headers };
  const start = process.cpuUsage();
  if (req.method === 'GET') {
    headers['apollo-require-preflight'] = 'true';
    const search = new URLSearchParams();
    if (req.query !== undefined) search.set('query', req.query);
    if (req.variables !== undefined) search.set('variables', JSON.stringify(req.variables));
    if (typeof req.operationName === 'string') search.set('operationName', req.operationName);
    url += `?${search.toString()}`;
  } else {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify({
      query: req.query,
      variables: req.variables,
      operationName: req.operationName,
    });
  }
  const response = await fetch(`${stack.gateway.origin}${url}`, init);
  const text = await response.text();
  const used = process.cpuUsage(start);
  let body: Outcome['body'];
  try {
    body = JSON.parse(text) as Outcome['body'];
  } catch {
    body = { errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
  return { status: response.status, body, cpuMs: (used.user + used.system) / 1000 };
}

describe('fuzz: hostile and malformed requests (production mode)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: {
        NODE_ENV: 'production',
        AUTH_MODE: 'api-key',
        GATEWAY_API_KEYS: apiKeyEntry('fuzz', API_KEY),
        // Warn and above only: the fuzz run checks that no error-level line appears.
        LOG_LEVEL: 'warn',
      },
    });
    for (let i = 0; i < 5; i++)
      await send(stack, { method: 'POST', query: READ, variables: { ids: [] } });
  });
  afterAll(async () => stack.close());

  it('answers every one with a client error or a valid result, cheaply, sending nothing when refusing', async () => {
    const seen = { requests: 0, byStatus: new Map<number, number>(), slowest: 0 };
    const problems: string[] = [];
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const calls = stack.sim.stats().totalRequests;
        const outcome = await send(stack, req);
        seen.requests++;
        seen.byStatus.set(outcome.status, (seen.byStatus.get(outcome.status) ?? 0) + 1);
        seen.slowest = Math.max(seen.slowest, outcome.cpuMs);
        const codes = (outcome.body.errors ?? []).map((e) => e.extensions?.code);
        const refused = outcome.status >= 400 || outcome.body.data == null;
        const describe = () =>
          `${req.method} ${JSON.stringify(req.query).slice(0, 300)} → ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 300)}`;
        if (outcome.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR'))
          problems.push(`server error: ${describe()}`);
        if (outcome.status >= 400 && codes.length === 0)
          problems.push(`no error code: ${describe()}`);
        if (outcome.cpuMs > MAX_CPU_MS)
          problems.push(`${outcome.cpuMs.toFixed(0)} ms of CPU: ${describe()}`);
        if (refused && stack.sim.stats().totalRequests !== calls)
          problems.push(`refused but HubSpot was called: ${describe()}`);
        return problems.length === 0;
      }),
      {
        seed: 20260309,
        numRuns: 2000,
        // Stay within ~20 s on a loaded machine; at least a thousand requests are still required.
        interruptAfterTimeLimit: 18_000,
        markInterruptAsFailure: false,
        endOnFailure: true,
      },
    );
    expect(problems).toEqual([]);
    expect(seen.requests).toBeGreaterThanOrEqual(1000);
    const errorLines = stack.logs.filter((l) => /"level":"(error|fatal)"/.test(l));
    expect(errorLines).toEqual([]);
    console.info(
      `fuzz: ${seen.requests} requests in ${Date.now() - started} ms, slowest ${seen.slowest.toFixed(1)} ms CPU, statuses ${JSON.stringify(Object.fromEntries(seen.byStatus))}`,
    );
  });
});
