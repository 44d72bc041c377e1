// How the gateway executes operations. Apollo still parses, validates (the gateway's limits
// included) and caches documents, runs the plugins and formats every error; only execution is
// this module's, handed to Apollo as the executor of its gateway interface (the one hook Apollo
// offers for it, so that results and errors go through Apollo's usual path afterwards).
//
// An operation served again and again is compiled by graphql-jit into one JavaScript function:
// variable coercion, resolver calls and result completion without graphql-js' per-field
// bookkeeping. For a 50-campaign answer that is about a fifth of graphql-js' time, identical
// output. Everything else runs on graphql-js, as before:
// - an operation until it has run COMPILE_AFTER_RUNS times (a one-off document never pays for a
//   compilation), one whose text is over MAX_COMPILED_SOURCE (compiling costs time and memory in
//   proportion), introspection, and names graphql-jit mishandles (`__proto__`, see compilable);
// - a request whose variables the compiled coercion refuses: graphql-js coerces them again and
//   words the refusal exactly as before (BAD_USER_INPUT, HTTP 400). Nothing has run by then.
// - a document with a string literal holding graphql-jit's internal marker (`__MAGIC_`): 0.8.9
//   embeds literal arguments in the generated code as JSON, then rewrites its Date marker
//   into `new Date(…)`, so such a literal would become code (see test/execution.test.ts).
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  BREAK,
  execute,
  GraphQLError,
  printSchema,
  visit,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;

/** Runs of one operation (document and operation name) before it is compiled. */
export const COMPILE_AFTER_RUNS = 10;
/** Longest document text that is compiled (characters); longer ones always run on graphql-js. */
export const MAX_COMPILED_SOURCE = 4 * 1024;
/** Compiled operations kept, least recently used first out. */
export const MAX_COMPILED = 64;
/** Operations whose runs are counted, least recently used first out. */
const MAX_COUNTED = 1024;

/** graphql-jit's name of a field selected more than once, in its non-null error message. */
const TWICE_SELECTED = /^(Cannot return null for non-nullable field \w+\.)\((\w+)(?:,\2)+\)\.$/;

/** graphql-jit 0.8.9's prefix for values it rewrites in generated code (NaN, ±Infinity, Date). */
const JIT_MARKER = '__MAGIC_';

export interface OperationExecutorOptions {
  /**
   * Which document texts may be compiled at all (default: any that `compilable` allows). The
   * gateway allows its trusted documents only: graphql-jit writes a document into generated
   * JavaScript, so a caller's own text never goes there, whatever ALLOW_ARBITRARY_DOCUMENTS says.
   */
  mayCompile?: (source: string) => boolean;
  /**
   * Runs before an operation is compiled (default COMPILE_AFTER_RUNS). The gateway compiles at
   * the first run: `mayCompile` leaves it only its trusted documents, none of them a one-off.
   */
  compileAfterRuns?: number;
  maxCompiledSource?: number;
  maxCompiled?: number;
}

/** What the executor did with a request: tests and tooling look. */
export type ExecutionPath = 'compiled' | 'graphql-js';

export interface OperationExecutor {
  readonly execute: GatewayExecutor;
  /** How many operations are compiled right now. */
  readonly compiledCount: number;
  /** The path the last request took (tests). */
  readonly lastPath: ExecutionPath | undefined;
}

/**
 * The executor: compiled for hot operations, graphql-js for the rest (see the top of this file).
 * `schema` must be the one Apollo validates against (the gateway's executable schema).
 */
