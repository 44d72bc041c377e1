// GraphQL over HTTP, in the order that keeps a stranger cheap: refuse while draining, authenticate
// the caller from its headers alone, admit it (per caller, then per process once its body is in),
// read the body (bounded), let only trusted documents through, and hand the request to Apollo.
// Every refusal before the body reads and drops the body first (bounded), so the client sees it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { Admission, isRefusal, refusalExtensions, type Refusal, type Ticket } from './admission.js';
import type { Authenticator, Caller } from './auth.js';
import type { GatewayConfig } from './config.js';
import type { ContextFactory, GatewayContext, RequestScope } from './context.js';
import type { DocumentGate } from './documents.js';
import type { Drain } from './drain.js';
import {
  ANSWERED,
  declaredLength,
  discardBody,
  errorBody,
  readBody,
  sendJson,
  writeResponse,
} from './http.js';
import type { GatewayMetrics } from './metrics.js';

export interface GraphQLHttpOptions {
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  documents: DocumentGate;
  drain: Drain;
  metrics: GatewayMetrics;
  config: Pick<GatewayConfig, 'admission' | 'http' | 'limits' | 'auth'>;
  /** The resolvers' context for an authenticated request (shared with every transport). */
  context: ContextFactory;
}

/** An answer the gateway gives itself, without Apollo. */
export interface HttpRefusal {
  status: number;
  code: string;
  message: string;
  extensions?: Record<string, unknown>;
  headers?: Array<[string, string]>;
}

/** The 503's message while the gateway drains (here and on the progress stream). */
export const SHUTTING_DOWN =
  'the gateway is shutting down: retry shortly (another instance will answer)';

/** Serves one request to the GraphQL path. */
export type GraphQLHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  scope: RequestScope,
) => Promise<void>;

export function createGraphQLHandler(options: GraphQLHttpOptions): GraphQLHandler {
  const { apollo, authenticator, documents, drain, metrics, config, context } = options;
  const { send: sendRefusal, beforeBody: refuseBeforeBody } = refusalSender(
    metrics,
    config.http.maxDiscardBytes,
  );
  const admission = new Admission(config.admission, {
    onRefuse: (reason) => metrics.admissionRefusals.inc({ reason }),
  });
  /** Bodies over MAX_BODY_BYTES (jobs' inputs) being read or served now, process-wide. */
  let largeBodies = 0;

  return async function serveGraphQL(req, res, store) {
    if (drain.draining) {
      await discardBody(req, config.http.maxDiscardBytes);
      if (res.destroyed) return;
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '5');
      return sendJson(res, 503, errorBody(SHUTTING_DOWN, 'SERVICE_UNAVAILABLE'));
    }
    const leave = drain.enter();
    let ticket: Ticket | undefined;
    let releaseLarge: (() => void) | undefined;
    try {
      // Who is calling, from the headers alone: a stranger's body is never read, only dropped.
      const who = await callerOf(authenticator, req, store);
      if ('refusal' in who) return await refuseBeforeBody(req, res, who.refusal);
      const { caller } = who;
      // Admission, caller first (MAX_INFLIGHT_PER_CALLER), then the process once the body is in
      // (MAX_INFLIGHT_OPERATIONS): slow bodies hold their caller's slots, never the process's.
      const slot = admission.admit(caller.subject);
      if (isRefusal(slot)) {
        caller.release?.();
        return await refuseBeforeBody(req, res, tooManyRequests(slot, store));
      }
      ticket = slot;
      // A body over MAX_BODY_BYTES (a job's inputs) is read only for an authenticated caller
      // that may start jobs (AUTH_MODE=none authenticates nobody), when it declares its length,
      // and for at most MAX_JOB_BODIES_INFLIGHT such bodies at once in this process: what they
      // hold in memory stays bounded.
      const declared = declaredLength(req);
      const large =
        declared !== undefined &&
        declared > config.limits.maxBodyBytes &&
        caller.method !== 'none' &&
        caller.scopes.has(config.auth.writeScope);
      if (large) {
        if (largeBodies >= config.limits.maxJobBodiesInflight) {
          caller.release?.();
          return await refuseBeforeBody(req, res, largeBodiesBusy(store));
        }
        largeBodies++;
        releaseLarge = () => largeBodies--;
      }
      const body = await readBody(
        req,
        res,
        large
          ? {
              maxBytes: config.limits.maxJobBodyBytes,
              maxDiscardBytes: config.http.maxDiscardBytes,
              setting: 'MAX_JOB_BODY_BYTES',
            }
          : { maxBytes: config.limits.maxBodyBytes, maxDiscardBytes: config.http.maxDiscardBytes },
      );
      if (body === ANSWERED) return;
      const refused = ticket.enterProcess();
      if (refused) {
        caller.release?.();
        return sendRefusal(res, tooManyRequests(refused, store));
      }
      // Trusted documents: an id becomes its document; an unknown document is refused here
      // (ALLOW_ARBITRARY_DOCUMENTS=false), before Apollo parses anything.
      const method = (req.method ?? 'GET').toUpperCase();
      const admitted = documents.admit({
        method,
        body,
        search: searchOf(req.url ?? '/'),
      });
      if (!admitted.ok) {
        metrics.graphqlErrors.inc({ code: admitted.code });
        return sendJson(
          res,
          admitted.status,
          errorBody(admitted.message, admitted.code, admitted.extensions),
        );
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, singleHeader(value)!);
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: admitted.search, body: admitted.body },
        context: async () => context({ requestId: store.requestId, caller, log: store.log }),
      });
      await writeResponse(res, response, drain.draining);
    } finally {
      releaseLarge?.();
      ticket?.release();
      leave();
    }
  };

  /** 503: every slot for a large body is taken (MAX_JOB_BODIES_INFLIGHT). */
  function largeBodiesBusy(store: RequestScope): HttpRefusal {
    const max = config.limits.maxJobBodiesInflight;
    const message = `${max} request bodies larger than MAX_BODY_BYTES are being served already (MAX_JOB_BODIES_INFLIGHT=${max}); retry shortly`;
    store.log.warn({ limit: { setting: 'MAX_JOB_BODIES_INFLIGHT', max } }, message);
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message,
      extensions: { limit: { setting: 'MAX_JOB_BODIES_INFLIGHT', max }, retryAfterSeconds: 5 },
      headers: [['retry-after', '5']],
    };
  }
}

