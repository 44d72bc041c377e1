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
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  isListType,
  isNonNullType,
  isCompositeType,
  Kind,
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

function returnsList(type: GraphQLOutputType): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  return isListType(inner);
}

/** graphql-js' message when `parseOptions.maxTokens` stops the parser ("more that" in v16). */
const TOO_MANY_TOKENS = /Document contains more th[ae][nt] \d+ tokens/;

/**
 * Parsing stops after MAX_QUERY_TOKENS lexical tokens (Apollo's `parseOptions.maxTokens`); this
 * plugin turns graphql-js' terse message into one naming the setting and the way out (variables),
 * with `extensions.limit`. The answer stays Apollo's GRAPHQL_PARSE_FAILED (HTTP 400).
 */
export function tokenLimitPlugin<TContext extends BaseContext>(
  maxTokens: number,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async parsingDidStart() {
          return async (error?: Error) => {
            if (!(error instanceof GraphQLError) || !TOO_MANY_TOKENS.test(error.message)) return;
            // Apollo wraps this error afterwards, copying its message and extensions.
            error.message = `the document has more than MAX_QUERY_TOKENS=${maxTokens} lexical tokens: send large inputs (lists, long strings) as variables instead of inline literals`;
            Object.assign(error.extensions, {
              limit: { setting: 'MAX_QUERY_TOKENS', max: maxTokens },
            });
          };
        },
      };
    },
  };
}
