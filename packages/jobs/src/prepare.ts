// A job's inputs, checked and merged at start exactly as `updateCampaigns` does it: the engine's
// own validator and coalescing, so a job and a synchronous call accept the same inputs.
import { checkUpdateInput, InvalidInputsError, type UpdateInput } from '@campaigns/core';
import { coalesceUpdates } from '@campaigns/core/internal';
import type { CoalescedId } from '@campaigns/core';
import { JobLimitError } from './errors.js';

export interface PreparedInputs {
  /** One update per distinct id, in order of first occurrence. */
  updates: UpdateInput[];
  coalesced: CoalescedId[];
}

/**
 * Refuses more than `maxCampaigns` inputs (before reading them) and any invalid input (every
 * problem listed, as `updateCampaigns` with `onInvalid: 'reject'` would); merges repeated ids.
 */
export function prepareInputs(
  inputs: ReadonlyArray<unknown>,
  maxCampaigns: number,
): PreparedInputs {
  if (!Array.isArray(inputs)) throw new TypeError('inputs must be an array of { id, properties }');
  if (inputs.length > maxCampaigns)
    throw new JobLimitError('maxCampaignsPerJob', maxCampaigns, inputs.length);
  const problems = inputs.flatMap((input, index) => checkUpdateInput(input, index));
  if (problems.length > 0) throw new InvalidInputsError(problems);
  const valid = (inputs as UpdateInput[]).map((input, index) => ({
    index,
    // Only what HubSpot takes, detached from the caller's object.
    input: { id: input.id, properties: { ...input.properties } },
  }));
  return coalesceUpdates(valid);
}
