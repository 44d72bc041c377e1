// The gateway process: a node:http server with Apollo Server 5 mounted on /graphql (through
// executeHTTPGraphQLRequest, with our own body-size limit), plus /healthz, /readyz and /metrics.
// It owns the one HubSpot client and the credential, and drains in-flight requests on shutdown.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApolloServer,
  HeaderMap,
  type ApolloServerPlugin,
  type HTTPGraphQLResponse,
} from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createHubSpotClient, redactValue, type HubSpotClient } from '@campaigns/hubspot-client';
import type { GraphQLFormattedError } from 'graphql';
import type { DestinationStream, Logger } from 'pino';
import { createAuthenticator, type Caller } from './auth.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createCredentialProvider, staticToken, type CredentialProvider } from './credentials.js';
import { queryLimitsRule } from './limits.js';
import { createLogger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { createResolvers } from './resolvers.js';

export const GRAPHQL_PATH = '/graphql';

export interface GatewayDeps {
  /** Where JSON log lines go (default stdout); tests capture them here. */
  logDestination?: DestinationStream;
  /** Talk to this HubSpot (the embedded simulator) with this token, instead of the configured credentials. */
  hubspot?: { baseUrl: string; token: string };
  /** A ready credential provider, instead of the one built from the configuration. */
  credentials?: CredentialProvider;
  /** fetch for HubSpot, OAuth and JWKS calls (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Register Node's default process metrics (default true). */
  defaultMetrics?: boolean;
}

export interface Gateway {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  /** `http://host:port`, where /healthz, /readyz and /metrics live. */
  readonly origin: string;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** The process's one HubSpot client. */
  readonly hubspot: HubSpotClient;
  /**
   * Stops taking GraphQL requests (new ones get 503, /readyz turns 503) and resolves when the
   * in-flight ones are done. After `graceMs` (default SHUTDOWN_GRACE_MS) running operations are
   * canceled: they answer at once with what they finished and CANCELED errors for the rest.
   */
  drain(options?: { graceMs?: number }): Promise<void>;
  /** Drains, then closes the server and every connection. */
  close(): Promise<void>;
}

interface RequestScope {
  requestId: string;
  log: Logger;
  caller?: Caller;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** readBody's answer when it has already responded (413, 400). */
const ANSWERED = Symbol('answered');

export async function createGateway(
  config: GatewayConfig,
  deps: GatewayDeps = {},
): Promise<Gateway> {
  const production = config.server.production;
  const secretSources: Array<() => readonly string[]> = [];
  if (config.auth.jwt?.secret) {
    const jwtSecret = config.auth.jwt.secret;
    secretSources.push(() => [jwtSecret]);
  }
  const secrets = () => secretSources.flatMap((source) => source());
  const logger = createLogger({
    level: config.server.logLevel,
    ...(deps.logDestination ? { destination: deps.logDestination } : {}),
    secrets,
  });
  const metrics = new GatewayMetrics({ defaultMetrics: deps.defaultMetrics ?? true });

  const credentials =
    deps.credentials ??
    (deps.hubspot
      ? staticToken(deps.hubspot.token)
      : createCredentialProvider(config.hubspot.credentials, {
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          logger,
        }));
  secretSources.push(() => credentials.secrets());
  await warmUp(credentials, logger);

  const baseUrl = deps.hubspot?.baseUrl ?? config.hubspot.baseUrl;
  const hubspot = createHubSpotClient({
    token: () => credentials.token(),
    ...(baseUrl ? { baseUrl } : {}),
    apiVersion: config.hubspot.apiVersion,
    timeoutMs: config.hubspot.timeoutMs,
    onRateLimit: metrics.onRateLimit,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  const authenticator = createAuthenticator(config.auth, deps.fetch ? { fetch: deps.fetch } : {});
  const shutdown = new AbortController();
  const scope = new AsyncLocalStorage<RequestScope>();

  const apollo = new ApolloServer<GatewayContext>({
    typeDefs: readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'),
    resolvers: createResolvers({ hubspot, config, metrics, shutdownSignal: shutdown.signal }),
    nodeEnv: config.server.nodeEnv,
    csrfPrevention: true,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    persistedQueries: false,
    stopOnTerminationSignals: false,
    validationRules: [
      queryLimitsRule({
        maxDepth: config.limits.maxQueryDepth,
        maxAliases: config.limits.maxQueryAliases,
        maxCost: config.limits.maxQueryCost,
      }),
    ],
    logger: apolloLogger(logger),
    formatError: (formatted, error) => formatError(formatted, error),
    plugins: [
      // Mutations and batch reads are never HTTP-cached; without this plugin Apollo would wrap
      // every field resolver to compute cache hints (about a third of a 50-campaign mutation's cost).
      ApolloServerPluginCacheControlDisabled(),
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      requestLogPlugin(),
    ],
  });

  /** Masks internal errors in production; never lets a secret, stack or upstream body through. */
  function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const code =
      typeof formatted.extensions?.code === 'string'
        ? formatted.extensions.code
        : 'INTERNAL_SERVER_ERROR';
    metrics.graphqlErrors.inc({ code });
    const log = scope.getStore()?.log ?? logger;
    if (code === 'INTERNAL_SERVER_ERROR') {
      const original = unwrapResolverError(error);
      log.error(
        { err: original, path: formatted.path },
        'internal error while serving a GraphQL request',
      );
      if (production) {
        return {
          message: 'Internal server error',
          ...(formatted.path ? { path: formatted.path } : {}),
          extensions: { code, requestId: scope.getStore()?.requestId },
        };
      }
    }
    const {
      stacktrace: _stacktrace,
      exception: _exception,
      ...extensions
    } = formatted.extensions ?? {};
    return redactValue({ ...formatted, extensions: { ...extensions, code } }, secrets());
  }

  function requestLogPlugin(): ApolloServerPlugin<GatewayContext> {
    return {
      async requestDidStart() {
        return {
          async didResolveOperation({ operationName, operation, contextValue }) {
            contextValue.log.debug(
              { operationName, operation: operation?.operation },
              'GraphQL operation',
            );
          },
        };
      },
    };
  }

  await apollo.start();

  // --- HTTP ---------------------------------------------------------------------------------
  let draining = false;
  let inflight = 0;
  let idle: (() => void) | undefined;
  let drained: Promise<void> | undefined;
  let closed: Promise<void> | undefined;

  const server = http.createServer((req, res) => {
    const requestId = pickRequestId(req.headers['x-request-id']);
    const store: RequestScope = { requestId, log: logger.child({ reqId: requestId }) };
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0]!;
    const route = [GRAPHQL_PATH, '/healthz', '/readyz', '/metrics'].includes(path) ? path : 'other';
    res.on('finish', () => {
      metrics.httpRequests.inc({ route, status: String(res.statusCode) });
      if (route === '/healthz' || route === '/readyz' || route === '/metrics') return;
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
      routeRequest(req, res, path, store).catch((error: unknown) => {
        store.log.error({ err: error }, 'unhandled error while serving a request');
        if (!res.headersSent)
          sendJson(res, 500, errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));
        else res.destroy();
      });
    });
  });

  async function routeRequest(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    store: RequestScope,
  ): Promise<void> {
    switch (path) {
      case '/healthz':
        return sendJson(res, 200, { status: 'ok' });
      case '/readyz': {
        const reason = draining
          ? 'draining'
          : !credentials.healthy()
            ? 'HubSpot credentials unavailable'
            : undefined;
        return sendJson(
          res,
          reason ? 503 : 200,
          reason ? { status: 'not ready', reason } : { status: 'ready' },
        );
      }
      case '/metrics': {
        const text = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
        return;
      }
      case GRAPHQL_PATH:
        return serveGraphQL(req, res, store);
      default:
        return sendJson(
          res,
          404,
          errorBody(
            `no such path: use ${GRAPHQL_PATH}, /healthz, /readyz or /metrics`,
            'NOT_FOUND',
          ),
        );
    }
  }

  async function serveGraphQL(
    req: IncomingMessage,
    res: ServerResponse,
    store: RequestScope,
  ): Promise<void> {
    if (draining) {
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '5');
      return sendJson(
        res,
        503,
        errorBody(
          'the gateway is shutting down: retry shortly (another instance will answer)',
          'SERVICE_UNAVAILABLE',
        ),
      );
    }
    inflight++;
    metrics.inflight.inc();
    try {
      const body = await readBody(req, res, config.limits.maxBodyBytes);
      if (body === ANSWERED) return;
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: (req.method ?? 'GET').toUpperCase(),
          headers,
          search: new URL(req.url ?? '/', 'http://gateway').search,
          body,
        },
        context: async () => {
          const caller = await authenticator.authenticate({
            authorization: headers.get('authorization'),
            apiKey: headers.get('x-api-key'),
          });
          store.caller = caller;
          store.log = store.log.child({ subject: caller.subject });
          return { requestId: store.requestId, caller, log: store.log };
        },
      });
      await writeResponse(res, response, draining);
    } finally {
      inflight--;
      metrics.inflight.dec();
      if (inflight === 0) idle?.();
    }
  }

  /**
   * Reads the request body up to `max` bytes. Answers 413 (and returns ANSWERED) when it is
   * larger; JSON bodies are parsed (400 when malformed); anything else is handed to Apollo as
   * text, which refuses it with a clear message (or as a CSRF attempt).
   */
  async function readBody(
    req: IncomingMessage,
    res: ServerResponse,
    max: number,
  ): Promise<unknown | typeof ANSWERED> {
    const tooLarge = () => {
      res.setHeader('connection', 'close');
      sendJson(
        res,
        413,
        errorBody(`the request body is larger than MAX_BODY_BYTES=${max} bytes`, 'BAD_USER_INPUT', {
          limit: { setting: 'MAX_BODY_BYTES', max },
        }),
      );
      req.resume();
      return ANSWERED;
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) return tooLarge();
    const chunks = await new Promise<Buffer[] | undefined>((resolve, reject) => {
      const received: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= max) return void received.push(chunk);
        // Stop keeping it, but read it to the end so the client gets to see our 413.
        req.off('data', onData);
        req.resume();
        resolve(undefined);
      };
      req.on('data', onData);
      req.once('end', () => resolve(received));
      req.once('error', reject);
    });
    if (!chunks) return tooLarge();
    if (req.method === 'GET' || req.method === 'HEAD') return undefined;
    const text = Buffer.concat(chunks).toString('utf8');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json' && !contentType.endsWith('+json')) return text;
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      sendJson(res, 400, errorBody('the request body is not valid JSON', 'BAD_REQUEST'));
      return ANSWERED;
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await apollo.stop();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;

  async function drain(options: { graceMs?: number } = {}): Promise<void> {
    draining = true;
    drained ??= (async () => {
      server.closeIdleConnections();
      if (inflight > 0) {
        const graceMs = options.graceMs ?? config.shutdownGraceMs;
        logger.info({ inflight, graceMs }, 'draining: waiting for in-flight requests');
        const done = new Promise<void>((resolve) => (idle = resolve));
        const timer = setTimeout(() => {
          logger.warn({ inflight }, 'shutdown grace period over: canceling running operations');
          shutdown.abort(new Error('the gateway is shutting down'));
        }, graceMs);
        await done;
        clearTimeout(timer);
      }
      logger.info('drained: no request in flight');
    })();
    return drained;
  }

  async function close(): Promise<void> {
    closed ??= (async () => {
      await drain();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await apollo.stop();
      logger.info('gateway closed');
      logger.flush();
    })();
    return closed;
  }

  logger.info(
    {
      url: `${origin}${GRAPHQL_PATH}`,
      nodeEnv: config.server.nodeEnv,
      hubspot: { baseUrl: hubspot.apiRoot, credential: credentials.kind },
      auth: config.auth.none
        ? 'none'
        : [config.auth.jwt && 'jwt', config.auth.apiKeys && 'api-key'].filter(Boolean).join(','),
    },
    'gateway listening',
  );
  if (config.auth.none) {
    logger.warn(
      { host: config.server.host },
      `AUTH_MODE=none${config.auth.noneByDefault ? ' (default without HubSpot credentials)' : ''}: every caller that can reach ${config.server.host} may read and update campaigns; allowed only on a loopback address`,
    );
  }

  return { url: `${origin}${GRAPHQL_PATH}`, origin, logger, metrics, hubspot, drain, close };
}

/** Fetches a first token so a broken secret file fails the start, and an OAuth problem shows at once. */
async function warmUp(credentials: CredentialProvider, logger: Logger): Promise<void> {
  try {
    await credentials.token();
  } catch (error) {
    if (credentials.kind === 'oauth') {
      logger.error(
        { err: { message: (error as Error).message } },
        'could not obtain a HubSpot access token at start; will retry on demand',
      );
      return;
    }
    throw error;
  }
}

function pickRequestId(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

function errorBody(message: string, code: string, extensions: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function writeResponse(
  res: ServerResponse,
  response: HTTPGraphQLResponse,
  closing: boolean,
): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  if (closing) res.setHeader('connection', 'close');
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

function apolloLogger(logger: Logger) {
  const log = logger.child({ component: 'apollo' });
  return {
    debug: (message?: unknown) => log.debug(String(message)),
    info: (message?: unknown) => log.info(String(message)),
    warn: (message?: unknown) => log.warn(String(message)),
    error: (message?: unknown) => log.error(String(message)),
  };
}