export function createOperationExecutor(
  schema: GraphQLSchema,
  options: OperationExecutorOptions = {},
): OperationExecutor {
  const compileAfter = options.compileAfterRuns ?? COMPILE_AFTER_RUNS;
  const maxSource = options.maxCompiledSource ?? MAX_COMPILED_SOURCE;
  const maxCompiled = options.maxCompiled ?? MAX_COMPILED;
  /** Compiled operations; `null`: not to be compiled (too long, introspection, marker, failed). */
  const compiled = new Map<string, CompiledQuery | null>();
  const runs = new Map<string, number>();
  let lastPath: ExecutionPath | undefined;

  /** The compiled operation for this request, compiling it on its COMPILE_AFTER_RUNS-th run. */
  function compiledFor(
    key: string,
    document: DocumentNode,
    source: string | undefined,
    operationName: string | undefined,
  ): CompiledQuery | undefined {
    const known = compiled.get(key);
    if (known !== undefined) {
      // Most recently used: last in the map's order.
      compiled.delete(key);
      compiled.set(key, known);
      return known ?? undefined;
    }
    const count = (runs.get(key) ?? 0) + 1;
    runs.delete(key);
    if (count < compileAfter) {
      runs.set(key, count);
      if (runs.size > MAX_COUNTED) runs.delete(runs.keys().next().value!);
      return undefined;
    }
    const allowed =
      source !== undefined &&
      (options.mayCompile?.(source) ?? true) &&
      compilable(document, source, maxSource);
    const query = allowed ? compile(document, operationName) : null;
    compiled.set(key, query);
    if (compiled.size > maxCompiled) compiled.delete(compiled.keys().next().value!);
    return query ?? undefined;
  }

  function compile(document: DocumentNode, operationName: string | undefined) {
    try {
      const query = compileQuery(schema, document, operationName);
      return isCompiledQuery(query) ? query : null;
    } catch {
      return null;
    }
  }

  const executeOperation: GatewayExecutor = async (requestContext) => {
    const { document, operation, queryHash, source, request } = requestContext;
    const contextValue = requestContext.context;
    // No operation (an unknown operationName): graphql-js answers as it always did.
    const query = operation
      ? compiledFor(
          `${queryHash}\u0000${request.operationName ?? ''}`,
          document,
          source,
          request.operationName,
        )
      : undefined;
    if (query) {
      const result = await query.query(undefined, contextValue, request.variables ?? {});
      // Without `data` the compiled coercion refused the variables, before anything ran.
      if ('data' in result) {
        lastPath = 'compiled';
        // graphql-js' shape: `errors` first.
        return result.errors
          ? { errors: result.errors.map(asGraphQLError), data: result.data }
          : result;
      }
    }
    lastPath = 'graphql-js';
    return execute({
      schema,
      document,
      contextValue,
      variableValues: request.variables,
      operationName: request.operationName,
    });
  };

  return {
    execute: executeOperation,
    get compiledCount() {
      let count = 0;
      for (const query of compiled.values()) if (query) count++;
      return count;
    },
    get lastPath() {
      return lastPath;
    },
  };
}

/**
 * graphql-jit's errors as graphql-js makes them: Apollo and the gateway's formatter expect
 * `extensions` to be an object (graphql-jit leaves it undefined when the original error has none),
 * and a field selected twice is named once (`Campaign.id`, not graphql-jit's `Campaign.(id,id)`).
 * Path, locations, extensions and the original error are kept. One difference remains: an error of
 * a field selected twice, once under a @skip/@include that left it out, lists both locations.
 */
export function asGraphQLError(error: GraphQLError): GraphQLError {
  const message = error.message.replace(TWICE_SELECTED, '$1$2.');
  const located = new GraphQLError(message, {
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions ? { extensions: error.extensions } : {}),
  });
  if (error.locations) (located as { locations?: unknown }).locations = error.locations;
  return located;
}

/**
 * Whether a document may be compiled: short enough, no graphql-jit marker in a string, and no
 * name of the `__` kind other than `__typename` (introspection, and `__proto__`, which graphql-jit
 * would write into an object literal, setting the object's prototype instead of a field).
 */
export function compilable(
  document: DocumentNode,
  source: string | undefined,
  maxSource = MAX_COMPILED_SOURCE,
): boolean {
  if (source === undefined || source.length > maxSource || source.includes(JIT_MARKER))
    return false;
  let ok = true;
  const refuse = () => {
    ok = false;
    return BREAK;
  };
  const reserved = (name: string) => name.startsWith('__') && name !== '__typename';
  visit(document, {
    StringValue: (node) => (node.value.includes(JIT_MARKER) ? refuse() : undefined),
    Field: (node) =>
      reserved(node.name.value) || (node.alias && reserved(node.alias.value))
        ? refuse()
        : undefined,
    Variable: (node) => (node.name.value.startsWith('__') ? refuse() : undefined),
    OperationDefinition: (node) =>
      node.operation === 'subscription' || node.name?.value.startsWith('__') ? refuse() : undefined,
  });
  return ok;
}

/**
 * Apollo's gateway interface around a ready schema and an executor: Apollo validates against the
 * schema and hands every operation to the executor.
 */
export function executorGateway(
  schema: GraphQLSchema,
  executor: GatewayExecutor,
): GatewayInterface {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}
