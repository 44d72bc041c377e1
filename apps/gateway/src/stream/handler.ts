// The live progress stream: GraphQL subscriptions as Server-Sent Events (the GraphQL over SSE
// protocol of graphql-sse, its "distinct connections" mode: one POST per subscription, answered
// with a `text/event-stream` of `next` events and a last `complete`).
//
// A stream is a GraphQL request held open, so it meets every rule of POST /graphql, in the same
// order, with the same parts: refused while draining; the caller authenticated from its headers
// (auth.ts); a stream slot of the caller's, then of the process's once the body (bounded) is in
// (admission.ts' model, on a pool of its own, see below); the trusted documents gate
// (documents.ts); parsing and validation with the gateway's rules and limits (limits.ts); the
// resolvers' context from the gateway's one factory; every error through the gateway's formatter.
//
// Transport problems (method, Accept, Content-Type, the body, credentials, caps, draining) are
// answered with the POST path's HTTP statuses and JSON bodies. Once the request is a JSON object,
// what is wrong with its GraphQL (an untrusted document, parsing, validation and limits, a query
// or mutation, variables, the resolver's NOT_FOUND) arrives in the stream, as graphql-sse's
// protocol has it: 200, one `next` event carrying `errors` (the POST path's codes), `complete`.
//
// Lifetime: graphql-sse writes a comment every 12 s (a heartbeat: a dead peer's socket errors and
// closes, and proxies see traffic); a stream ends after `maxLifetimeMs`, and at once when the
// gateway starts draining. Those two end with an SSE comment saying why and without `complete`,
// so graphql-sse's client reconnects (retryAttempts) and gets the job's state again first thing.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, subscribe, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { createHandler, type OperationArgs } from 'graphql-sse';
import { Admission, isRefusal, type Refusal, type Ticket } from '../admission.js';
import type { Authenticator, Caller } from '../auth.js';
import type { GatewayConfig } from '../config.js';
import type { ContextFactory, RequestScope } from '../context.js';
import type { DocumentGate } from '../documents.js';
import type { Drain } from '../drain.js';
import {
  callerOf,
  refusalSender,
  SHUTTING_DOWN,
  singleHeader,
  tooManyRequests,
  type HttpRefusal,
} from '../graphql-http.js';
import { ANSWERED, readBody } from '../http.js';
import { queryLimitsOf } from '../limits.js';
import type { GatewayMetrics } from '../metrics.js';
import { coded, formatErrors, prepareSubscription, type ErrorFormatter } from './operation.js';

/** Where the stream is served (router.ts). */
export const STREAM_PATH = '/graphql/stream';

/** A stream ends after this long (the client reconnects): no connection is held forever. */
export const STREAM_MAX_LIFETIME_MS = 30 * 60_000;

export interface StreamOptions {
  /** The gateway's executable schema (apollo.ts' executableSchema), with its Subscription type. */
  schema: GraphQLSchema;
  authenticator: Authenticator;
  documents: DocumentGate;
  drain: Drain;
  metrics: GatewayMetrics;
  config: Pick<GatewayConfig, 'admission' | 'http' | 'limits' | 'server'>;
  /** The resolvers' context: the factory POST /graphql uses. */
  context: ContextFactory;
  /** The gateway's error formatter (apollo.ts' errorFormatter). */
  formatError: ErrorFormatter;
  /** Default STREAM_MAX_LIFETIME_MS (tests shorten it). */
  maxLifetimeMs?: number;
}

/** Serves one request to STREAM_PATH. */
export interface StreamHandler {
  (req: IncomingMessage, res: ServerResponse, scope: RequestScope): Promise<void>;
  /** Streams open now. */
  readonly open: number;
}

/** Why a stream ended. */
type EndReason = 'complete' | 'gone' | 'lifetime' | 'draining' | 'failed';

