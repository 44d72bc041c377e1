// GraphQL input → the engine's input, refusing the whole request with BAD_USER_INPUT when
// anything is wrong: every problem is listed with its index, id and field, and nothing is sent.
// Validation runs once. The gateway checks only what is its own: its configurable limits
// (MAX_CAMPAIGNS_PER_*, MAX_PROPERTIES_PER_CAMPAIGN, MAX_PROPERTY_VALUE_LENGTH), a name given twice
// in a list of {name, value} pairs, and the property names a read selects (checkPropertyName). The
// rules of ids, property names and values are the engine's: it applies them (`onInvalid: 'reject'`)
// to every name as the caller sent it (`__proto__` included), and `refuse` turns its problems
// into BAD_USER_INPUT pointing at the caller's fields. When the gateway refuses on its own, the
// engine does not run, so its rules are applied here instead: the error still lists every problem.
import {
  checkId,
  checkPropertyName,
  checkUpdateInput,
  type InputProblem,
  type UpdateInput,
} from '@campaigns/core';
import { GraphQLError } from 'graphql';
import type { LimitsConfig } from './config.js';
import type { CampaignUpdateInput } from './generated/resolvers-types.js';

export type { InputProblem };

/** At most this many problems are listed in `extensions.problems`; the count is always exact. */
export const MAX_LISTED_PROBLEMS = 500;

export function badUserInput(
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });
}

/** The BAD_USER_INPUT error for a list of problems. */
export function invalidInputError(problems: InputProblem[]): GraphQLError {
  const described = problems
    .slice(0, 3)
    .map(
      (p) =>
        `inputs[${p.index}]${p.id ? ` (id "${p.id}")` : ''}${p.field ? ` ${p.field}` : ''}: ${p.message}`,
    )
    .join('; ');
  return badUserInput(
    `${problems.length} problem${problems.length === 1 ? '' : 's'} in the input, nothing was sent to HubSpot: ${described}${problems.length > 3 ? '; …' : ''}`,
    {
      problems: problems.slice(0, MAX_LISTED_PROBLEMS),
      problemCount: problems.length,
    },
  );
}

/**
 * More campaigns than `setting` allows: the one refusal for it, whether the gateway's check or the
 * job service's found it.
 */
export function tooMany(what: string, setting: string, max: number, actual: number): GraphQLError {
  return badUserInput(
    `${what} takes at most ${max} campaigns (${setting}), got ${actual}: split the request`,
    {
      limit: { setting, max, actual },
      problems: [],
      problemCount: 1,
    },
  );
}

/** Inputs the gateway accepts, to run through the engine with `onInvalid: 'reject'`. */
export interface Checked<T> {
  /** What the engine gets. */
  inputs: T[];
  /** The BAD_USER_INPUT error for the engine's problems, pointing at the caller's fields. */
  refuse(problems: InputProblem[]): GraphQLError;
}

/** How many campaigns one operation takes, and the setting that says so. */
export interface CampaignCap {
  operation: string;
  setting: string;
  max: number;
}

/**
 * The mutation's inputs as the engine's: throws BAD_USER_INPUT listing every problem when one of
 * the gateway's own checks fails (with the engine's rules applied too).
 */
