// The gateway process: a node:http server with Apollo Server 5 mounted on /graphql (through
// executeHTTPGraphQLRequest, with our own body-size limit), plus /healthz, /readyz and /metrics.
// It owns the one HubSpot client and the credential, and drains in-flight requests on shutdown.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  createHubSpotClient,
  redactString,
  redactValue,
  type HubSpotClient,
} from '@campaigns/hubspot-client';
import type { TracerProvider } from '@opentelemetry/api';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { DestinationStream, Logger } from 'pino';
import { Admission, isRefusal, refusalExtensions, type Refusal, type Ticket } from './admission.js';
import { openAuditLog } from './audit.js';
import { createAuthenticator, type Caller } from './auth.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { createCredentialProvider, staticToken, type CredentialProvider } from './credentials.js';
import { createDocumentGate } from './documents.js';
import {
  ANSWERED,
  createHttpServer,
  discardBody,
  errorBody,
  readBody,
  sendJson,
  writeResponse,
} from './http.js';
import {
  BoundedDocumentStore,
  gatewayValidationRules,
  MAX_VALIDATION_ERRORS,
  queryLimitsOf,
  tokenLimitPlugin,
} from './limits.js';
import { createLogger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { createOpsRoutes, OPS_PATHS } from './ops-routes.js';
import { createResolvers } from './resolvers.js';
import { createTracing } from './tracing.js';
import { createUpstreamHealth } from './upstream-health.js';

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
  /** Trace with this provider (tests: an in-memory exporter) instead of the one OTEL_TRACES_EXPORTER builds. */
  tracerProvider?: TracerProvider;
}

