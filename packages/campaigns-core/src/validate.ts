// Checks inputs before anything is sent, so one malformed row is reported with its position
// instead of failing a whole chunk at HubSpot.

/** HubSpot internal property names: lower-case letters, digits and underscores, max 100. */
const PROPERTY_NAME = /^[a-z][a-z0-9_]{0,99}$/;
/**
 * Names that reach an object's prototype instead of a property of its own (`obj[name]` on a
 * plain object): refused even where they match PROPERTY_NAME, so no lookup or assignment keyed
 * by a caller's name ever touches `Object.prototype`.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_ID_LENGTH = 100;
// eslint-disable-next-line no-control-regex
const ID_FORBIDDEN = /[\s\u0000-\u001f\u007f]/;

export interface InputProblem {
  /** Position in the caller's input array. */
  index: number;
  /** The id as given (stringified when it was not a string). */
  id: string;
  /** Where in the input: `id`, `properties`, `properties.hs_name`. */
  field: string;
  message: string;
}

export interface UpdateInput {
  id: string;
  properties: Record<string, string>;
}

/**
 * Returns the problems of one update input (empty when valid). Allocates nothing beyond the
 * empty array for a valid input: a 100,000-row run checks every row.
 */
export function checkUpdateInput(input: unknown, index: number): InputProblem[] {
  const obj =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : undefined;
  const rawId = obj?.id;
  const idOf = () => (typeof rawId === 'string' ? rawId : rawId === undefined ? '' : String(rawId));

  if (!obj)
    return [
      { index, id: idOf(), field: '', message: 'each input must be an object { id, properties }' },
    ];
  const problems = checkId(rawId, index);
  const at = (field: string, message: string) =>
    problems.push({ index, id: idOf(), field, message });
  const props = obj.properties;
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    at('properties', 'properties must be an object of property name to string value');
    return problems;
  }
  const names = Object.keys(props);
  if (names.length === 0) at('properties', 'properties is empty: there is nothing to update');
  for (const name of names) {
    const value: unknown = (props as Record<string, unknown>)[name];
    const nameProblem = checkPropertyName(name);
    if (nameProblem) at(`properties.${name}`, nameProblem);
    if (typeof value !== 'string') {
      at(
        `properties.${name}`,
        `value must be a string (use "" to reset the property), got ${value === null ? 'null' : typeof value}`,
      );
    }
  }
  return problems;
}

/**
 * The property-name rule: undefined when `name` is a HubSpot property name, else what is wrong
 * with it. Every place a caller's name is used (update inputs, the properties a read selects)
 * checks it here first.
 */
export function checkPropertyName(name: unknown): string | undefined {
  if (typeof name !== 'string')
    return `a property name must be a string, got ${name === null ? 'null' : typeof name}`;
  if (PROPERTY_NAME.test(name) && !RESERVED_NAMES.has(name)) return undefined;
  const shown = JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
  if (RESERVED_NAMES.has(name))
    return `${shown} is reserved (it would name a JavaScript object's built-in, not a property)`;
  if (!PROPERTY_NAME.test(name))
    return `${shown} is not a HubSpot property name (lower-case letters, digits and _, starting with a letter, at most 100)`;
  return undefined;
}

/** Problems of an id: a non-empty string without spaces or control characters. */
export function checkId(rawId: unknown, index: number): InputProblem[] {
  const problem = (message: string): InputProblem[] => [
    {
      index,
      id: typeof rawId === 'string' ? rawId : rawId === undefined ? '' : String(rawId),
      field: 'id',
      message,
    },
  ];
  if (typeof rawId !== 'string')
    return problem(`id must be a string, got ${rawId === null ? 'null' : typeof rawId}`);
  if (rawId.trim() === '') return problem('id is empty');
  if (rawId.length > MAX_ID_LENGTH) return problem(`id is longer than ${MAX_ID_LENGTH} characters`);
  if (ID_FORBIDDEN.test(rawId)) return problem('id contains whitespace or control characters');
  return [];
}

/** Thrown when the caller asked to refuse the whole call on any invalid input. */
export class InvalidInputsError extends Error {
  override readonly name = 'InvalidInputsError';
  constructor(readonly problems: InputProblem[]) {
    const first = problems
      .slice(0, 5)
      .map(
        (p) =>
          `input ${p.index}${p.id ? ` (id "${p.id}")` : ''}${p.field ? ` ${p.field}` : ''}: ${p.message}`,
      )
      .join('; ');
    super(
      `${problems.length} invalid input${problems.length === 1 ? '' : 's'}, nothing was sent: ${first}${problems.length > 5 ? '; …' : ''}`,
    );
  }
}