export function checkUpdateInputs(
  inputs: ReadonlyArray<CampaignUpdateInput>,
  limits: LimitsConfig,
  /** The cap on campaigns: updateCampaigns' by default; startCampaignUpdate passes its own. */
  cap: CampaignCap = {
    operation: 'updateCampaigns',
    setting: 'MAX_CAMPAIGNS_PER_MUTATION',
    max: limits.maxCampaignsPerMutation,
  },
): Checked<UpdateInput> {
  if (inputs.length > cap.max) {
    throw tooMany(cap.operation, cap.setting, cap.max, inputs.length);
  }
  const own: InputProblem[] = [];
  // Plain loops, no closure, map or array per input: this runs for every campaign of every
  // mutation (10,000 of a job start).
  const updates: UpdateInput[] = [];
  for (let index = 0; index < inputs.length; index++) {
    const { id, properties } = inputs[index]!;
    const object: Record<string, string> = {};
    if (properties.length > limits.maxPropertiesPerCampaign) {
      own.push({
        index,
        id,
        field: 'properties',
        message: `has ${properties.length} properties, more than MAX_PROPERTIES_PER_CAMPAIGN=${limits.maxPropertiesPerCampaign}`,
      });
    }
    for (let i = 0; i < properties.length; i++) {
      const { name, value } = properties[i]!;
      if (Object.hasOwn(object, name)) {
        own.push({
          index,
          id,
          field: `properties[${i}].name`,
          message: `"${name}" is given twice (also at properties[${positionOf(properties, name)}])`,
        });
        continue;
      }
      if (value.length > limits.maxPropertyValueLength) {
        own.push({
          index,
          id,
          field: `properties[${i}].value`,
          message: `is ${value.length} characters long, more than MAX_PROPERTY_VALUE_LENGTH=${limits.maxPropertyValueLength}`,
        });
      }
      // Every name becomes an own property: `object.__proto__ = value` would set the prototype
      // and drop the name silently, so it is defined instead, and the engine's property-name
      // rule sees, and refuses, it.
      if (name === '__proto__')
        Object.defineProperty(object, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else object[name] = value;
    }
    updates.push({ id, properties: object });
  }
  /** An engine problem, at the caller's field: `properties.<name>` → `properties[i].name`. */
  const asSent = (problem: InputProblem): InputProblem => ({
    ...problem,
    id: inputs[problem.index]?.id ?? problem.id,
    field: graphqlField(problem.field, inputs[problem.index]?.properties ?? []),
  });
  if (own.length > 0) {
    const engine = updates.flatMap((update, index) => checkUpdateInput(update, index));
    throw invalidInputError(byIndex(own, engine.map(asSent)));
  }
  return {
    inputs: updates,
    refuse: (problems) => invalidInputError(problems.map(asSent)),
  };
}

/**
 * The query's ids, to read: throws BAD_USER_INPUT listing every problem when one of the gateway's
 * own checks fails (with the engine's id rule applied too).
 */
export function checkReadIds(
  ids: ReadonlyArray<string>,
  properties: ReadonlyArray<string> | null | undefined,
  limits: LimitsConfig,
): Checked<string> {
  if (ids.length > limits.maxCampaignsPerQuery) {
    throw tooMany('campaigns', 'MAX_CAMPAIGNS_PER_QUERY', limits.maxCampaignsPerQuery, ids.length);
  }
  const own: InputProblem[] = [];
  (properties ?? []).forEach((name, i) => {
    const message = checkPropertyName(name);
    if (message) own.push({ index: i, id: '', field: `properties[${i}]`, message });
  });
  const asSent = (problem: InputProblem): InputProblem => ({ ...problem, field: 'ids' });
  if (own.length > 0) {
    const engine = ids.flatMap((id, index) => checkId(id, index));
    throw invalidInputError([...engine.map(asSent), ...own]);
  }
  return {
    inputs: [...ids],
    refuse: (problems) => invalidInputError(problems.map(asSent)),
  };
}

/** Both lists in input order; for one input, the gateway's problems before the engine's. */
function byIndex(own: InputProblem[], engine: InputProblem[]): InputProblem[] {
  return [...own, ...engine].sort((a, b) => a.index - b.index);
}

/** Where `name` first is in a caller's list of properties (-1: not there). */
function positionOf(properties: ReadonlyArray<{ name: string }>, name: string): number {
  return properties.findIndex((p) => p.name === name);
}

/** The engine names fields `properties.<name>`; callers sent a list, so point at its position. */
function graphqlField(field: string, properties: ReadonlyArray<{ name: string }>): string {
  if (!field.startsWith('properties.')) return field;
  const i = positionOf(properties, field.slice('properties.'.length));
  return i < 0 ? field : `properties[${i}].name`;
}
