// Compiled execution (execution.ts): the same answers as graphql-js, field errors included; a
// document with graphql-jit's marker in a string literal is never compiled; and the bounds hold.
import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { RateLimitBudget } from '@campaigns/core';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { HeaderMap } from '@apollo/server';
import { execute, GraphQLError, parse, print, type ExecutionResult } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { UpdateCampaignsDocument } from '@campaigns/graphql';
import { createApollo } from '../src/apollo.js';
import { loadConfig } from '../src/config.js';
import type { GatewayContext } from '../src/context.js';
import {
  compilable,
  COMPILE_AFTER_RUNS,
  createOperationExecutor,
  type OperationExecutorOptions,
} from '../src/execution.js';
import { GatewayMetrics } from '../src/metrics.js';
import { createResolvers } from '../src/resolvers.js';
import { compiled } from './jit-spy.js';

vi.mock('graphql-jit', async (original) =>
  (await import('./jit-spy.js')).countingJit(await original()),
);

/** The frontends' mutation as clients send it: a trusted document, the kind the gateway compiles. */
const UPDATE = print(UpdateCampaignsDocument);
/** Campaign.property, which no frontend operation selects, through the same executor. */
const PROPERTIES = `mutation P($inputs: [CampaignUpdateInput!]!) {
  updateCampaigns(inputs: $inputs) {
    results { id name: property(name: "hs_name") notes: property(name: "hs_notes") }
  }
}`;

const typeDefs = readFileSync(new URL('../src/schema.graphql', import.meta.url), 'utf8');
const config = loadConfig({ AUTH_MODE: 'none', HUBSPOT_TOKEN: 'pat-na1-0123456789' });

const campaign = (n: number, updatedAt = '2026-03-01T12:00:00.000Z') => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  properties: { hs_name: `Campaign ${n}`, hs_notes: n === 2 ? '' : `notes ${n}`, hs_budget: '10' },
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt,
  businessUnits: [{ id: 2147483659 + n }],
});

function outcome(results: unknown[]) {
  return {
    status: 'COMPLETE',
    requestedAt: '2026-03-01T12:00:00.000Z',
    startedAt: '2026-03-01T12:00:00.001Z',
    completedAt: '2026-03-01T12:00:00.002Z',
    results,
    errors: [
      {
        ids: ['00000000-0000-4000-8000-000000000009'],
        category: 'OBJECT_NOT_FOUND',
        message: 'not found',
        status: 'error',
        context: { ids: ['x'] },
        errors: [{ message: 'detail', in: 'id', subCategory: { nested: true } }],
        httpStatus: 404,
      },
    ],
    numErrors: 1,
    links: { self: 'https://example.test' },
    stopReason: 'deadline',
    coalesced: [{ id: '00000000-0000-4000-8000-000000000001', indices: [0, 2] }],
  };
}

/** The gateway's schema and resolvers, the engine replaced by a fixed answer (or a throw). */
function schemaAnswering(answer: () => unknown) {
  const resolvers = createResolvers({
    hubspot: createHubSpotClient({ token: 'pat-na1-0123456789', baseUrl: 'http://127.0.0.1:9' }),
    budget: new RateLimitBudget(),
    config,
    metrics: new GatewayMetrics({ defaultMetrics: false }),
    shutdownSignal: new AbortController().signal,
  }) as Record<string, Record<string, unknown>>;
  resolvers.Mutation!.updateCampaigns = async () => answer();
  resolvers.Query!.campaigns = async () => answer();
  return makeExecutableSchema({
    typeDefs,
    resolvers: resolvers as Parameters<typeof makeExecutableSchema>[0]['resolvers'],
  });
}

const context = {
  requestId: 'r-1',
  caller: { subject: 'anonymous', method: 'none', scopes: new Set(['campaigns:write']) },
} as unknown as GatewayContext;

