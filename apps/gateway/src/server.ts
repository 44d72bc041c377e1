// The gateway's composition root: createGateway builds each part from the configuration (logger,
// metrics, tracing, the HubSpot credential and client, Apollo, the HTTP routes), wires them
// together, listens, and closes them in order. The parts live in their own modules: apollo.ts,
// graphql-http.ts, router.ts, ops-routes.ts, http.ts, drain.ts.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  createHubSpotClient,
  type ApiVersion,
  type HubSpotClient,
  type HubSpotClientOptions,
} from '@campaigns/hubspot-client';
import type { JobService } from '@campaigns/jobs';
import { redactString } from '@campaigns/redact';
import type { TracerProvider } from '@opentelemetry/api';
import type { GraphQLSchema } from 'graphql';
import type { DestinationStream, Logger } from 'pino';
import { createApollo, errorFormatter, executableSchema } from './apollo.js';
import { openAuditLog } from './audit.js';
import { createAuthenticator } from './auth.js';
import type { GatewayConfig } from './config.js';
import { createContextFactory, type ContextFactory, type RequestScope } from './context.js';
import { createCredentialProvider, staticToken, type CredentialProvider } from './credentials.js';
import { createDocumentGate } from './documents.js';
import { Drain } from './drain.js';
import { createGraphQLHandler } from './graphql-http.js';
import { createHttpServer } from './http.js';
import { createGatewayJobs } from './jobs.js';
import { createLogger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { createOpsRoutes } from './ops-routes.js';
import { createResolvers } from './resolvers.js';
import { createRouter, GRAPHQL_PATH } from './router.js';
import { createStreamHandler } from './stream/handler.js';
import { createTracing } from './tracing.js';
import { createUpstreamHealth } from './upstream-health.js';

export { GRAPHQL_PATH };

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
   * The client for one request's (or job's) calls: the process's, sending `requestId` as
   * X-Request-Id.
   */
  readonly hubspotFor: (requestId: string) => HubSpotClient;
  /** The job service (`durable` false without REDIS_URL). */
  readonly jobs: JobService;
  /** The resolvers' context for an authenticated request: every transport builds it here. */
  readonly contextFor: ContextFactory;
  /** The executable schema (resolvers included) Apollo serves; the event stream subscribes on it. */
  readonly schema: GraphQLSchema;
  /**
   * Stops taking GraphQL requests (new ones get 503, /readyz turns 503) and resolves when the
   * in-flight ones are done. After `graceMs` (default SHUTDOWN_GRACE_MS) running operations are
   * canceled: they answer at once with what they finished and CANCELED errors for the rest.
   */
  drain(options?: { graceMs?: number }): Promise<void>;
  /** Drains, then closes the server and every connection. */
  close(): Promise<void>;
}

