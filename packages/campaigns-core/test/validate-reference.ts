// The input checks as they were before the single-pass validator (validate.ts): kept verbatim
// as the reference that validate-equivalence.test.ts compares the new one with, and that
// bench/validate.ts measures it against. Not used by the library.
import type { InputProblem } from '../src/validate.js';

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

/**
 * Returns the problems of one update input (empty when valid). Allocates nothing beyond the
 * empty array for a valid input: a 100,000-row run checks every row.
 */
export function referenceCheckUpdateInput(input: unknown, index: number): InputProblem[] {
  const obj =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : undefined;
  const rawId = obj?.id;
  const idOf = () => (typeof rawId === 'string' ? rawId : rawId === undefined ? '' : String(rawId));

  if (!obj)
    return [
      { index, id: idOf(), field: '', message: 'each input must be an object { id, properties }' },
    ];
  const problems = referenceCheckId(rawId, index);
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
    const nameProblem = referenceCheckPropertyName(name);
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
export function referenceCheckPropertyName(name: unknown): string | undefined {
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
export function referenceCheckId(rawId: unknown, index: number): InputProblem[] {
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

/** The operations' old way of checking N update inputs: a flatMap of per-input arrays. */
export function referenceCheckUpdateInputs(inputs: ReadonlyArray<unknown>): InputProblem[] {
  return inputs.flatMap((input, index) => referenceCheckUpdateInput(input, index));
}

/** The old check of N creates: each input's properties under a made-up id `#index`. */
export function referenceCheckCreateInputs(inputs: ReadonlyArray<unknown>): InputProblem[] {
  return inputs.flatMap((input, index) =>
    referenceCheckUpdateInput(
      { id: `#${index}`, properties: (input as { properties?: unknown })?.properties },
      index,
    ),
  );
}

/** The old check of N ids (read, archive). */
export function referenceCheckIds(ids: ReadonlyArray<unknown>): InputProblem[] {
  return ids.flatMap((id, index) => referenceCheckId(id, index));
}
