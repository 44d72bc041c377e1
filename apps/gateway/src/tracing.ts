// OpenTelemetry tracing for the gateway: off unless OTEL_TRACES_EXPORTER is otlp or console.
// When on, one SERVER span per GraphQL request (a child of the caller's W3C `traceparent`),
// named after the operation by an Apollo plugin; the engine's run and chunk spans and the HubSpot
// client's request spans hang under it through the tracer handed to both libraries. When off,
// nothing here runs and the SDK is not even loaded.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TracingConfig } from './config.js';
import type { GatewayContext } from './context.js';

/** The instrumentation scope of every span the gateway and its libraries create. */
export const TRACER_NAME = '@campaigns/gateway';
/** Longest error message put on a span. */
const MAX_MESSAGE = 256;
/** Errors of one GraphQL response recorded as span events (the rest are counted). */
const MAX_ERROR_EVENTS = 10;
/** How long close() waits for the last spans to be exported. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface GatewayTracing {
  readonly tracer: Tracer;
  /**
   * Runs one GraphQL HTTP request inside its operation span (the active context while it runs),
   * a child of the caller's `traceparent`/`tracestate` when they are valid.
   */
  serve<T>(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    handle: () => Promise<T>,
  ): Promise<T>;
  /** Names the operation span (`mutation Update`), adds the caller, records GraphQL errors. */
  plugin(): ApolloServerPlugin<GatewayContext>;
  /** Exports what is buffered and stops the SDK (only the one built here; an injected provider is the caller's). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  logger: Logger;
  /** Use this provider (tests: an in-memory exporter) instead of building one from the config. */
  provider?: TracerProvider;
  /** Scrubs the secrets in use from a text (error messages put on spans). */
  redact?: (text: string) => string;
}

/** Spans of the gateway, or undefined when tracing is off (OTEL_TRACES_EXPORTER=none and no provider given). */
export async function createTracing(
  config: TracingConfig,
  options: TracingOptions,
): Promise<GatewayTracing | undefined> {
  if (config.exporter === 'none' && !options.provider) return undefined;
  const log = options.logger.child({ component: 'tracing' });
  await registerContextAndPropagation();

  let provider = options.provider;
  let shutdownSdk: (() => Promise<void>) | undefined;
  if (!provider) {
    const sdk = await buildProvider(config, log);
    provider = sdk;
    shutdownSdk = () => sdk.shutdown();
    log.info(
      {
        exporter: config.exporter,
        ...(config.otlpEndpoint ? { endpoint: safeUrl(config.otlpEndpoint) } : {}),
        serviceName: config.serviceName,
      },
      'tracing on',
    );
  }
  const tracer = provider.getTracer(TRACER_NAME);
  const redact = options.redact ?? ((text: string) => text);
  const clip = (text: string) => {
    const clean = redact(text);
    return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE - 1)}…` : clean;
  };

  async function serve<T>(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    handle: () => Promise<T>,
  ): Promise<T> {
    // Node joins repeated headers with ", ", which makes a traceparent invalid: then no parent.
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const method = (req.method ?? 'GET').toUpperCase();
    const span = tracer.startSpan(
      // Until the plugin knows the operation (a 413 or a parse error never gets that far).
      `${method} /graphql`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'http.route': '/graphql',
          'url.path': '/graphql',
          'gateway.request_id': requestId,
        },
      },
      parent,
    );
    try {
      return await context.with(trace.setSpan(parent, span), handle);
    } catch (error) {
      recordError(span, error, clip);
      throw error;
    } finally {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500)
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${res.statusCode}` });
      span.end();
    }
  }

  function plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      async requestDidStart({ contextValue }) {
        // serve() made the operation span the active context of this whole request.
        const span = trace.getSpan(context.active());
        if (!span?.isRecording()) return;
        span.setAttribute('enduser.id', contextValue.caller.subject);
        return {
          async didResolveOperation({ operation, operationName }) {
            if (!operation) return;
            const type = operation.operation;
            span.updateName(operationName ? `${type} ${operationName}` : type);
            span.setAttributes({
              'graphql.operation.type': type,
              ...(operationName ? { 'graphql.operation.name': operationName } : {}),
            });
          },
          async didEncounterErrors({ errors }) {
            const codes: string[] = [];
            for (const error of errors) {
              const code =
                typeof error.extensions?.code === 'string'
                  ? error.extensions.code
                  : 'INTERNAL_SERVER_ERROR';
              codes.push(code);
              if (codes.length > MAX_ERROR_EVENTS) continue;
              span.addEvent('exception', {
                'exception.type': code,
                // An internal error's message may carry anything: it stays in the log line.
                'exception.message':
                  code === 'INTERNAL_SERVER_ERROR' ? 'internal error' : clip(error.message),
                ...(error.path ? { 'graphql.error.path': error.path.join('.') } : {}),
              });
            }
            span.setAttributes({
              'error.type': codes[0]!,
              'graphql.error.count': errors.length,
              'graphql.error.codes': [...new Set(codes)],
            });
            span.setStatus({
              code: SpanStatusCode.ERROR,
              message: [...new Set(codes)].join(', '),
            });
          },
        };
      },
    };
  }

  async function shutdown(): Promise<void> {
    if (!shutdownSdk) return;
    const stop = shutdownSdk;
    shutdownSdk = undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), SHUTDOWN_TIMEOUT_MS);
      timer.unref();
    });
    try {
      const result = await Promise.race([stop().then(() => 'done' as const), timedOut]);
      if (result === 'timeout')
        log.warn(
          { timeoutMs: SHUTDOWN_TIMEOUT_MS },
          'tracing: the last spans could not be exported in time; dropped',
        );
    } catch (error) {
      log.warn({ err: { message: (error as Error).message } }, 'tracing: shutdown failed');
    } finally {
      clearTimeout(timer);
    }
  }

  return { tracer, serve, plugin, shutdown };
}