export async function createGateway(
  config: GatewayConfig,
  deps: GatewayDeps = {},
): Promise<Gateway> {
  const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');
  // Every secret in use, scrubbed from logs, spans and errors; the credential's join once it exists.
  const secretSources: Array<() => readonly string[]> = [];
  if (config.auth.jwt?.secret) {
    const jwtSecret = config.auth.jwt.secret;
    secretSources.push(() => [jwtSecret]);
  }
  if (config.metrics.token) {
    const metricsToken = config.metrics.token;
    secretSources.push(() => [metricsToken]);
  }
  if (config.jobs.redisUrl) {
    // The URL may carry a password: neither it nor the password is ever logged.
    const redisUrl = config.jobs.redisUrl;
    const password = decodeURIComponent(new URL(redisUrl).password);
    secretSources.push(() => (password ? [redisUrl, password] : [redisUrl]));
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

  // --- HubSpot: the credential, and the process's one client -------------------------------
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
  const clientOptions: HubSpotClientOptions<ApiVersion> = {
    token: () => credentials.token(),
    ...(baseUrl ? { baseUrl } : {}),
    apiVersion: config.hubspot.apiVersion,
    timeoutMs: config.hubspot.timeoutMs,
    onRateLimit: metrics.onRateLimit,
    // Without an injected fetch, the client's own lean transport (Node's http, keep-alive, the answer read once).
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    onCall: upstream.observeCall,
    ...(tracing ? { tracer: tracing.tracer } : {}),
  };
  const hubspot = createHubSpotClient(clientOptions);
  // A request's own HubSpot calls carry its id (X-Request-Id), to match a call to its request:
  // they go through a client of the request's own, made with that header (a few microseconds),
  // sharing everything else with the process's client: credential, hooks, tracer, and the
  // transport's keep-alive connections (one pool per process). Not a middleware on the process's
  // client: any middleware takes every call off the client's lean transport onto WHATWG Request
  // and Response objects, about half a millisecond of CPU per call.
  const hubspotFor = (requestId: string) =>
    createHubSpotClient({ ...clientOptions, headers: { 'x-request-id': requestId } });
  // The audit trail, before the jobs: the end of each job is written to it too.
  const audit = await openAuditLog(config.audit, {
    ...(deps.logDestination ? { destination: deps.logDestination } : {}),
    secrets,
    logger,
  });
  // The one rate budget of the account: every operation and every job, of every caller, draws
  // from it (shared through Redis with the other processes when REDIS_URL is set), and the job
  // service, on BullMQ over Redis or in this process.
  const jobs = await createGatewayJobs({
    config,
    hubspot,
    hubspotFor,
    token: () => credentials.token(),
    logger,
    metrics,
    audit,
  }).catch(async (error: unknown) => {
    await audit.close();
    throw error;
  });
  const budget = jobs.budget;
  const contextFor = createContextFactory({
    jobs: jobs.service,
    adminScope: config.auth.adminScope,
  });
  // While HubSpot is down: list one campaign, with the same client and credential, to see it recover.
  upstream.setProbe((signal) => hubspot.GET('/', { params: { query: { limit: 1 } }, signal }));

  // --- GraphQL -------------------------------------------------------------------------------
  const authenticator = createAuthenticator(config.auth, deps.fetch ? { fetch: deps.fetch } : {});
  const drain = new Drain({ logger, metrics, graceMs: config.shutdownGraceMs });
  const resolvers = createResolvers({
    hubspot,
    hubspotFor,
    budget,
    config,
    metrics,
    shutdownSignal: drain.signal,
    audit,
    ...(tracing ? { tracer: tracing.tracer } : {}),
  });
  // One executable schema: Apollo runs it over HTTP, the event stream runs its subscriptions.
  const schema = executableSchema(typeDefs, resolvers);
  const apollo = createApollo({
    typeDefs,
    resolvers,
    schema,
    config,
    logger,
    metrics,
    currentRequest: () => scope.getStore(),
    secrets,
    trustedSources: new Set(documents.operations.map((op) => op.body)),
    ...(tracing ? { tracing } : {}),
    // apollo.stop() drains the in-flight requests, then closes the listeners.
    plugins: [drain.plugin(() => closeListeners())],
  });
  await apollo.start();

  // --- HTTP ----------------------------------------------------------------------------------
  const ops = createOpsRoutes({
    metrics,
    config: config.metrics,
    http: config.http,
    production: config.server.production,
    logger,
    readiness: async () =>
      drain.draining
        ? 'draining'
        : !credentials.healthy()
          ? 'HubSpot credentials unavailable'
          : (upstream.problem() ?? (await jobs.problem())),
  });
  const graphql = createGraphQLHandler({
    apollo,
    authenticator,
    documents,
    drain,
    metrics,
    config,
    context: contextFor,
  });
  // Subscriptions (campaignUpdateJobProgress) as Server-Sent Events on STREAM_PATH.
  const stream = createStreamHandler({
    schema,
    authenticator,
    documents,
    drain,
    metrics,
    config,
    context: contextFor,
    formatError: errorFormatter({
      config,
      logger,
      metrics,
      currentRequest: () => scope.getStore(),
      secrets,
    }),
  });
  const server = createHttpServer(
    config.http,
    config.limits.maxBodyBytes,
    createRouter({
      logger,
      metrics,
      scope,
      graphql,
      stream,
      ops,
      corsOrigins: config.http.corsOrigins,
      ...(tracing ? { tracing } : {}),
    }),
    config.limits.maxJobBodyBytes,
  );

  async function closeListeners(): Promise<void> {
    upstream.close();
    await Promise.all([
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
      ops.close(),
    ]);
  }

  /** Undoes a start that failed before the gateway was listening. */
  async function abandon(): Promise<void> {
    upstream.close();
    await apollo.stop();
    await jobs.close();
    await audit.close();
    await tracing?.shutdown();
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
    await abandon();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  let metricsOrigin: string | undefined;
  try {
    metricsOrigin = await ops.listen();
  } catch (error) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await abandon();
    throw error;
  }
  drain.attach(server);

  let closed: Promise<void> | undefined;
  async function close(): Promise<void> {
    closed ??= (async () => {
      await apollo.stop();
      // Running jobs finish their chunks in flight and go back to the queue (another worker, or
      // this one restarted, resumes them); then the budget and the Redis clients close.
      await jobs.close();
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
    hubspotFor,
    jobs: jobs.service,
    contextFor,
    schema,
    drain: (options) => drain.drain(options),
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