/**
 * How both GraphQL endpoints (POST /graphql and the event stream) send a refusal: counted by its
 * code, its headers set, a GraphQL-shaped JSON body. `beforeBody`: sent before the request's
 * body was read, which is read and dropped first (bounded by `maxDiscardBytes`).
 */
export function refusalSender(metrics: GatewayMetrics, maxDiscardBytes: number) {
  function send(res: ServerResponse, refusal: HttpRefusal): void {
    metrics.graphqlErrors.inc({ code: refusal.code });
    for (const [name, value] of refusal.headers ?? []) res.setHeader(name, value);
    sendJson(res, refusal.status, errorBody(refusal.message, refusal.code, refusal.extensions));
  }
  async function beforeBody(
    req: IncomingMessage,
    res: ServerResponse,
    refusal: HttpRefusal,
  ): Promise<void> {
    const complete = await discardBody(req, maxDiscardBytes);
    if (res.destroyed) return;
    if (!complete) res.setHeader('connection', 'close');
    send(res, refusal);
  }
  return { send, beforeBody };
}

export function tooManyRequests(refusal: Refusal, store: RequestScope): HttpRefusal {
  store.log.warn({ limit: { setting: refusal.setting, max: refusal.max } }, refusal.message);
  const { code, ...extensions } = refusalExtensions(refusal);
  return {
    status: 429,
    code,
    message: refusal.message,
    extensions,
    headers: [['retry-after', String(refusal.retryAfterSeconds)]],
  };
}

/**
 * Who is calling, from the request's headers alone (both GraphQL endpoints authenticate before
 * reading a body), set on the request scope and its log; or the refusal to send.
 */
export async function callerOf(
  authenticator: Authenticator,
  req: IncomingMessage,
  store: RequestScope,
): Promise<{ caller: Caller } | { refusal: HttpRefusal }> {
  let caller: Caller;
  try {
    caller = await authenticator.authenticate({
      authorization: singleHeader(req.headers.authorization),
      apiKey: singleHeader(req.headers['x-api-key']),
    });
  } catch (error) {
    return { refusal: authRefusal(error, store) };
  }
  store.caller = caller;
  store.log = store.log.child({ subject: caller.subject });
  return { caller };
}

/** UNAUTHENTICATED (401, with its challenge) or, when our key source failed, 503. */
export function authRefusal(error: unknown, store: RequestScope): HttpRefusal {
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') {
    const http = error.extensions.http as
      { status?: number; headers?: Map<string, string> } | undefined;
    store.log.info({ code: error.extensions.code }, error.message);
    return {
      status: http?.status ?? 401,
      code: error.extensions.code,
      message: error.message,
      headers: [...(http?.headers ?? [])],
    };
  }
  store.log.error({ err: error }, 'cannot authenticate callers right now');
  return {
    status: 503,
    code: 'SERVICE_UNAVAILABLE',
    message: 'the gateway cannot verify caller credentials right now; retry shortly',
    headers: [['retry-after', '5']],
  };
}

/**
 * The query string of a request target as `URL` reads it (`?…`, or empty); without a `?` it is
 * empty, known without parsing the target.
 */
export function searchOf(target: string): string {
  return target.includes('?') ? new URL(target, 'http://gateway').search : '';
}

/** A header's value as Apollo's HeaderMap gave it (repeated values joined). */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
