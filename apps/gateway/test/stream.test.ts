// The progress stream's transport against a small schema of its own: the maximum lifetime, a
// client that goes away (the subscription's source is closed, the slot given back), a source
// that fails (one masked error event), and the GraphQL half (operation.ts) on its own.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { GraphQLError, Kind, parse } from 'graphql';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { errorFormatter } from '../src/apollo.js';
import { createAuthenticator } from '../src/auth.js';
import { loadConfig, type GatewayConfig } from '../src/config.js';
import type { GatewayContext } from '../src/context.js';
import { documentGate } from '../src/documents.js';
import { Drain } from '../src/drain.js';
import { queryLimitsOf } from '../src/limits.js';
import { GatewayMetrics } from '../src/metrics.js';
import { createStreamHandler, type StreamHandler } from '../src/stream/handler.js';
import { formatErrors, prepareSubscription } from '../src/stream/operation.js';
import { allEvents, openStream } from './stream-helpers.js';
import { until } from './stack.js';

const SECRET = 'stream-test-secret-0123456789abcdef';

const typeDefs = /* GraphQL */ `
  type Query {
    ok: Boolean
  }
  type Subscription {
    "1, then nothing until the stream is closed."
    forever: Int!
    "1, then the source fails (its message holds a secret)."
    failing: Int!
    "Like forever, once the test opens slowGate: a subscription still being set up."
    slow: Int!
  }
`;

/** What the sources saw: how many are open, and how many were closed by the stream. */
const sources = { open: 0, returned: 0 };

