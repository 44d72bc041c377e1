// Validation rules that refuse expensive documents before anything runs: selection depth,
// aliases and an estimated cost, plus operations whose root type the schema lacks.
//
// The measure is linear in the size of the document: each fragment is measured once (memoised)
// and its totals are reused, multiplied arithmetically, wherever it is spread, so a fragment
// that spreads the previous one twice, thirty times over, costs thirty small steps, not 2^30.
// Fragment cycles are tolerated (graphql-js reports them itself). With limits, the measure stops
// as soon as any of them is exceeded, and counters saturate so nothing overflows.
//
// Every field counts, `__typename` included; introspection subtrees (`__schema`, `__type`) are
// not counted (introspection is off in production).
import type { ApolloServerPlugin, BaseContext, DocumentStore } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  isListType,
  isNonNullType,
  isCompositeType,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface QueryLimits {
  /** Deepest field nesting (a top-level field is depth 1). */
  maxDepth: number;
  /** Aliased fields in one operation, fragments expanded. */
  maxAliases: number;
  /**
   * Estimated cost, fragments expanded: each field costs 1, and everything under a list field
   * counts LIST_COST_FACTOR times. Within one selection set, the n-th field with a response name
   * already used there costs n instead of 1, and the n-th distinct fragment spread costs n-1:
   * validation compares those pairwise, so a selection set repeating one field cannot buy
   * quadratic work at linear cost.
   */
  maxCost: number;
}

/** The three limits from the gateway's settings (MAX_QUERY_DEPTH, MAX_QUERY_ALIASES, MAX_QUERY_COST). */
export function queryLimitsOf(limits: {
  maxQueryDepth: number;
  maxQueryAliases: number;
  maxQueryCost: number;
}): QueryLimits {
  return {
    maxDepth: limits.maxQueryDepth,
    maxAliases: limits.maxQueryAliases,
    maxCost: limits.maxQueryCost,
  };
}

/** How many items a list field is assumed to hold when estimating cost. */
export const LIST_COST_FACTOR = 10;

export interface OperationMeasure {
  depth: number;
  aliases: number;
  cost: number;
}

/** Which limit a measure stopped at, and the count reached when it stopped (a lower bound). */
export interface LimitExceeded {
  setting: 'MAX_QUERY_DEPTH' | 'MAX_QUERY_ALIASES' | 'MAX_QUERY_COST';
  max: number;
  actual: number;
}

const LIMIT_WHAT: Record<LimitExceeded['setting'], string> = {
  MAX_QUERY_DEPTH: 'depth',
  MAX_QUERY_ALIASES: 'alias count',
  MAX_QUERY_COST: 'estimated cost',
};

/** Introspection entry points: not counted (introspection is disabled in production). */
const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

/** Saturating arithmetic: counts never leave the range of exact integers. */
const CAP = Number.MAX_SAFE_INTEGER;
const add = (a: number, b: number) => Math.min(a + b, CAP);
const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : Math.min(a * b, CAP));

/** What one selection set (with its inline fragments) has seen: the merge check compares these pairwise. */
interface MergeCounts {
  responseNames: Map<string, number>;
  fragments: Set<string>;
}

/** A selection set's totals, plus how many fragments it reaches (an upper bound: shared ones count per path). */
interface Totals extends OperationMeasure {
  reach: number;
}
const NO_TOTALS: Totals = Object.freeze({ depth: 0, aliases: 0, cost: 0, reach: 0 });

/** Thrown inside the measure to stop at the first exceeded limit. */
class Stop {
  constructor(readonly exceeded: LimitExceeded) {}
}

/**
 * Measures the operations of one document. Fragment totals are shared between its operations.
 * With `limits`, {@link measure} stops at the first exceeded limit and says which.
 */