/** What the gateway decided about a request, handed to graphql-sse's onSubscribe. */
type Decision =
  | OperationArgs<Record<PropertyKey, unknown>>
  | { data: undefined; errors: readonly GraphQLError[] };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function createStreamHandler(options: StreamOptions): StreamHandler {
  const { schema, authenticator, documents, drain, metrics, config, formatError } = options;
  const { send, beforeBody: refuseBeforeBody } = refusalSender(
    metrics,
    config.http.maxDiscardBytes,
  );
  const maxLifetimeMs = options.maxLifetimeMs ?? STREAM_MAX_LIFETIME_MS;
  // The caps are MAX_INFLIGHT_PER_CALLER and MAX_INFLIGHT_OPERATIONS, counted on a pool of their
  // own: a stream waits on a job rather than working, and must not take the slots of the
  // caller's mutations (nor they its).
  const admission = new Admission(config.admission, {
    onRefuse: (reason) => metrics.admissionRefusals.inc({ reason }),
  });
  const rules = {
    limits: queryLimitsOf(config.limits),
    maxTokens: config.limits.maxQueryTokens,
    introspection: !config.server.production,
  };
  let open = 0;

  const sse = createHandler<IncomingMessage, Decision, Record<PropertyKey, unknown>>({
    // Distinct connections only (no "single connection mode" tokens): one POST, one stream.
    authenticate: () => null,
    // The gateway has decided before graphql-sse is called: the operation, or its errors.
    onSubscribe: (req) => req.context,
    // Validated already, with the gateway's rules (prepareSubscription); only subscriptions pass.
    validate: () => [],
    subscribe: (args) => subscribe(args),
    execute: () => {
      throw new Error('the progress stream runs subscriptions only');
    },
    onOperation: (_ctx, _req, _args, result) => (isAsyncIterable(result) ? guard(result) : result),
    onNext: (_ctx, _req, result) =>
      result.errors
        ? // graphql-sse sends the errors as JSON: formatted ones, as Apollo sends them.
          ({
            ...result,
            errors: formatErrors(result.errors, formatError),
          } as unknown as typeof result)
        : result,
  });

  async function serveStream(
    req: IncomingMessage,
    res: ServerResponse,
    store: RequestScope,
  ): Promise<void> {
    if (drain.draining) {
      return refuseBeforeBody(req, res, {
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: SHUTTING_DOWN,
        headers: [
          ['connection', 'close'],
          ['retry-after', '5'],
        ],
      });
    }
    const leave = drain.enter();
    let ticket: Ticket | undefined;
    try {
      const shape = transportRefusal(req);
      if (shape) return await refuseBeforeBody(req, res, shape);
      const who = await callerOf(authenticator, req, store);
      if ('refusal' in who) return await refuseBeforeBody(req, res, who.refusal);
      const { caller } = who;
      const slot = admission.admit(caller.subject);
      if (isRefusal(slot)) {
        caller.release?.();
        return await refuseBeforeBody(req, res, tooManyRequests(streamRefusal(slot), store));
      }
      ticket = slot;
      const body = await readBody(req, res, {
        maxBytes: config.limits.maxBodyBytes,
        maxDiscardBytes: config.http.maxDiscardBytes,
      });
      if (body === ANSWERED) return;
      const refused = ticket.enterProcess();
      if (refused) {
        caller.release?.();
        return send(res, tooManyRequests(streamRefusal(refused), store));
      }
      if (!isRecord(body))
        return send(res, badRequest('the body must be one JSON object: { query, variables }'));
      const decided = decide(body, caller, store);
      if ('status' in decided) return send(res, decided);
      await pipe(req, res, store, decided);
    } finally {
      ticket?.release();
      leave();
    }
  }

  /** The operation to subscribe with, its GraphQL errors, or a transport refusal. */
  function decide(
    body: Record<string, unknown>,
    caller: Caller,
    store: RequestScope,
  ): Decision | HttpRefusal {
    const admitted = documents.admit({ method: 'POST', body, search: '' });
    if (!admitted.ok)
      return {
        data: undefined,
        errors: [coded(admitted.message, admitted.code, admitted.extensions)],
      };
    const { query, variables, operationName } = admitted.body as Record<string, unknown>;
    if (typeof query !== 'string' || query === '')
      return badRequest(
        'send the subscription as `query` (its text) or `documentId` (a trusted document)',
      );
    if (variables !== undefined && variables !== null && !isRecord(variables))
      return badRequest('variables must be a JSON object');
    if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
      return badRequest('operationName must be a string');
    const prepared = prepareSubscription(schema, query, operationName ?? undefined, rules);
    if (!prepared.ok) return { data: undefined, errors: prepared.errors };
    const context = options.context({ requestId: store.requestId, caller, log: store.log });
    return {
      schema,
      document: prepared.document,
      variableValues: variables ?? undefined,
      operationName: operationName ?? undefined,
      contextValue: context as unknown as Record<PropertyKey, unknown>,
    };
  }

  /** Runs graphql-sse on the decision and writes its event stream until it ends or must end. */
  async function pipe(
    req: IncomingMessage,
    res: ServerResponse,
    store: RequestScope,
    decision: Decision,
  ): Promise<void> {
    const [body, init] = await sse({
      method: 'POST',
      url: req.url ?? STREAM_PATH,
      // graphql-sse streams only for exactly this Accept (transportRefusal checked it is accepted).
      headers: {
        get: (key) =>
          key === 'accept' ? 'text/event-stream' : singleHeader(req.headers[key.toLowerCase()]),
      },
      // graphql-sse reads its parameters again; onSubscribe answers from the decision.
      body: { query: 'document' in decision ? 'subscription' : '' },
      raw: req,
      context: decision,
    });
    if (body === null || typeof body === 'string') {
      res.writeHead(init.status, init.headers);
      res.end(body ?? undefined);
      return;
    }
    const stop = new AbortController();
    const end = (reason: EndReason) => () => stop.abort(reason);
    const onGone = end('gone');
    const onDraining = end('draining');
    res.once('close', onGone);
    drain.drainingSignal.addEventListener('abort', onDraining, { once: true });
    const lifetime = setTimeout(end('lifetime'), maxLifetimeMs);
    const stopped = new Promise<'stopped'>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve('stopped'), { once: true }),
    );
    if (drain.draining) stop.abort('draining');
    // The client may have left while the subscription was being set up, before 'close' was
    // listened for: without this the stream would wait for 'drain' until its lifetime ends.
    if (res.destroyed || req.socket.destroyed) stop.abort('gone');
    open++;
    const started = Date.now();
    let events = 0;
    let reason: EndReason = 'complete';
    // Proxies (nginx) must not buffer an event stream.
    res.writeHead(200, { ...init.headers, 'x-accel-buffering': 'no' });
    try {
      for (;;) {
        const next = await Promise.race([body.next(), stopped]);
        if (next === 'stopped' || next.done) break;
        if (next.value.startsWith('event:')) events++;
        if (!res.write(next.value)) await once(res, 'drain', { signal: stop.signal });
      }
    } catch (error) {
      if (!stop.signal.aborted) {
        reason = 'failed';
        store.log.error({ err: error }, 'progress stream failed');
      }
    } finally {
      if (stop.signal.aborted) reason = stop.signal.reason as EndReason;
      clearTimeout(lifetime);
      res.off('close', onGone);
      drain.drainingSignal.removeEventListener('abort', onDraining);
      open--;
      // Ends graphql-sse's stream and the subscription under it (the job's progress iterator).
      void body.return(undefined);
      if (!res.destroyed) res.end(farewell(reason, maxLifetimeMs));
      store.log.info(
        { stream: { reason, events, durationMs: Date.now() - started } },
        `progress stream ended (${reason})`,
      );
    }
  }

  return Object.defineProperty(serveStream, 'open', { get: () => open }) as StreamHandler;
}

