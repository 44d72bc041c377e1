// The operational routes: /healthz (the process runs), /readyz (it can serve: not draining, a
// usable credential, HubSpot up) and /metrics (Prometheus text), which is either on its own
// listener (METRICS_PORT), behind a bearer token (METRICS_TOKEN), or both. In production one of
// them is required: /metrics is not served to whoever can reach the API port.
import { timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { parseAuthorization, sha256 } from './auth.js';
import type { HttpConfig, MetricsConfig } from './config.js';
import { applyServerLimits, errorBody, sendJson, serverOptions } from './http.js';
import type { GatewayMetrics } from './metrics.js';

export const OPS_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

export interface OpsRoutesOptions {
  metrics: GatewayMetrics;
  config: MetricsConfig;
  http: HttpConfig;
  production: boolean;
  /** Why the gateway is not ready (503), or undefined when it is (may ask Redis, bounded). */
  readiness: () => string | undefined | Promise<string | undefined>;
  logger: Logger;
}

export interface OpsRoutes {
  /** Answers /healthz, /readyz and /metrics on the main listener; false for any other path. */
  handle(path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Starts the METRICS_PORT listener when configured; resolves to its origin. */
  listen(): Promise<string | undefined>;
  close(): Promise<void>;
}

export function createOpsRoutes(options: OpsRoutesOptions): OpsRoutes {
  const { metrics, config, production, logger } = options;
  const tokenDigest = config.token ? sha256(config.token) : undefined;
  let listener: http.Server | undefined;

  /** Why /metrics is not served on the main port, if it is not. */
  const mainPortRefusal =
    config.port !== undefined
      ? `/metrics is served on the metrics listener (METRICS_PORT=${config.port}), not on this port`
      : production && !config.token
        ? '/metrics is not served in production without METRICS_PORT (a separate listener) or METRICS_TOKEN (a bearer token)'
        : undefined;
  if (config.port === undefined && production && !config.token) {
    logger.warn(
      'neither METRICS_PORT nor METRICS_TOKEN is set: /metrics is refused (403) in production; set one of them to scrape it',
    );
  }

  async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (tokenDigest && !authorized(req.headers.authorization, tokenDigest)) {
      res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      return sendJson(
        res,
        401,
        errorBody('/metrics requires Authorization: Bearer <METRICS_TOKEN>', 'UNAUTHENTICATED'),
      );
    }
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(text);
  }

  async function handle(path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (path) {
      case '/healthz':
        sendJson(res, 200, { status: 'ok' });
        return true;
      case '/readyz': {
        const reason = await options.readiness();
        sendJson(
          res,
          reason ? 503 : 200,
          reason ? { status: 'not ready', reason } : { status: 'ready' },
        );
        return true;
      }
      case '/metrics':
        if (mainPortRefusal) {
          const status = config.port !== undefined ? 404 : 403;
          sendJson(
            res,
            status,
            errorBody(mainPortRefusal, status === 404 ? 'NOT_FOUND' : 'FORBIDDEN'),
          );
          return true;
        }
        await serveMetrics(req, res);
        return true;
      default:
        return false;
    }
  }

  async function listen(): Promise<string | undefined> {
    if (config.port === undefined) return undefined;
    const server = http.createServer(serverOptions(options.http), (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path !== '/metrics') {
        return sendJson(res, 404, errorBody('only /metrics is served here', 'NOT_FOUND'));
      }
      serveMetrics(req, res).catch((error: unknown) => {
        logger.error({ err: error }, 'could not serve /metrics');
        if (!res.headersSent)
          sendJson(res, 500, errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
        else res.destroy();
      });
    });
    applyServerLimits(server, options.http);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    listener = server;
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const origin = `http://${host}:${address.port}`;
    logger.info({ url: `${origin}/metrics`, token: Boolean(tokenDigest) }, 'metrics listening');
    return origin;
  }

  async function close(): Promise<void> {
    const server = listener;
    listener = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  return { handle, listen, close };
}

/** `Bearer <token>`, compared in constant time (both sides hashed to the same length first). */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const parsed = parseAuthorization(header);
  return parsed?.scheme === 'bearer' && timingSafeEqual(sha256(parsed.credential), expected);
}