class DocumentMeasurer {
  /** Totals of each fragment relative to where it is spread; `null` while being measured (a cycle). */
  readonly #fragmentTotals = new Map<string, Totals | null>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly limits?: QueryLimits,
  ) {}

  measure(operation: OperationDefinitionNode): OperationMeasure & { exceeded?: LimitExceeded } {
    try {
      const { depth, aliases, cost } = this.#selectionSet(
        operation.selectionSet,
        this.schema.getRootType(operation.operation),
      );
      return { depth, aliases, cost };
    } catch (error) {
      if (error instanceof Stop) {
        const { setting, actual } = error.exceeded;
        return {
          depth: setting === 'MAX_QUERY_DEPTH' ? actual : 0,
          aliases: setting === 'MAX_QUERY_ALIASES' ? actual : 0,
          cost: setting === 'MAX_QUERY_COST' ? actual : 0,
          exceeded: error.exceeded,
        };
      }
      throw error;
    }
  }

  /**
   * Totals of a selection set: depth relative to it (its own fields are at depth 1), aliases,
   * and cost before the multiplier of the list fields above it. Each total is a lower bound of
   * the operation's (multipliers are ≥ 1, depths only grow), so exceeding a limit here means the
   * operation exceeds it.
   */
  #selectionSet(
    set: SelectionSetNode,
    parent: GraphQLCompositeType | undefined | null,
    depthOffset = 0,
    merging: MergeCounts = { responseNames: new Map(), fragments: new Set() },
  ): Totals {
    const totals: Totals = { depth: 0, aliases: 0, cost: 0, reach: 0 };
    const merge = (inner: Totals, depthShift: number, multiplier: number) => {
      if (inner.depth > 0) totals.depth = Math.max(totals.depth, inner.depth + depthShift);
      totals.aliases = add(totals.aliases, inner.aliases);
      totals.cost = add(totals.cost, mul(inner.cost, multiplier));
      totals.reach = add(totals.reach, inner.reach);
    };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (INTROSPECTION_FIELDS.has(name)) continue;
        // A response name given again in the same selection set is checked against each
        // earlier one (graphql-js' OverlappingFieldsCanBeMerged): the n-th costs n.
        const responseName = selection.alias?.value ?? name;
        const earlier = merging.responseNames.get(responseName) ?? 0;
        merging.responseNames.set(responseName, earlier + 1);
        totals.depth = Math.max(totals.depth, 1);
        totals.cost = add(totals.cost, 1 + earlier);
        if (selection.alias) totals.aliases = add(totals.aliases, 1);
        this.#check(totals, depthOffset);
        if (!selection.selectionSet) continue;
        const fieldType =
          parent && 'getFields' in parent ? parent.getFields()[name]?.type : undefined;
        const next = fieldType ? getNamedType(fieldType) : undefined;
        const inner = this.#selectionSet(
          selection.selectionSet,
          next && isCompositeType(next) ? next : undefined,
          depthOffset + 1,
        );
        merge(inner, 1, fieldType && returnsList(fieldType) ? LIST_COST_FACTOR : 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        // Its fields merge into this selection set's: same counts.
        const typed = selection.typeCondition
          ? this.schema.getType(selection.typeCondition.name.value)
          : parent;
        merge(
          this.#selectionSet(
            selection.selectionSet,
            typed && isCompositeType(typed) ? typed : parent,
            depthOffset,
            merging,
          ),
          0,
          1,
        );
      } else {
        // The merge check compares this selection set's fields with each distinct fragment
        // spread here and every fragment that one reaches, and the spreads with each other: a
        // distinct spread costs the fragments it reaches plus the spreads before it.
        const name = selection.name.value;
        const fragment = this.#fragment(name);
        if (!merging.fragments.has(name)) {
          totals.cost = add(totals.cost, add(fragment.reach, merging.fragments.size));
          totals.reach = add(totals.reach, add(fragment.reach, 1));
          merging.fragments.add(name);
        }
        merge({ ...fragment, reach: 0 }, 0, 1);
      }
      this.#check(totals, depthOffset);
    }
    return totals;
  }

  /** A fragment's totals, measured once; a fragment still being measured (a cycle) counts 0. */
  #fragment(name: string): Totals {
    const known = this.#fragmentTotals.get(name);
    if (known !== undefined) return known ?? NO_TOTALS;
    const fragment = this.fragments.get(name);
    if (!fragment) return NO_TOTALS;
    this.#fragmentTotals.set(name, null);
    const typed = this.schema.getType(fragment.typeCondition.name.value);
    const totals = this.#selectionSet(
      fragment.selectionSet,
      typed && isCompositeType(typed) ? typed : undefined,
    );
    this.#fragmentTotals.set(name, totals);
    return totals;
  }

  #check(totals: Totals, depthOffset: number): void {
    const limits = this.limits;
    if (!limits) return;
    const depth = totals.depth + depthOffset;
    if (depth > limits.maxDepth)
      throw new Stop({ setting: 'MAX_QUERY_DEPTH', max: limits.maxDepth, actual: depth });
    if (totals.aliases > limits.maxAliases)
      throw new Stop({
        setting: 'MAX_QUERY_ALIASES',
        max: limits.maxAliases,
        actual: totals.aliases,
      });
    if (totals.cost > limits.maxCost)
      throw new Stop({ setting: 'MAX_QUERY_COST', max: limits.maxCost, actual: totals.cost });
  }
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions)
    if (def.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(def.name.value))
      fragments.set(def.name.value, def);
  return fragments;
}

/**
 * Measures one operation of a validated-or-not document, fragments expanded; exported for tests
 * and tooling. With `limits`, stops at the first exceeded limit (`exceeded` says which, and its
 * count is then a lower bound).
 */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  context: Pick<ValidationContext, 'getSchema'>,
  limits?: QueryLimits,
): OperationMeasure & { exceeded?: LimitExceeded } {
  return new DocumentMeasurer(context.getSchema(), fragments, limits).measure(operation);
}

