// GraphQL input → the engine's input, refusing the whole request with BAD_USER_INPUT when
// anything is wrong: every problem is listed with its index, id and field, and nothing is sent.
// Property-name and id rules are the engine's own (checkUpdateInput, checkPropertyName, checkId),
// applied to every name as the caller sent it (`__proto__` included); the gateway adds
// its configurable limits and the checks only a list of {name, value} pairs needs.
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

function tooMany(what: string, setting: string, max: number, actual: number): GraphQLError {
  return badUserInput(
    `${what} takes at most ${max} campaigns (${setting}), got ${actual}: split the request`,
    {
      limit: { setting, max, actual },
      problems: [],
      problemCount: 1,
    },
  );
}

/** Validates and converts the mutation's inputs; throws BAD_USER_INPUT listing every problem. */
export function toUpdateInputs(
  inputs: ReadonlyArray<CampaignUpdateInput>,
  limits: LimitsConfig,
): UpdateInput[] {
  if (inputs.length > limits.maxCampaignsPerMutation) {
    throw tooMany(
      'updateCampaigns',
      'MAX_CAMPAIGNS_PER_MUTATION',
      limits.maxCampaignsPerMutation,
      inputs.length,
    );
  }
  const problems: InputProblem[] = [];
  const updates = inputs.map((input, index) => {
    const at = (field: string, message: string) =>
      problems.push({ index, id: input.id, field, message });
    // [name, value] pairs, made into an object by Object.fromEntries: every name becomes an own
    // property (`properties[name] = value` would drop `__proto__`, silently), so the engine's
    // property-name rule below sees, and refuses, each of them.
    const entries: Array<[string, string]> = [];
    const position = new Map<string, number>();
    if (input.properties.length > limits.maxPropertiesPerCampaign) {
      at(
        'properties',
        `has ${input.properties.length} properties, more than MAX_PROPERTIES_PER_CAMPAIGN=${limits.maxPropertiesPerCampaign}`,
      );
    }
    input.properties.forEach(({ name, value }, i) => {
      if (position.has(name)) {
        at(
          `properties[${i}].name`,
          `"${name}" is given twice (also at properties[${position.get(name)}])`,
        );
        return;
      }
      position.set(name, i);
      if (value.length > limits.maxPropertyValueLength) {
        at(
          `properties[${i}].value`,
          `is ${value.length} characters long, more than MAX_PROPERTY_VALUE_LENGTH=${limits.maxPropertyValueLength}`,
        );
      }
      entries.push([name, value]);
    });
    const update: UpdateInput = { id: input.id, properties: Object.fromEntries(entries) };
    for (const problem of checkUpdateInput(update, index)) {
      problems.push({ ...problem, id: input.id, field: graphqlField(problem.field, position) });
    }
    return update;
  });
  if (problems.length > 0) throw invalidInputError(problems);
  return updates;
}

/** Validates the query's ids; throws BAD_USER_INPUT listing every problem. */
export function toReadIds(
  ids: ReadonlyArray<string>,
  properties: ReadonlyArray<string> | null | undefined,
  limits: LimitsConfig,
): string[] {
  if (ids.length > limits.maxCampaignsPerQuery) {
    throw tooMany('campaigns', 'MAX_CAMPAIGNS_PER_QUERY', limits.maxCampaignsPerQuery, ids.length);
  }
  const problems = ids.flatMap((id, index) =>
    checkId(id, index).map((p) => ({ ...p, field: 'ids' })),
  );
  (properties ?? []).forEach((name, i) => {
    const message = checkPropertyName(name);
    if (message) problems.push({ index: i, id: '', field: `properties[${i}]`, message });
  });
  if (problems.length > 0) throw invalidInputError(problems);
  return [...ids];
}

/** The engine names fields `properties.<name>`; callers sent a list, so point at its position. */
function graphqlField(field: string, position: ReadonlyMap<string, number>): string {
  if (!field.startsWith('properties.')) return field;
  const name = field.slice('properties.'.length);
  const i = position.get(name);
  return i === undefined ? field : `properties[${i}].name`;
}