function foreverSource(): AsyncIterableIterator<{ forever: number }> {
  let sent = false;
  let wake: (() => void) | undefined;
  let closed = false;
  sources.open++;
  const iterator: AsyncIterableIterator<{ forever: number }> = {
    async next() {
      if (!sent) {
        sent = true;
        return { done: false, value: { forever: 1 } };
      }
      if (!closed) await new Promise<void>((resolve) => (wake = resolve));
      return { done: true, value: undefined };
    },
    async return() {
      if (!closed) {
        closed = true;
        sources.open--;
        sources.returned++;
      }
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

async function* failingSource() {
  yield { failing: 1 };
  throw new Error(`the store refused password ${SECRET}`);
}

/** Holds `slow`'s set-up until the test opens it. */
const slowGate = { started: false, open: () => {} };

async function slowSource(): Promise<AsyncIterableIterator<{ forever: number }>> {
  await new Promise<void>((resolve) => {
    slowGate.open = resolve;
    slowGate.started = true;
  });
  return foreverSource();
}

const schema = makeExecutableSchema({
  typeDefs,
  resolvers: {
    Subscription: {
      forever: { subscribe: () => foreverSource() },
      failing: { subscribe: () => failingSource() },
      slow: { subscribe: () => slowSource(), resolve: () => 1 },
    },
  },
});

interface Served {
  origin: string;
  handler: StreamHandler;
  drain: Drain;
  /** Connections the server still holds open. */
  connections(): number;
  close(): Promise<void>;
}

let served: Served | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function serve(
  options: { production?: boolean; maxLifetimeMs?: number } = {},
): Promise<Served> {
  const loaded = loadConfig({ PORT: '0', AUTH_MODE: 'none', HUBSPOT_TOKEN: 'pat-na1-test' });
  const config: GatewayConfig = {
    ...loaded,
    server: { ...loaded.server, production: options.production ?? false },
  };
  const logger = pino({ level: 'silent' });
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  const drain = new Drain({ logger, metrics, graceMs: 1000 });
  const handler = createStreamHandler({
    schema,
    authenticator: createAuthenticator(config.auth),
    documents: documentGate([], true),
    drain,
    metrics,
    config,
    context: (request) => request as unknown as GatewayContext,
    formatError: errorFormatter({
      config,
      logger,
      metrics,
      currentRequest: () => undefined,
      secrets: () => [SECRET],
    }),
    ...(options.maxLifetimeMs !== undefined ? { maxLifetimeMs: options.maxLifetimeMs } : {}),
  });
  const server = http.createServer((req, res) => {
    void handler(req, res, { requestId: 'test', log: logger });
  });
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    socket.once('close', () => connections--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  drain.attach(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    handler,
    drain,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('stream transport', () => {
  it('ends a stream at its maximum lifetime, saying why, without complete (the client reconnects)', async () => {
    served = await serve({ maxLifetimeMs: 300 });
    const stream = await openStream(served.origin, { query: 'subscription { forever }' });
    expect(stream.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
    const events = await allEvents(stream);
    expect(events).toEqual([
      { event: 'next', data: { data: { forever: 1 } } },
      {
        event: 'comment',
        data: 'this stream reached its maximum lifetime (0 s): subscribe again',
      },
    ]);
    await until(() => served!.handler.open === 0 && sources.open === 0, 'the source is closed');
  });

  it('closes the subscription and gives the slot back when the client goes away', async () => {
    served = await serve();
    const returned = sources.returned;
    const client = new AbortController();
    const stream = await openStream(
      served.origin,
      { query: 'subscription { forever }' },
      {},
      { signal: client.signal },
    );
    expect((await stream.events.next()).value).toEqual({ event: 'comment', data: '' });
    expect((await stream.events.next()).value).toEqual({
      event: 'next',
      data: { data: { forever: 1 } },
    });
    expect(served.handler.open).toBe(1);
    client.abort();
    await until(
      () => served!.handler.open === 0 && sources.returned === returned + 1,
      'the stream and its source are closed',
    );
  });

  it('gives the slot back when the client leaves while its subscription is still being set up', async () => {
    served = await serve();
    const returned = sources.returned;
    slowGate.started = false;
    const request = http.request(new URL('/graphql/stream', served.origin), {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    });
    request.on('error', () => {});
    request.end(JSON.stringify({ query: 'subscription { slow }' }));
    await until(() => slowGate.started, 'the subscription is being set up');
    request.destroy();
    await until(() => served!.connections() === 0, 'the server saw the client leave');
    slowGate.open();
    await until(
      () => served!.handler.open === 0 && sources.returned === returned + 1,
      'the stream and its source are closed',
    );
  });

  it('turns a failing source into one last error event, masked in production', async () => {
    for (const production of [false, true]) {
      served = await serve({ production });
      const stream = await openStream(served.origin, { query: 'subscription { failing }' });
      const events = await allEvents(stream);
      expect(events.map((e) => e.event)).toEqual(['next', 'next', 'complete']);
      const error = (events[1]!.data as { errors: Array<{ message: string; extensions: object }> })
        .errors[0]!;
      expect(error.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
      expect(error.message).toBe(
        production ? 'Internal server error' : 'the store refused password [REDACTED]',
      );
      expect(stream.text).not.toContain(SECRET);
      await served.close();
      served = undefined;
    }
  });

  it('ends open streams as soon as draining starts', async () => {
    served = await serve();
    const stream = await openStream(served.origin, { query: 'subscription { forever }' });
    expect((await stream.events.next()).value).toEqual({ event: 'comment', data: '' });
    const drained = served.drain.drain();
    expect(await allEvents(stream)).toEqual([
      { event: 'next', data: { data: { forever: 1 } } },
      { event: 'comment', data: 'the gateway is shutting down: subscribe again' },
    ]);
    await drained;
    expect(served.handler.open).toBe(0);
  });
});

describe('stream operations (operation.ts)', () => {
  const rules = {
    limits: queryLimitsOf({ maxQueryDepth: 3, maxQueryAliases: 1, maxQueryCost: 100 }),
    maxTokens: 100,
    introspection: false,
  };
  const codes = (query: string, operationName?: string) => {
    const prepared = prepareSubscription(schema, query, operationName, rules);
    return prepared.ok ? 'ok' : prepared.errors.map((e) => e.extensions.code);
  };

  it('accepts one subscription, refusing everything else with the POST path codes', () => {
    expect(codes('subscription { forever }')).toBe('ok');
    expect(codes('subscription A { forever } subscription B { failing }', 'B')).toBe('ok');
    expect(codes('subscription A { forever } subscription B { failing }')).toEqual([
      'OPERATION_RESOLUTION_FAILURE',
    ]);
    expect(codes('subscription A { forever }', 'C')).toEqual(['OPERATION_RESOLUTION_FAILURE']);
    expect(codes('{ ok }')).toEqual(['BAD_REQUEST']);
    expect(codes('subscription {')).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codes('subscription { nope }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes('subscription { a: forever b: forever }')).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    // Introspection off (production), as on POST /graphql.
    expect(codes('subscription { forever __type(name: "Query") { name } }')).toContain(
      'GRAPHQL_VALIDATION_FAILED',
    );
    const tokens = prepareSubscription(
      schema,
      `subscription { forever ${'__typename '.repeat(200)} }`,
      undefined,
      rules,
    );
    expect(tokens.ok ? undefined : tokens.errors[0]!.extensions).toMatchObject({
      code: 'GRAPHQL_PARSE_FAILED',
      limit: { setting: 'MAX_QUERY_TOKENS', max: 100 },
    });
  });

  it('formats errors as the POST path does: codes kept or given, http dropped, never throws', () => {
    const identity = (formatted: object) => formatted as never;
    const variable = parse('subscription ($n: Int!) { forever }').definitions[0]!;
    const definition =
      variable.kind === Kind.OPERATION_DEFINITION ? variable.variableDefinitions![0]! : undefined;
    const formatted = formatErrors(
      [
        new GraphQLError('gone', { extensions: { code: 'NOT_FOUND', http: { status: 404 } } }),
        new GraphQLError('Variable "$n" of required type "Int!" was not provided.', {
          nodes: [definition!],
        }),
        new Error('boom'),
        'a string',
      ],
      identity,
    );
    expect(formatted.map((f) => f.extensions)).toEqual([
      { code: 'NOT_FOUND' },
      { code: 'BAD_USER_INPUT' },
      { code: 'INTERNAL_SERVER_ERROR' },
      { code: 'INTERNAL_SERVER_ERROR' },
    ]);
    const throwing = () => {
      throw new Error('formatter bug');
    };
    expect(formatErrors([new GraphQLError('x')], throwing)).toEqual([
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
  });
});