/** An empty document: what the other validation rules get to walk once a limit refused the real one. */
const NOTHING: DocumentNode = Object.freeze({ kind: Kind.DOCUMENT, definitions: [] });

/**
 * One validation rule enforcing all three limits, each failure naming its setting.
 *
 * graphql-js runs every validation rule in one parallel walk of the document, and some of the
 * spec rules (OverlappingFieldsCanBeMerged) are quadratic in a selection set. This rule does
 * all its work in `Document` enter, before any other node is visited, and when a limit is
 * exceeded it replaces the document being walked with an empty one (a visitor may return a
 * replacement node): the other rules then see nothing, so a refused document costs only this
 * rule's linear measure. It must therefore run in the same `validate` call as the spec rules
 * (Apollo's `validationRules`, without `maxRecursiveSelections`, which would move these rules
 * to a second pass that runs only after the spec rules have walked the whole document).
 */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(document) {
      const measurer = new DocumentMeasurer(context.getSchema(), fragmentsOf(document), limits);
      let refused = false;
      for (const def of document.definitions) {
        if (def.kind !== Kind.OPERATION_DEFINITION) continue;
        const { exceeded } = measurer.measure(def);
        if (!exceeded) continue;
        refused = true;
        const name = def.name ? `operation "${def.name.value}"` : 'the operation';
        const { setting, max, actual } = exceeded;
        context.reportError(
          new GraphQLError(
            `${name} exceeds ${setting}=${max}: its ${LIMIT_WHAT[setting]} is at least ${actual} (counting stops at the first exceeded limit)`,
            { nodes: [def], extensions: { limit: { setting, max, actual } } },
          ),
        );
      }
      return refused ? NOTHING : false;
    },
  });
}

/**
 * Refuses operations whose root type the schema does not define (today: `subscription`), as a
 * validation error instead of an execution failure. General: a schema that gains a Subscription
 * type accepts subscriptions without a change here.
 */
export const KnownRootTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(
        new GraphQLError(
          `this API has no ${node.operation} operations: the schema defines no ${node.operation} root type`,
          { nodes: [node] },
        ),
      );
    }
    return false;
  },
});

/**
 * Refuses `subscription` operations on GraphQL over HTTP (POST and GET answer once; a
 * subscription needs a stream), as a validation error (HTTP 400) before anything runs.
 * Subscriptions are served on the event stream (graphql-sse), which does not run this rule.
 */
export const NoSubscriptionOverHttpRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation === 'subscription') {
      context.reportError(
        new GraphQLError(
          'subscriptions are not served over plain GraphQL POST/GET: subscribe on the event stream (graphql-sse) instead',
          { nodes: [node] },
        ),
      );
    }
    return false;
  },
});

/**
 * Refuses introspection (`__schema`, `__type`), like Apollo's own rule that `introspection: false`
 * adds; the gateway adds it itself (see {@link gatewayValidationRules}) so that the manifest check
 * at start runs the very rules Apollo runs.
 */
export const NoIntrospectionRule: ValidationRule = (context) => ({
  Field(node) {
    if (INTROSPECTION_FIELDS.has(node.name.value)) {
      context.reportError(
        new GraphQLError(
          'GraphQL introspection is not allowed here (NODE_ENV=production), but the query contained __schema or __type',
          { nodes: [node], extensions: { validationErrorCode: 'INTROSPECTION_DISABLED' } },
        ),
      );
    }
  },
});

/**
 * The validation rules the gateway runs after graphql-js' `specifiedRules`, in order: Apollo's
 * `validationRules` (with Apollo's own `introspection` option left on: this list has the
 * introspection rule), and the manifest check at start, so a trusted document is checked at
 * start with exactly what will check it when called. Without `limits` the limits rule is left
 * out (tooling that checks documents against the schema only).
 */
export function gatewayValidationRules(options: {
  limits?: QueryLimits;
  introspection: boolean;
}): ValidationRule[] {
  return [
    ...(options.introspection ? [] : [NoIntrospectionRule]),
    ...(options.limits ? [queryLimitsRule(options.limits)] : []),
    KnownRootTypesRule,
  ];
}

/**
 * Validation stops after this many errors (graphql-js' `maxErrors`, default 100). graphql-js
 * computes each error's line and column by scanning the document from its start, so a document
 * of line breaks (free for MAX_QUERY_TOKENS) costs errors × its length: this bounds the first
 * factor as MAX_QUERY_BYTES bounds the second. A client fixing its document needs the first few.
 */
export const MAX_VALIDATION_ERRORS = 20;

