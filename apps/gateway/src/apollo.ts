// The Apollo Server of the gateway: its options (bounded parsing and validation, no batching, no
// APQ, no HTTP caching, the landing page outside production), its plugins, and how errors are
// formatted on the way out (internal errors masked in production, suggestions stripped, secrets
// redacted) and logged. Execution is execution.ts' (hot operations compiled). Apollo is mounted
// on node:http by graphql-http.ts.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { redactValue } from '@campaigns/redact';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config.js';
import type { GatewayContext, RequestScope } from './context.js';
import { createOperationExecutor, executorGateway } from './execution.js';
import type { Resolvers } from './generated/resolvers-types.js';
import {
  BoundedDocumentStore,
  gatewayValidationRules,
  MAX_VALIDATION_ERRORS,
  NoSubscriptionOverHttpRule,
  queryLimitsOf,
  tokenLimitPlugin,
} from './limits.js';
import type { GatewayMetrics } from './metrics.js';
import type { GatewayTracing } from './tracing.js';

export interface ApolloOptions {
  typeDefs: string;
  resolvers: Resolvers;
  config: Pick<GatewayConfig, 'server' | 'limits'>;
  logger: Logger;
  metrics: GatewayMetrics;
  /** The request being served (its id and logger), if any. */
  currentRequest: () => RequestScope | undefined;
  /** The secrets in use, redacted from every error. */
  secrets: () => readonly string[];
  tracing?: GatewayTracing;
  /** Further plugins (the drain plugin). */
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** The texts of the trusted documents: the only ones compiled (see execution.ts). */
  trustedSources?: ReadonlySet<string>;
  /** {@link executableSchema} of typeDefs and resolvers, when built already (the progress stream runs on it too). */
  schema?: GraphQLSchema;
}

/** The schema the gateway executes: `typeDefs` with `resolvers` (Apollo and the progress stream). */
export function executableSchema(typeDefs: string, resolvers: Resolvers): GraphQLSchema {
  return makeExecutableSchema<GatewayContext>({ typeDefs, resolvers });
}

/** The gateway's Apollo Server, not yet started. */
export function createApollo(options: ApolloOptions): ApolloServer<GatewayContext> {
  const { config, logger, tracing } = options;
  const production = config.server.production;
  // The schema Apollo would build from typeDefs and resolvers, built here for the executor too.
  const schema = options.schema ?? executableSchema(options.typeDefs, options.resolvers);
  return new ApolloServer<GatewayContext>({
    gateway: executorGateway(
      schema,
      createOperationExecutor(schema, {
        mayCompile: (source) => options.trustedSources?.has(source) ?? false,
        // Only trusted documents are compiled, a known few: at their first run (graphql-js
        // coerces a 10,000-input startCampaignUpdate ~20× slower than the compiled operation).
        compileAfterRuns: 1,
      }).execute,
    ),
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
    // Plus: no subscription over POST/GET (they are served on the event stream).
    validationRules: [
      ...gatewayValidationRules({
        limits: queryLimitsOf(config.limits),
        introspection: !production,
      }),
      NoSubscriptionOverHttpRule,
    ],
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    // Parsed documents keep every token (comments too) alive: sized by that, not by JSON.stringify.
    documentStore: new BoundedDocumentStore(),
    logger: apolloLogger(logger),
    formatError: errorFormatter(options),
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
      ...(options.plugins ?? []),
    ],
  });
}

/**
 * Masks internal errors in production; never lets a secret, stack or upstream body through. Apollo
 * formats every error with it, and the progress stream every error it sends.
 */
export function errorFormatter(
  options: Pick<ApolloOptions, 'config' | 'logger' | 'metrics' | 'currentRequest' | 'secrets'>,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  const { logger, metrics, currentRequest, secrets } = options;
  const production = options.config.server.production;
  return (formatted, error) => {
    const code =
      typeof formatted.extensions?.code === 'string'
        ? formatted.extensions.code
        : 'INTERNAL_SERVER_ERROR';
    metrics.graphqlErrors.inc({ code });
    const log = currentRequest()?.log ?? logger;
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
          extensions: { code, requestId: currentRequest()?.requestId },
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
  };
}

/** One debug line per resolved operation, with the request's logger. */
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

/** Apollo's own messages, as the gateway's log lines (component `apollo`). */
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
