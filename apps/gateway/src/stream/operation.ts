// The GraphQL half of the progress stream: one subscription, checked as POST /graphql checks an
// operation (parsing bounded by MAX_QUERY_TOKENS, then graphql-js' rules with the gateway's own:
// document limits, introspection, root types), then "a subscription, and only that"; and every
// error of the stream shaped as Apollo shapes the POST path's (the same codes) before the
// gateway's formatter (masking in production, no suggestions, secrets redacted) sees it.
import {
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import {
  explainTokenLimit,
  gatewayValidationRules,
  MAX_VALIDATION_ERRORS,
  type QueryLimits,
} from '../limits.js';

/** The gateway's error formatter (apollo.ts' `errorFormatter`): the POST path's last step. */
export type ErrorFormatter = (
  formatted: GraphQLFormattedError,
  error: unknown,
) => GraphQLFormattedError;

export interface DocumentRules {
  limits: QueryLimits;
  /** MAX_QUERY_TOKENS. */
  maxTokens: number;
  /** False in production: introspection is refused, as on the POST path. */
  introspection: boolean;
}

/** A document ready to subscribe with, or why not (GraphQL errors, each with its code). */
export type Prepared = { ok: true; document: DocumentNode } | { ok: false; errors: GraphQLError[] };

/** Where to send what is not a subscription. */
const NOT_A_SUBSCRIPTION =
  'this endpoint serves subscriptions only (campaignUpdateJobProgress): send queries and mutations to POST /graphql';

/** Parses and validates `query` and picks its operation; only a subscription is accepted. */
export function prepareSubscription(
  schema: GraphQLSchema,
  query: string,
  operationName: string | undefined,
  rules: DocumentRules,
): Prepared {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: rules.maxTokens });
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    explainTokenLimit(error, query, rules.maxTokens);
    return refused(withCode(error, 'GRAPHQL_PARSE_FAILED'));
  }
  const errors = validate(
    schema,
    document,
    [
      ...specifiedRules,
      ...gatewayValidationRules({ limits: rules.limits, introspection: rules.introspection }),
    ],
    { maxErrors: MAX_VALIDATION_ERRORS },
  );
  if (errors.length > 0)
    return refused(...errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED')));
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return refused(
      coded(
        operationName
          ? `the document has no operation named "${operationName}"`
          : 'the document holds several operations: name the one to run in operationName',
        'OPERATION_RESOLUTION_FAILURE',
      ),
    );
  }
  if (operation.operation !== 'subscription')
    return refused(coded(`${NOT_A_SUBSCRIPTION}; this is a ${operation.operation}`, 'BAD_REQUEST'));
  return { ok: true, document };
}

/** A GraphQL error with `extensions.code`. */
export function coded(
  message: string,
  code: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/**
 * The errors of one stream event as the POST path would send them: the code kept when there is
 * one, BAD_USER_INPUT for a variable graphql-js could not coerce, otherwise INTERNAL_SERVER_ERROR;
 * `extensions.http` (meant for an HTTP status) dropped; then the gateway's formatter. A formatter
 * that throws yields a bare internal error, as Apollo does.
 */
export function formatErrors(
  errors: readonly unknown[],
  format: ErrorFormatter,
): GraphQLFormattedError[] {
  return errors.map((raw) => {
    const error =
      raw instanceof GraphQLError
        ? raw
        : new GraphQLError(raw instanceof Error ? raw.message : String(raw), {
            ...(raw instanceof Error ? { originalError: raw } : {}),
          });
    const { http: _http, ...extensions } = error.extensions;
    const code =
      typeof extensions.code === 'string'
        ? extensions.code
        : isVariableCoercion(error)
          ? 'BAD_USER_INPUT'
          : 'INTERNAL_SERVER_ERROR';
    try {
      return format({ ...error.toJSON(), extensions: { ...extensions, code } }, error);
    } catch {
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
  });
}

/** graphql-js refused a variable's value: the error points at its definition and has no path. */
function isVariableCoercion(error: GraphQLError): boolean {
  return (
    error.path === undefined &&
    error.nodes?.length === 1 &&
    error.nodes[0]!.kind === Kind.VARIABLE_DEFINITION
  );
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    originalError: error,
    extensions: { ...error.extensions, code },
  });
}

function refused(...errors: GraphQLError[]): Prepared {
  return { ok: false, errors };
}