function returnsList(type: GraphQLOutputType): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  return isListType(inner);
}

/**
 * Where graphql-js' parser, given `maxTokens`, stops: the start of token `maxTokens + 1`
 * (comments do not count). Undefined when the document has no such token or the lexer fails
 * before it (then the parser failed for that reason first). Linear in the document, run only when
 * parsing failed.
 */
export function tokenLimitPosition(source: string, maxTokens: number): number | undefined {
  const lexer = new Lexer(new Source(source));
  try {
    for (let count = 1; count <= maxTokens + 1; count++) {
      const token = lexer.advance();
      if (token.kind === TokenKind.EOF) return undefined;
      if (count === maxTokens + 1) return token.start;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Parsing stops after MAX_QUERY_TOKENS lexical tokens (Apollo's `parseOptions.maxTokens`); this
 * plugin turns graphql-js' terse message into one naming the setting and the way out (variables),
 * with `extensions.limit`. The answer stays Apollo's GRAPHQL_PARSE_FAILED (HTTP 400).
 *
 * A syntax error is the token limit's when it sits where the parser's count ran out (see
 * {@link tokenLimitPosition}): no reliance on graphql-js' wording ("more that" in v16).
 */
export function tokenLimitPlugin<TContext extends BaseContext>(
  maxTokens: number,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async parsingDidStart({ source }) {
          // Apollo wraps this error afterwards, copying its message and extensions.
          return async (error?: Error) => void explainTokenLimit(error, source, maxTokens);
        },
      };
    },
  };
}

/**
 * Rewords a parse error of `source` that is the token limit's (see {@link tokenLimitPosition}) to
 * name MAX_QUERY_TOKENS and the way out, with `extensions.limit`; true when it was. Any other
 * error is left as it is. The plugin above and the progress stream (stream/operation.ts) use it.
 */
export function explainTokenLimit(error: unknown, source: string, maxTokens: number): boolean {
  if (!(error instanceof GraphQLError) || error.positions?.length !== 1) return false;
  if (error.positions[0] !== tokenLimitPosition(source, maxTokens)) return false;
  error.message = `the document has more than MAX_QUERY_TOKENS=${maxTokens} lexical tokens: send large inputs (lists, long strings) as variables instead of inline literals`;
  Object.assign(error.extensions, { limit: { setting: 'MAX_QUERY_TOKENS', max: maxTokens } });
  return true;
}

// --- Apollo's document store ------------------------------------------------------------------

/**
 * Heap a parsed document keeps per lexical token, AST nodes included (graphql-js 16, Node 20): a
 * document with locations keeps every token of its source, comments included, through `loc`.
 * Measured (test/limits.test.ts checks these stay upper bounds): a comment ~90-120 bytes, another
 * token ~240-515 bytes (a field name: a token, a Name and a Field node, two locations), plus the
 * source text (1-2 bytes a character).
 */
const RETAINED_BYTES = { comment: 128, token: 640, sourceChar: 2, entry: 256 } as const;

/**
 * An upper bound of the heap a parsed document keeps alive. Apollo's default store sizes a
 * document by `JSON.stringify`, which drops `loc` and so every token: a document of 16,000
 * comments counted a few dozen bytes and kept 1.4 MB.
 */
export function retainedBytes(document: DocumentNode): number {
  const loc = document.loc;
  if (!loc)
    return RETAINED_BYTES.entry + RETAINED_BYTES.sourceChar * JSON.stringify(document).length;
  let comments = 0;
  let tokens = 0;
  for (let token: typeof loc.startToken | null = loc.startToken; token; token = token.next) {
    if (token.kind === TokenKind.COMMENT) comments++;
    else tokens++;
  }
  return (
    RETAINED_BYTES.entry +
    comments * RETAINED_BYTES.comment +
    tokens * RETAINED_BYTES.token +
    loc.source.body.length * RETAINED_BYTES.sourceChar
  );
}

/** What Apollo's document store may hold, in {@link retainedBytes}: about Apollo's default (30 MiB), now of real heap. */
export const DOCUMENT_STORE_BYTES = 32 * 1024 * 1024;

/**
 * Apollo's cache of parsed and validated documents (by the SHA-256 of their text), least recently
 * used first out, holding at most `maxBytes` of {@link retainedBytes}.
 */
export class BoundedDocumentStore implements DocumentStore {
  readonly #entries = new Map<string, { document: DocumentNode; bytes: number }>();
  #bytes = 0;

  constructor(readonly maxBytes: number = DOCUMENT_STORE_BYTES) {}

  /** The estimated heap held, in bytes (never above `maxBytes`). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    // Most recently used: last in the map's order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.document;
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    await this.delete(key);
    const bytes = retainedBytes(document);
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { document, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  async delete(key: string): Promise<boolean> {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    return true;
  }
}