export interface Gateway {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  readonly url: string;
  /** `http://host:port`, where /healthz, /readyz and /metrics live. */
  readonly origin: string;
  /** `http://host:port` of the separate /metrics listener, when METRICS_PORT is set. */
  readonly metricsOrigin: string | undefined;
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

/** An answer the gateway gives itself, without Apollo. */
interface HttpRefusal {
  status: number;
  code: string;
  message: string;
  extensions?: Record<string, unknown>;
  headers?: Array<[string, string]>;
}

/** A header's value as Apollo's HeaderMap gave it (repeated values joined). */
function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

export async function createGateway(
  config: GatewayConfig,
  deps: GatewayDeps = {},
): Promise<Gateway> {
  const production = config.server.production;
  const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');
  const secretSources: Array<() => readonly string[]> = [];
  if (config.auth.jwt?.secret) {
    const jwtSecret = config.auth.jwt.secret;
    secretSources.push(() => [jwtSecret]);
  }
  if (config.metrics.token) {
    const metricsToken = config.metrics.token;
    secretSources.push(() => [metricsToken]);
  }
  const secrets = () => secretSources.flatMap((source) => source());
  const logger = createLogger({
    level: config.server.logLevel,
    ...(deps.logDestination ? { destination: deps.logDestination } : {}),
    secrets,
    stacks: config.server.logStacks,
  });
  // The trusted documents manifest: a bad one stops the start, before anything is opened.
  const documents = createDocumentGate(config, typeDefs, (message) => logger.warn(message));
  const metrics = new GatewayMetrics({ defaultMetrics: deps.defaultMetrics ?? true });
  // Undefined unless OTEL_TRACES_EXPORTER (or a test's provider) turns tracing on.
  const tracing = await createTracing(config.tracing, {
    logger,
    ...(deps.tracerProvider ? { provider: deps.tracerProvider } : {}),
    redact: (text) => redactString(text, secrets()),
  });
  const scope = new AsyncLocalStorage<RequestScope>();

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
  // Every HubSpot call is observed: /readyz and gateway_hubspot_up follow HubSpot's health.
  const upstream = createUpstreamHealth({
    config: config.upstreamHealth,
    timeoutMs: config.hubspot.timeoutMs,
    logger,
    metrics,
  });
  const send = deps.fetch ?? ((request: Request) => globalThis.fetch(request));
  // The gateway's request id goes along to HubSpot (X-Request-Id), to match a call to its request.
  const hubspotFetch = (request: Request) => {
    const requestId = scope.getStore()?.requestId;
    if (requestId) request.headers.set('x-request-id', requestId);
    return send(request);
  };
  const hubspot = createHubSpotClient({
    token: () => credentials.token(),
    ...(baseUrl ? { baseUrl } : {}),
    apiVersion: config.hubspot.apiVersion,
    timeoutMs: config.hubspot.timeoutMs,
    onRateLimit: metrics.onRateLimit,
    fetch: hubspotFetch,
    onCall: upstream.observeCall,
    ...(tracing ? { tracer: tracing.tracer } : {}),
  });
  // While HubSpot is down: list one campaign, with the same client and credential, to see it recover.
  upstream.setProbe((signal) => hubspot.GET('/', { params: { query: { limit: 1 } }, signal }));

  const authenticator = createAuthenticator(config.auth, deps.fetch ? { fetch: deps.fetch } : {});
  const audit = await openAuditLog(config.audit, {
    ...(deps.logDestination ? { destination: deps.logDestination } : {}),
    secrets,
    logger,
  });
  const shutdown = new AbortController();

  const apollo = new ApolloServer<GatewayContext>({
    typeDefs,
    resolvers: createResolvers({
      hubspot,
      config,
      metrics,
      shutdownSignal: shutdown.signal,
      audit,
      ...(tracing ? { tracer: tracing.tracer } : {}),
    }),
    nodeEnv: config.server.nodeEnv,
    csrfPrevention: true,
    // Apollo's `introspection: false` only adds its NoIntrospection rule; the gateway's rule list
    // (gatewayValidationRules) holds its own in production instead, so that the manifest check at
    // start runs the same list. Introspection is refused in production (production.e2e.test.ts).
    introspection: true,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    persistedQueries: false,
    stopOnTerminationSignals: false,
    // Bounded work before execution: the parser stops after MAX_QUERY_TOKENS tokens, and the
    // limits rule (linear) refuses an over-limit document before the spec rules walk it. Not
    // Apollo's maxRecursiveSelections: it would move these rules to a second validation pass that
    // runs after the spec rules (see limits.ts); MAX_QUERY_COST counts every selected field anyway.
    // The text is at most MAX_QUERY_BYTES (documents.ts), and validation stops after
    // MAX_VALIDATION_ERRORS: graphql-js scans the text from its start for each error's location.
    parseOptions: { maxTokens: config.limits.maxQueryTokens },
    validationRules: gatewayValidationRules({
      limits: queryLimitsOf(config.limits),
      introspection: !production,
    }),
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    // Parsed documents keep every token (comments too) alive: sized by that, not by JSON.stringify.
    documentStore: new BoundedDocumentStore(),
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
      tokenLimitPlugin(config.limits.maxQueryTokens),
      ...(tracing ? [tracing.plugin()] : []),
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
    // Apollo hides suggestions from validation errors only; variable coercion and the rest say
    // "Did you mean …?" too, naming schema fields and types.
    const message = production ? stripSuggestions(formatted.message) : formatted.message;
    return redactValue({ ...formatted, message, extensions: { ...extensions, code } }, secrets());
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
  const admission = new Admission(config.admission, {
    onRefuse: (reason) => metrics.admissionRefusals.inc({ reason }),
  });
  let idle: (() => void) | undefined;
  let drained: Promise<void> | undefined;
  let closed: Promise<void> | undefined;

  const ops = createOpsRoutes({
    metrics,
    config: config.metrics,
    http: config.http,
    production,
    logger,
    readiness: () =>
      draining
        ? 'draining'
        : !credentials.healthy()
          ? 'HubSpot credentials unavailable'
          : upstream.problem(),
  });

  const server = createHttpServer(config.http, config.limits.maxBodyBytes, (req, res) => {
    const requestId = pickRequestId(req.headers['x-request-id']);
    const store: RequestScope = { requestId, log: logger.child({ reqId: requestId }) };
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    const path = (req.url ?? '/').split('?')[0]!;
    const opsRoute = (OPS_PATHS as readonly string[]).includes(path);
    const route = path === GRAPHQL_PATH || opsRoute ? path : 'other';
    res.on('finish', () => {
      metrics.httpRequests.inc({ route, status: String(res.statusCode) });
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
    if (path === GRAPHQL_PATH)
      return tracing
        ? tracing.serve(req, res, store.requestId, () => serveGraphQL(req, res, store))
        : serveGraphQL(req, res, store);
    if (await ops.handle(path, req, res)) return;
    return sendJson(
      res,
      404,
      errorBody(`no such path: use ${GRAPHQL_PATH}, /healthz, /readyz or /metrics`, 'NOT_FOUND'),
    );
  }

  async function serveGraphQL(
    req: IncomingMessage,
    res: ServerResponse,
    store: RequestScope,
  ): Promise<void> {
    if (draining) {
      await discardBody(req, config.http.maxDiscardBytes);
      if (res.destroyed) return;
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
    let ticket: Ticket | undefined;
    try {
      // Who is calling, from the headers alone: a stranger's body is never read, only dropped.
      let caller: Caller;
      try {
        caller = await authenticator.authenticate({
          authorization: singleHeader(req.headers.authorization),
          apiKey: singleHeader(req.headers['x-api-key']),
        });
      } catch (error) {
        return await refuseBeforeBody(req, res, authRefusal(error, store));
      }
      store.caller = caller;
      store.log = store.log.child({ subject: caller.subject });
      // Admission, caller first (MAX_INFLIGHT_PER_CALLER), then the process once the body is in
      // (MAX_INFLIGHT_OPERATIONS): slow bodies hold their caller's slots, never the process's.
      const slot = admission.admit(caller.subject);
      if (isRefusal(slot)) {
        caller.release?.();
        return await refuseBeforeBody(req, res, tooManyRequests(slot, store));
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
        return sendRefusal(res, tooManyRequests(refused, store));
      }
      // Trusted documents: an id becomes its document; an unknown document is refused here
      // (ALLOW_ARBITRARY_DOCUMENTS=false), before Apollo parses anything.
      const method = (req.method ?? 'GET').toUpperCase();
      const admitted = documents.admit({
        method,
        body,
        search: new URL(req.url ?? '/', 'http://gateway').search,
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
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: admitted.search, body: admitted.body },
        context: async () => ({ requestId: store.requestId, caller, log: store.log }),
      });
      await writeResponse(res, response, draining);
    } finally {
      ticket?.release();
      inflight--;
      metrics.inflight.dec();
      if (inflight === 0) idle?.();
    }
  }

  /** A refusal sent before the body was read: the body is read and dropped first (bounded). */
  async function refuseBeforeBody(
    req: IncomingMessage,
    res: ServerResponse,
    refusal: HttpRefusal,
  ): Promise<void> {
    const complete = await discardBody(req, config.http.maxDiscardBytes);
    if (res.destroyed) return;
    if (!complete) res.setHeader('connection', 'close');
    sendRefusal(res, refusal);
  }

  function sendRefusal(res: ServerResponse, refusal: HttpRefusal): void {
    metrics.graphqlErrors.inc({ code: refusal.code });
    for (const [name, value] of refusal.headers ?? []) res.setHeader(name, value);
    sendJson(res, refusal.status, errorBody(refusal.message, refusal.code, refusal.extensions));
  }

  function tooManyRequests(refusal: Refusal, store: RequestScope): HttpRefusal {
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

  /** UNAUTHENTICATED (401, with its challenge) or, when our key source failed, 503. */
  function authRefusal(error: unknown, store: RequestScope): HttpRefusal {
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

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    upstream.close();
    await apollo.stop();
    await audit.close();
    await tracing?.shutdown();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  let metricsOrigin: string | undefined;
  try {
    metricsOrigin = await ops.listen();
  } catch (error) {
    upstream.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await apollo.stop();
    await audit.close();
    await tracing?.shutdown();
    throw error;
  }

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
      upstream.close();
      await Promise.all([
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
        ops.close(),
      ]);
      await apollo.stop();
      await audit.close();
      await tracing?.shutdown();
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

  return {
    url: `${origin}${GRAPHQL_PATH}`,
    origin,
    metricsOrigin,
    logger,
    metrics,
    hubspot,
    drain,
    close,
  };
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

function apolloLogger(logger: Logger) {
  const log = logger.child({ component: 'apollo' });
  // An Error goes through the `err` serializer (no stack unless LOG_STACKS), not String().
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message?: unknown): void =>
      message instanceof Error
        ? log[level]({ err: message }, message.message)
        : log[level](String(message));
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** graphql-js' " Did you mean …?" (names are quoted, so the suggestion holds no "?"). */
export function stripSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '');
}
