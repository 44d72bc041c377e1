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
 * The problems of every update input, in input order (empty when all are valid). One pass that
 * allocates nothing for a valid input but the list of its property names: a run checks every
 * input before its first request, so this is time before anything is sent. An array hole counts
 * as `undefined` (an input that is not an object).
 */
export function checkUpdateInputs(inputs: ReadonlyArray<unknown>): InputProblem[] {
  const problems: InputProblem[] = [];
  for (let index = 0; index < inputs.length; index++)
    addUpdateProblems(inputs[index], index, problems);
  return problems;
}

/** The problems of one update input (empty when valid): {@link checkUpdateInputs} for one. */
export function checkUpdateInput(input: unknown, index: number): InputProblem[] {
  const problems: InputProblem[] = [];
  addUpdateProblems(input, index, problems);
  return problems;
}

/**
 * The problems of each create input's properties, under the id `#index` the outcome names it by
 * (an input's own `id`, if any, is not looked at).
 */
export function checkCreateInputs(inputs: ReadonlyArray<unknown>): InputProblem[] {
  const problems: InputProblem[] = [];
  for (let index = 0; index < inputs.length; index++) {
    const before = problems.length;
    addPropertiesProblems(
      (inputs[index] as { properties?: unknown } | null | undefined)?.properties,
      index,
      undefined,
      problems,
    );
    // The made-up id only for the inputs that have problems.
    for (let p = before; p < problems.length; p++) problems[p]!.id = `#${index}`;
  }
  return problems;
}

/** The problems of each id to read or archive, in input order. */
export function checkIds(ids: ReadonlyArray<unknown>): InputProblem[] {
  const problems: InputProblem[] = [];
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index];
    if (!isValidId(id)) problems.push(idProblem(id, index));
  }
  return problems;
}

/** Appends the problems of one update input to `problems`: its id's, then its properties'. */
function addUpdateProblems(input: unknown, index: number, problems: InputProblem[]): void {
  if (typeof input !== 'object' || input === null) {
    problems.push({
      index,
      id: '',
      field: '',
      message: 'each input must be an object { id, properties }',
    });
    return;
  }
  // Each field is read once, in this order, whatever the input (a getter sees what it did).
  const rawId = (input as { id?: unknown }).id;
  if (!isValidId(rawId)) problems.push(idProblem(rawId, index));
  addPropertiesProblems((input as { properties?: unknown }).properties, index, rawId, problems);
}

/**
 * Appends what is wrong with `props` (an input's `properties`): it must be an object of at least
 * one HubSpot property name to a string. The names are listed once and each value read once; a
 * valid object allocates nothing but that list. The problems name the input by `rawId` as given.
 */
function addPropertiesProblems(
  props: unknown,
  index: number,
  rawId: unknown,
  problems: InputProblem[],
): void {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    problems.push({
      index,
      id: shownId(rawId),
      field: 'properties',
      message: 'properties must be an object of property name to string value',
    });
    return;
  }
  const names = Object.keys(props);
  if (names.length === 0)
    problems.push({
      index,
      id: shownId(rawId),
      field: 'properties',
      message: 'properties is empty: there is nothing to update',
    });
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value: unknown = (props as Record<string, unknown>)[name];
    if (!isPropertyName(name))
      problems.push({
        index,
        id: shownId(rawId),
        field: `properties.${name}`,
        message: checkPropertyName(name)!,
      });
    if (typeof value !== 'string')
      problems.push({
        index,
        id: shownId(rawId),
        field: `properties.${name}`,
        message: `value must be a string (use "" to reset the property), got ${value === null ? 'null' : typeof value}`,
      });
  }
}

/** A HubSpot property name that names no built-in of a JavaScript object. */
function isPropertyName(name: string): boolean {
  return PROPERTY_NAME.test(name) && !RESERVED_NAMES.has(name);
}

/**
 * The property-name rule: undefined when `name` is a HubSpot property name, else what is wrong
 * with it. Every place a caller's name is used (update inputs, the properties a read selects)
 * checks it here first.
 */
export function checkPropertyName(name: unknown): string | undefined {
  if (typeof name !== 'string')
    return `a property name must be a string, got ${name === null ? 'null' : typeof name}`;
  if (isPropertyName(name)) return undefined;
  const shown = JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
  if (RESERVED_NAMES.has(name))
    return `${shown} is reserved (it would name a JavaScript object's built-in, not a property)`;
  return `${shown} is not a HubSpot property name (lower-case letters, digits and _, starting with a letter, at most 100)`;
}

/** Problems of an id: a non-empty string without spaces or control characters. */
export function checkId(rawId: unknown, index: number): InputProblem[] {
  return isValidId(rawId) ? [] : [idProblem(rawId, index)];
}

/**
 * The common case of the id rule, without allocating: a string of 1–100 characters with no
 * whitespace or control character (which also means trimming would leave it as it is).
 */
function isValidId(rawId: unknown): boolean {
  return (
    typeof rawId === 'string' &&
    rawId.length !== 0 &&
    rawId.length <= MAX_ID_LENGTH &&
    !ID_FORBIDDEN.test(rawId)
  );
}

/**
 * The id rule: undefined when `rawId` is a valid id, else what is wrong with it (the first rule
 * it breaks). {@link checkId} as a message, allocating nothing for a valid id.
 */
export function checkIdValue(rawId: unknown): string | undefined {
  if (isValidId(rawId)) return undefined;
  if (typeof rawId !== 'string')
    return `id must be a string, got ${rawId === null ? 'null' : typeof rawId}`;
  if (rawId.trim() === '') return 'id is empty';
  if (rawId.length > MAX_ID_LENGTH) return `id is longer than ${MAX_ID_LENGTH} characters`;
  if (ID_FORBIDDEN.test(rawId)) return 'id contains whitespace or control characters';
  return undefined;
}

/** The problem of an id that is not valid. */
function idProblem(rawId: unknown, index: number): InputProblem {
  return { index, id: shownId(rawId), field: 'id', message: checkIdValue(rawId)! };
}

/** The id a problem names: as given, stringified when it was not a string, '' when missing. */
function shownId(rawId: unknown): string {
  return typeof rawId === 'string' ? rawId : rawId === undefined ? '' : String(rawId);
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
