// Validation rules that refuse expensive documents before anything runs: selection depth,
// aliases and an estimated cost. Fragments are expanded (and cycles tolerated: graphql-js
// reports those itself); introspection subtrees (`__schema`, `__type`) are not counted, since
// introspection is off in production.
import {
  GraphQLError,
  getNamedType,
  isListType,
  isNonNullType,
  isCompositeType,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
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
  /** Estimated cost: each field costs 1, and everything under a list field counts LIST_COST_FACTOR times. */
  maxCost: number;
}

/** How many items a list field is assumed to hold when estimating cost. */
export const LIST_COST_FACTOR = 10;

export interface OperationMeasure {
  depth: number;
  aliases: number;
  cost: number;
}

/** Measures one operation of a validated-or-not document; exported for tests and tooling. */
export function measureOperation(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  context: Pick<ValidationContext, 'getSchema'>,
): OperationMeasure {
  const schema = context.getSchema();
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  const measure: OperationMeasure = { depth: 0, aliases: 0, cost: 0 };

  const walk = (
    set: SelectionSetNode,
    parent: GraphQLCompositeType | undefined | null,
    depth: number,
    multiplier: number,
    seen: ReadonlySet<string>,
  ) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        measure.depth = Math.max(measure.depth, depth);
        measure.cost += multiplier;
        if (selection.alias) measure.aliases += 1;
        if (!selection.selectionSet) continue;
        const fieldType =
          parent && 'getFields' in parent
            ? parent.getFields()[selection.name.value]?.type
            : undefined;
        const next = fieldType ? getNamedType(fieldType) : undefined;
        walk(
          selection.selectionSet,
          next && isCompositeType(next) ? next : undefined,
          depth + 1,
          multiplier * (fieldType && returnsList(fieldType) ? LIST_COST_FACTOR : 1),
          seen,
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition
          ? schema.getType(selection.typeCondition.name.value)
          : parent;
        walk(
          selection.selectionSet,
          typed && isCompositeType(typed) ? typed : parent,
          depth,
          multiplier,
          seen,
        );
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue;
        const typed = schema.getType(fragment.typeCondition.name.value);
        walk(
          fragment.selectionSet,
          typed && isCompositeType(typed) ? typed : parent,
          depth,
          multiplier,
          new Set([...seen, name]),
        );
      }
    }
  };
  walk(operation.selectionSet, root, 1, 1, new Set());
  return measure;
}

function returnsList(type: GraphQLOutputType): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  return isListType(inner);
}

/** One validation rule enforcing all three limits, each failure naming its setting. */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(document) {
      const fragments = new Map<string, FragmentDefinitionNode>();
      for (const def of document.definitions)
        if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
      for (const def of document.definitions) {
        if (def.kind !== Kind.OPERATION_DEFINITION) continue;
        const m = measureOperation(def, fragments, context);
        const name = def.name ? `operation "${def.name.value}"` : 'the operation';
        const report = (setting: string, what: string, actual: number, max: number) =>
          context.reportError(
            new GraphQLError(`${name} exceeds ${setting}=${max}: its ${what} is ${actual}`, {
              nodes: [def],
              extensions: { limit: { setting, max, actual } },
            }),
          );
        if (m.depth > limits.maxDepth) report('MAX_QUERY_DEPTH', 'depth', m.depth, limits.maxDepth);
        if (m.aliases > limits.maxAliases)
          report('MAX_QUERY_ALIASES', 'alias count', m.aliases, limits.maxAliases);
        if (m.cost > limits.maxCost)
          report('MAX_QUERY_COST', 'estimated cost', m.cost, limits.maxCost);
      }
      return false;
    },
  });
}
