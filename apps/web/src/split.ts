// A job's request body must fit the gateway's body limit for this caller: MAX_BODY_BYTES without
// credentials (AUTH_MODE=none reads no larger body), MAX_JOB_BODY_BYTES with a JWT or API key.
// The page measures the body exactly as api.ts sends it and splits the inputs into as many jobs
// as needed, run one after the other as one run; it refuses only an input too large on its own.
import { StartCampaignUpdateDocument } from '@campaigns/graphql';
import { byteLength, requestBody } from './api';
import type { UpdateInput } from './inputs';
import type { EditorLimits } from './limits';

export interface BodyLimit {
  bytes: number;
  /** The gateway's setting, for messages. */
  setting: 'MAX_BODY_BYTES' | 'MAX_JOB_BODY_BYTES';
}

/** The body limit the gateway applies to a job start by this caller. */
export function bodyLimitFor(limits: EditorLimits, credentialed: boolean): BodyLimit {
  return credentialed
    ? { bytes: limits.maxJobBodyBytes, setting: 'MAX_JOB_BODY_BYTES' }
    : { bytes: limits.maxBodyBytes, setting: 'MAX_BODY_BYTES' };
}

/** The size of StartCampaignUpdate's body for `inputs`, as sent. */
export function startBodyBytes(inputs: readonly UpdateInput[]): number {
  return byteLength(requestBody(StartCampaignUpdateDocument, { inputs: [...inputs] }));
}

/** An input that cannot be sent whatever the split: it alone is over the limit. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/**
 * `inputs` in order, cut into parts whose StartCampaignUpdate body is at most `limit.bytes` and
 * which have at most `maxCampaigns` inputs each. One part when everything fits.
 */
export function splitForBody(
  inputs: readonly UpdateInput[],
  limit: BodyLimit,
  maxCampaigns: number,
): UpdateInput[][] {
  // The body is the envelope around the list plus each input's JSON, with a comma between two.
  const envelope = startBodyBytes([]);
  const parts: UpdateInput[][] = [];
  let part: UpdateInput[] = [];
  let bytes = envelope;
  for (const input of inputs) {
    const size = byteLength(JSON.stringify(input));
    if (envelope + size > limit.bytes)
      throw new BodyTooLargeError(
        `the change of ${input.id} alone makes a request of ${envelope + size} bytes, more than the gateway reads (${limit.setting}=${limit.bytes}): shorten its values`,
      );
    const added = part.length === 0 ? size : size + 1;
    if (part.length > 0 && (bytes + added > limit.bytes || part.length === maxCampaigns)) {
      parts.push(part);
      part = [];
      bytes = envelope;
    }
    bytes += part.length === 0 ? size : size + 1;
    part.push(input);
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
