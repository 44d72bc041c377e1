// The schema's two custom scalars. DateTime carries HubSpot's ISO 8601 strings unchanged (no
// time-zone games); JSON carries HubSpot's free-form maps (`context`, `links`) as they are.
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function toDateTime(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))
    return value;
  throw new GraphQLError(
    `DateTime must be an ISO 8601 date-time such as 2026-03-01T12:00:00Z, got ${JSON.stringify(value)}`,
  );
}

export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO 8601 date-time, e.g. `2026-03-01T12:00:00.000Z`.',
  serialize: toDateTime,
  parseValue: toDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError('DateTime must be a string', { nodes: [ast] });
    return toDateTime(ast.value);
  },
});

function literalToJson(
  ast: ValueNode,
  variables: Record<string, unknown> | null | undefined,
): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(
        ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]),
      );
    case Kind.VARIABLE:
      // Own properties only: `$constructor` must not read Object.prototype.constructor.
      return variables && Object.hasOwn(variables, ast.name.value)
        ? variables[ast.name.value]
        : undefined;
  }
}

export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value (object, array, string, number, boolean or null).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalToJson(ast, variables),
});
