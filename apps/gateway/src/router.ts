// Every request's envelope on the main listener: its id (the caller's X-Request-Id when it is
// well-formed, else a new one), the request scope everything below logs with, the access log line
// and the request metric, and the route: GraphQL (inside its span when tracing), /healthz,
// /readyz, /metrics, or 404. An error nothing below handled becomes a 500.
import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RequestScope } from './context.js';
import type { GraphQLHandler } from './graphql-http.js';
import { errorBody, handleCors, sendJson } from './http.js';
import type { GatewayMetrics } from './metrics.js';
import { OPS_PATHS, type OpsRoutes } from './ops-routes.js';
import { STREAM_PATH, type StreamHandler } from './stream/handler.js';
import type { GatewayTracing } from './tracing.js';

export const GRAPHQL_PATH = '/graphql';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface RouterOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  /** Holds each request's scope while it is served (Apollo's error formatter reads it). */
  scope: AsyncLocalStorage<RequestScope>;
  graphql: GraphQLHandler;
  /** Subscriptions as Server-Sent Events, on STREAM_PATH (not traced: a stream lasts minutes). */
  stream?: StreamHandler;
  ops: OpsRoutes;
  tracing?: GatewayTracing;
  /** CORS_ORIGINS: pages on these origins may call the GraphQL paths. Default none. */
  corsOrigins?: readonly string[];
}

/** The main listener's request handler. */
export function createRouter(
  options: RouterOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, metrics, scope, graphql, stream, ops, tracing, corsOrigins = [] } = options;

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    store: RequestScope,
  ): Promise<void> {
    // GET serves queries on the GraphQL path (with apollo-require-preflight); the stream is POST.
    if (path === GRAPHQL_PATH && handleCors(req, res, corsOrigins, ['POST', 'GET'])) return;
    if (path === STREAM_PATH && stream && handleCors(req, res, corsOrigins, ['POST'])) return;
    if (path === GRAPHQL_PATH)
      return tracing
        ? tracing.serve(req, res, store.requestId, () => graphql(req, res, store))
        : graphql(req, res, store);
    if (path === STREAM_PATH && stream) return stream(req, res, store);
    if (await ops.handle(path, req, res)) return;
    return sendJson(
      res,
      404,
      errorBody(`no such path: use ${GRAPHQL_PATH}, /healthz, /readyz or /metrics`, 'NOT_FOUND'),
    );
  }

  return (req, res) => {
    const requestId = pickRequestId(req.headers['x-request-id']);
    const store: RequestScope = { requestId, log: logger.child({ reqId: requestId }) };
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0]!;
    const opsRoute = (OPS_PATHS as readonly string[]).includes(path);
    const label =
      path === GRAPHQL_PATH || (path === STREAM_PATH && stream) || opsRoute ? path : 'other';
    res.on('finish', () => {
      metrics.httpRequests.inc({ route: label, status: String(res.statusCode) });
      if (opsRoute) return;
      store.log.info(
        {
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        },
        'request completed',
      );
    });
    scope.run(store, () => {
      route(req, res, path, store).catch((error: unknown) => {
        store.log.error({ err: error }, 'unhandled error while serving a request');
        if (!res.headersSent)
          sendJson(res, 500, errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
        else res.destroy();
      });
    });
  };
}

function pickRequestId(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}