/** A BasicTracerProvider with a BatchSpanProcessor and the configured exporter. Loaded on demand. */
async function buildProvider(config: TracingConfig, log: Logger) {
  const [{ BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter }, resources] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
    ]);
  let exporter;
  if (config.exporter === 'otlp') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    // Config guarantees an endpoint for otlp; headers (OTEL_EXPORTER_OTLP_HEADERS) come from the SDK.
    exporter = new OTLPTraceExporter({ url: config.otlpEndpoint! });
  } else {
    exporter = new ConsoleSpanExporter();
  }
  // Export failures (collector down) surface through OpenTelemetry's diag logger: route it to ours.
  diag.setLogger(
    {
      error: (message, ...args) => log.warn({ detail: describe(args) }, `tracing: ${message}`),
      warn: (message, ...args) => log.warn({ detail: describe(args) }, `tracing: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return new BasicTracerProvider({
    resource: resources
      .defaultResource()
      .merge(resources.resourceFromAttributes({ 'service.name': config.serviceName })),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
}

let registered: Promise<void> | undefined;

/**
 * Process-wide, once: an AsyncLocalStorage context manager (so the active span follows async
 * calls from the GraphQL request into the engine and the HubSpot client) and the W3C trace
 * context propagator (traceparent/tracestate in and out). An application that registered its
 * own before keeps them.
 */
function registerContextAndPropagation(): Promise<void> {
  registered ??= (async () => {
    const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }] = await Promise.all([
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
    ]);
    const manager = new AsyncLocalStorageContextManager().enable();
    if (!context.setGlobalContextManager(manager)) manager.disable();
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  })();
  return registered;
}

function recordError(span: Span, error: unknown, clip: (text: string) => string): void {
  // Name and message only: no stack trace leaves the process.
  const message = clip(error instanceof Error ? error.message : String(error));
  span.recordException({ name: error instanceof Error ? error.name : 'Error', message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The endpoint without user info or query (either may hold a credential). */
function safeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

function describe(args: unknown[]): string | undefined {
  const first = args[0];
  if (first === undefined) return undefined;
  const text = first instanceof Error ? first.message : String(first);
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}