/** Runs a document through a fresh executor `runs` times; the answers and the path of the last. */
async function run(
  schema: ReturnType<typeof schemaAnswering>,
  query: string,
  variables: Record<string, unknown>,
  runs: number,
  options?: OperationExecutorOptions,
) {
  const executor = createOperationExecutor(schema, options);
  const document = parse(query);
  const answers: ExecutionResult[] = [];
  for (let i = 0; i < runs; i++) {
    answers.push(
      await executor.execute({
        document,
        source: query,
        queryHash: 'hash',
        operation: document.definitions[0],
        request: { query, variables },
        context,
      } as unknown as Parameters<typeof executor.execute>[0]),
    );
  }
  return { answers, executor };
}

/** What Apollo would send of a result: JSON, errors through their toJSON. */
const wire = (result: ExecutionResult) => JSON.parse(JSON.stringify(result)) as unknown;

const inputs = [{ id: campaign(1).id, properties: [{ name: 'hs_notes', value: 'x' }] }];

describe('compiled execution', () => {
  it('answers as graphql-js does, every field of the payload', async () => {
    const schema = schemaAnswering(() => outcome([campaign(1), campaign(2), campaign(3)]));
    for (const query of [UPDATE, PROPERTIES]) {
      const reference = await execute({
        schema,
        document: parse(query),
        variableValues: { inputs },
        contextValue: context,
      });
      expect(reference.errors).toBeUndefined();
      const { answers, executor } = await run(schema, query, { inputs }, COMPILE_AFTER_RUNS + 1);
      expect(executor.lastPath).toBe('compiled');
      expect(executor.compiledCount).toBe(1);
      for (const answer of answers) expect(wire(answer)).toEqual(wire(reference));
    }
  });

  it('runs an operation on graphql-js until its COMPILE_AFTER_RUNS-th run', async () => {
    const schema = schemaAnswering(() => outcome([campaign(1)]));
    const before = await run(schema, UPDATE, { inputs }, COMPILE_AFTER_RUNS - 1);
    expect(before.executor.lastPath).toBe('graphql-js');
    expect(before.executor.compiledCount).toBe(0);
    const at = await run(schema, UPDATE, { inputs }, COMPILE_AFTER_RUNS);
    expect(at.executor.lastPath).toBe('compiled');
  });

  it('reports field errors as graphql-js does: message, path, locations, extensions, cause', async () => {
    // An upstream date that is not one (a DateTime serialization error), and a resolver's own error.
    const schema = schemaAnswering(() => outcome([campaign(1, 'yesterday')]));
    const query = `mutation U($inputs: [CampaignUpdateInput!]!) {
      updateCampaigns(inputs: $inputs) { results { id updatedAt } }
    }`;
    const reference = await execute({
      schema,
      document: parse(query),
      variableValues: { inputs },
      contextValue: context,
    });
    const { answers, executor } = await run(schema, query, { inputs }, 2, { compileAfterRuns: 1 });
    expect(executor.lastPath).toBe('compiled');
    expect(reference.errors).toHaveLength(1);
    expect(wire(answers[1]!)).toEqual(wire(reference));

    // A non-null field selected twice (here through a fragment) that upstream left out.
    const twice = `mutation U($inputs: [CampaignUpdateInput!]!) {
      updateCampaigns(inputs: $inputs) { results { id ...F } }
    }
    fragment F on Campaign { id }`;
    const missingId = schemaAnswering(() => outcome([{ ...campaign(1), id: null }]));
    const twiceReference = await execute({
      schema: missingId,
      document: parse(twice),
      variableValues: { inputs },
      contextValue: context,
    });
    expect(twiceReference.errors![0]!.message).toBe(
      'Cannot return null for non-nullable field Campaign.id.',
    );
    const twiceCompiled = await run(missingId, twice, { inputs }, 1, { compileAfterRuns: 1 });
    expect(twiceCompiled.executor.lastPath).toBe('compiled');
    expect(JSON.stringify(twiceCompiled.answers[0])).toBe(JSON.stringify(twiceReference));

    const refusing = schemaAnswering(() => {
      throw new GraphQLError('refused', { extensions: { code: 'BAD_USER_INPUT', problems: [] } });
    });
    const thrown = await run(refusing, query, { inputs }, 1, { compileAfterRuns: 1 });
    const [error] = thrown.answers[0]!.errors!;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error!.extensions).toEqual({ code: 'BAD_USER_INPUT', problems: [] });
    expect(error!.path).toEqual(['updateCampaigns']);
    expect(error!.locations).toEqual([{ line: 2, column: 7 }]);
    expect(error!.originalError).toBeInstanceOf(GraphQLError);
    expect(thrown.answers[0]!.data).toBeNull();

    // An error without extensions still gets an (empty) extensions object, as from graphql-js.
    const failing = schemaAnswering(() => {
      throw new TypeError('bug');
    });
    const bug = await run(failing, query, { inputs }, 1, { compileAfterRuns: 1 });
    expect(bug.answers[0]!.errors![0]!.extensions).toEqual({});
    expect(bug.answers[0]!.errors![0]!.originalError).toBeInstanceOf(TypeError);
  });

  it('leaves refused variables to graphql-js, which words the refusal as before', async () => {
    const schema = schemaAnswering(() => outcome([campaign(1)]));
    const bad = { inputs: [{ id: campaign(1).id, properties: [{ name: 'a', value: 'b', x: 1 }] }] };
    const reference = await execute({
      schema,
      document: parse(UPDATE),
      variableValues: bad,
      contextValue: context,
    });
    expect(reference.errors![0]!.message).toContain('Field "x" is not defined');
    const { answers, executor } = await run(schema, UPDATE, bad, 2, { compileAfterRuns: 1 });
    expect(executor.compiledCount).toBe(1);
    expect(executor.lastPath).toBe('graphql-js');
    expect(answers[1]!.errors).toEqual(reference.errors);
    // graphql-js' error, with its node: Apollo makes it BAD_USER_INPUT (HTTP 400).
    expect(answers[1]!.errors![0]!.nodes?.[0]?.kind).toBe('VariableDefinition');
  });

  it('never compiles a document with graphql-jit marker in a string literal (it would run as code)', async () => {
    const flag = '__gatewayExecutionTestFlag';
    const payload = `__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d0, globalThis.${flag} = 1`;
    const query = `mutation U($inputs: [CampaignUpdateInput!]!) {
      updateCampaigns(inputs: $inputs) { results { id notes: property(name: ${JSON.stringify(payload)}) } }
    }`;
    const schema = schemaAnswering(() => outcome([campaign(1)]));
    const { executor } = await run(schema, query, { inputs }, 3, { compileAfterRuns: 1 });
    expect((globalThis as Record<string, unknown>)[flag]).toBeUndefined();
    expect(executor.lastPath).toBe('graphql-js');
    expect(executor.compiledCount).toBe(0);
    // Escaped in the text, the marker is still found in the literal's value.
    const escaped = '{ campaigns(ids: ["1"]) { results { property(name: "\\u005f_MAGIC_x") } } }';
    expect(compilable(parse(escaped), escaped)).toBe(false);
    expect(compilable(parse(UPDATE), UPDATE)).toBe(true);
  });

  it('compiles only the documents mayCompile allows (the gateway: its trusted documents)', async () => {
    const schema = schemaAnswering(() => outcome([campaign(1)]));
    const refused = await run(schema, UPDATE, { inputs }, 3, {
      compileAfterRuns: 1,
      mayCompile: (source) => source !== UPDATE,
    });
    expect(refused.executor.lastPath).toBe('graphql-js');
    expect(refused.executor.compiledCount).toBe(0);
    const allowed = await run(schema, UPDATE, { inputs }, 3, {
      compileAfterRuns: 1,
      mayCompile: (source) => source === UPDATE,
    });
    expect(allowed.executor.lastPath).toBe('compiled');
  });

  it('does not compile introspection, `__proto__` names, long documents, or more than maxCompiled operations', async () => {
    const schema = schemaAnswering(() => outcome([campaign(1)]));
    for (const text of [
      '{ __schema { queryType { name } } }',
      '{ campaigns(ids: ["1"]) { __proto__: numErrors } }',
      '{ campaigns(ids: ["1"]) { results { __proto__: property(name: "a") } } }',
      'query Q($__proto__: [ID!]!) { campaigns(ids: $__proto__) { numErrors } }',
    ])
      expect(compilable(parse(text), text)).toBe(false);
    const typename = '{ campaigns(ids: ["1"]) { __typename results { __typename id } } }';
    expect(compilable(parse(typename), typename)).toBe(true);
    // graphql-jit would drop the field (an object literal's `__proto__` sets its prototype).
    const proto = 'query P { campaigns(ids: ["1"]) { __proto__: numErrors } }';
    const aliased = await run(schema, proto, {}, 2, { compileAfterRuns: 1 });
    expect(aliased.executor.lastPath).toBe('graphql-js');
    expect(JSON.stringify(aliased.answers[1])).toBe('{"data":{"campaigns":{"__proto__":1}}}');
    expect(compilable(parse(UPDATE), UPDATE, UPDATE.length - 1)).toBe(false);

    const executor = createOperationExecutor(schema, { compileAfterRuns: 1, maxCompiled: 2 });
    for (let i = 0; i < 4; i++) {
      const query = `query Q${i} { campaigns(ids: ["1"]) { numErrors } }`;
      const document = parse(query);
      await executor.execute({
        document,
        source: query,
        queryHash: `hash-${i}`,
        operation: document.definitions[0],
        request: { query },
        context,
      } as unknown as Parameters<typeof executor.execute>[0]);
      expect(executor.lastPath).toBe('compiled');
    }
    expect(executor.compiledCount).toBe(2);
  });

  it('masks an internal error of a compiled operation as before, with the request id', async () => {
    const production = loadConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'none',
      HUBSPOT_TOKEN: 'pat-na1-0123456789',
    });
    const resolvers = createResolvers({
      hubspot: createHubSpotClient({ token: 'pat-na1-0123456789', baseUrl: 'http://127.0.0.1:9' }),
      budget: new RateLimitBudget(),
      config: production,
      metrics: new GatewayMetrics({ defaultMetrics: false }),
      shutdownSignal: new AbortController().signal,
    }) as Record<string, Record<string, unknown>>;
    resolvers.Mutation!.updateCampaigns = async () => {
      throw new TypeError('a bug with details');
    };
    const log = pino({ level: 'silent' });
    const before = { ...compiled };
    const apollo = createApollo({
      typeDefs,
      resolvers: resolvers as Parameters<typeof createApollo>[0]['resolvers'],
      config: production,
      logger: log,
      metrics: new GatewayMetrics({ defaultMetrics: false }),
      currentRequest: () => ({ requestId: 'req-42', log }),
      secrets: () => [],
      // A trusted document: compiled at its first run, as the gateway does.
      trustedSources: new Set([UPDATE]),
    });
    await apollo.start();
    try {
      const answer = async (query: string) => {
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: {
            method: 'POST',
            headers: new HeaderMap([['content-type', 'application/json']]),
            search: '',
            body: { query, variables: { inputs } },
          },
          context: async () => ({ ...context, log }),
        });
        return response.body.kind === 'complete'
          ? (JSON.parse(response.body.string) as unknown)
          : null;
      };
      const expected = {
        data: null,
        errors: [
          {
            message: 'Internal server error',
            path: ['updateCampaigns'],
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' },
          },
        ],
      };
      // Another text of the same operation is not trusted: it runs on graphql-js.
      expect(await answer(`${UPDATE}\n`)).toEqual(expected);
      expect(compiled).toEqual(before);
      // The trusted text runs compiled: the same answer.
      expect(await answer(UPDATE)).toEqual(expected);
      expect(await answer(UPDATE)).toEqual(expected);
      expect(compiled).toEqual({
        compilations: before.compilations + 1,
        runs: before.runs + 2,
      });
    } finally {
      await apollo.stop();
    }
  });
});
