// The schema's two custom scalars. DateTime carries HubSpot's ISO 8601 strings unchanged (no
// time-zone games); JSON carries HubSpot's free-form maps (`context`, `links`) as they are.
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;

/**
 * True when the fields of an ISO_DATE_TIME match name a real instant: a day its month has (no
 * 30 February: `Date.parse` rolls it over to March), hours to 23, minutes and seconds to 59.
 */
function isCalendarDateTime(match: RegExpExecArray): boolean {
  // Absent groups (seconds, a `Z` offset) read as 0.
  const [, year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.map(
    (group) => (group === undefined ? 0 : Number(group)),
  );
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  return (
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour! <= 23 &&
    minute! <= 59 &&
    second! <= 59 &&
    offsetHours! <= 23 &&
    offsetMinutes! <= 59
  );
}

/** Valid strings remembered, at most this many (then the set starts over)… */
export const CHECKED_DATE_TIMES_MAX = 512;
/** …each at most this long (`2026-03-01T12:00:00.000000+01:00` is 32): memory stays small. */
const CHECKED_DATE_TIME_LENGTH = 40;

/**
 * Date-time strings already found valid. The check is a function of the string alone, and the
 * same values come back request after request (a campaign's `createdAt`, a batch's `updatedAt`):
 * a value seen lately skips the pattern and `Date.parse`, most of a DateTime field's cost.
 */
const checkedDateTimes = new Set<string>();

/** True when `value` is an ISO 8601 date-time of a real day and time that `Date.parse` reads. */
export function isDateTimeString(value: string): boolean {
  if (checkedDateTimes.has(value)) return true;
  const match = ISO_DATE_TIME.exec(value);
  if (!match || !isCalendarDateTime(match) || Number.isNaN(Date.parse(value))) return false;
  if (value.length <= CHECKED_DATE_TIME_LENGTH) {
    if (checkedDateTimes.size >= CHECKED_DATE_TIMES_MAX) checkedDateTimes.clear();
    checkedDateTimes.add(value);
  }
  return true;
}

function toDateTime(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && isDateTimeString(value)) return value;
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