/** What the stream's HTTP shape requires: POST, Accept: text/event-stream, a JSON body. */
function transportRefusal(req: IncomingMessage): HttpRefusal | undefined {
  if (req.method !== 'POST') {
    return {
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      message: `${STREAM_PATH} takes POST: a GraphQL subscription as JSON, with Accept: text/event-stream`,
      headers: [['allow', 'POST']],
    };
  }
  const accept = singleHeader(req.headers.accept) ?? '';
  if (!/(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept)) {
    return {
      status: 406,
      code: 'NOT_ACCEPTABLE',
      message: `${STREAM_PATH} answers with Server-Sent Events: send Accept: text/event-stream`,
    };
  }
  const type = (singleHeader(req.headers['content-type']) ?? '').split(';')[0]!.trim();
  if (type.toLowerCase() !== 'application/json') {
    return {
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `${STREAM_PATH} takes a JSON body: send Content-Type: application/json`,
    };
  }
  return undefined;
}

function badRequest(message: string): HttpRefusal {
  return { status: 400, code: 'BAD_REQUEST', message };
}

/** Admission's refusal, worded for streams (the settings are the same, the pool is not). */
function streamRefusal(refusal: Refusal): Refusal {
  const what =
    refusal.reason === 'caller'
      ? `you already have ${refusal.max} progress streams open on this gateway (MAX_INFLIGHT_PER_CALLER=${refusal.max}, counted apart from operations); close one`
      : `the gateway holds its maximum of ${refusal.max} progress streams (MAX_INFLIGHT_OPERATIONS=${refusal.max}, counted apart from operations)`;
  return {
    ...refusal,
    message: `too many progress streams: ${what}; retry after ${refusal.retryAfterSeconds} s`,
  };
}

/** The last bytes of a stream: an SSE comment when the client should reconnect. */
function farewell(reason: EndReason, maxLifetimeMs: number): string | undefined {
  if (reason === 'draining') return ': the gateway is shutting down: subscribe again\n\n';
  if (reason === 'lifetime')
    return `: this stream reached its maximum lifetime (${Math.round(maxLifetimeMs / 1000)} s): subscribe again\n\n`;
  return undefined;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof Object(value)[Symbol.asyncIterator] === 'function';
}

/**
 * The subscription's events, with a failure of the source (the job store unreachable) turned into
 * a last event carrying the error (formatted like any other: masked in production) instead of a
 * stream cut short. `return` reaches the source at once (the job's progress iterator unsubscribes).
 */
function guard(source: AsyncIterable<ExecutionResult>): AsyncGenerator<ExecutionResult> {
  const inner = source[Symbol.asyncIterator]();
  let finished = false;
  const done = { done: true as const, value: undefined };
  const guarded: AsyncGenerator<ExecutionResult> = {
    async next() {
      if (finished) return done;
      try {
        const result = await inner.next();
        if (result.done) finished = true;
        return result;
      } catch (error) {
        finished = true;
        return { done: false, value: { errors: [toGraphQLError(error)] } };
      }
    },
    async return() {
      finished = true;
      await inner.return?.();
      return done;
    },
    async throw(error: unknown) {
      finished = true;
      await inner.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return guarded;
    },
  };
  return guarded;
}

function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError(error instanceof Error ? error.message : String(error), {
    ...(error instanceof Error ? { originalError: error } : {}),
  });
}
