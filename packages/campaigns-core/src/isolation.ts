// Finding the bad items of a chunk HubSpot refused with a 400: the ids its error names (dropped,
// each with the detail that names it, and the rest resent), or, when it names none, halves
// (bisect, in chunk.ts) sent again until the bad ones are alone.
import type { HubSpotApiError } from '@campaigns/hubspot-client';
import type { RunnerItem } from './batch-operation.js';
import type { ChunkReport, ErrorPayload } from './merge.js';
import { apiErrorPayload } from './payloads.js';

/** Context fields in which HubSpot (or a proxy) names the ids a detail is about. */
const ID_FIELDS = ['ids', 'id', 'objectId', 'objectIds', 'campaignGuid', 'campaignGuids'];

/**
 * Keys a 400 names, each with the detail that names it: ids in `errors[].context`
 * (`ids`, `id`, `objectId`, `campaignGuid`), in the top-level context, or quoted in a message.
 */
export function namedKeys<P>(
  error: HubSpotApiError,
  items: ReadonlyArray<RunnerItem<P>>,
): Map<string, ErrorPayload> {
  return namedAmong(error, new Set(items.map((i) => i.key)));
}

/** {@link namedKeys} among `keys`. */
function namedAmong(error: HubSpotApiError, keys: ReadonlySet<string>): Map<string, ErrorPayload> {
  const named = new Map<string, ErrorPayload>();
  const base = apiErrorPayload(error);
  const idsIn = (context: Record<string, unknown> | undefined, message: string | undefined) => {
    const found = new Set<string>();
    for (const field of ID_FIELDS) {
      const value = context?.[field];
      for (const v of Array.isArray(value) ? value : value !== undefined ? [value] : []) {
        if (typeof v === 'string' && keys.has(v)) found.add(v);
      }
    }
    if (message)
      for (const key of keys) if (key.length >= 8 && message.includes(key)) found.add(key);
    return found;
  };
  for (const detail of error.errors) {
    for (const key of idsIn(detail.context, detail.message)) {
      if (!named.has(key))
        named.set(key, {
          ...base,
          message: detail.message || base.message,
          errors: [detail],
          context: { ...(detail.context ?? {}) },
        });
    }
  }
  for (const key of idsIn(error.context, error.hubspotMessage))
    if (!named.has(key)) named.set(key, base);
  return named;
}

/**
 * Splits a chunk (the items at `positions`, whose keys `keys` holds by position) by the ids its
 * 400 names: a report failing the named ones, and the positions of the rest to resend. Undefined
 * when the error names none of them (then the chunk is bisected).
 */
export function dropNamed(
  error: HubSpotApiError,
  positions: readonly number[],
  keys: ReadonlyArray<string>,
): { report: ChunkReport<never>; named: number; rest: number[] } | undefined {
  const named = namedAmong(error, new Set(positions.map((p) => keys[p]!)));
  if (named.size === 0) return undefined;
  return {
    report: {
      keys: positions.filter((p) => named.has(keys[p]!)).map((p) => keys[p]!),
      results: [],
      errors: [...named].map(([key, payload]) => ({ keys: [key], error: payload })),
    },
    named: named.size,
    rest: positions.filter((p) => !named.has(keys[p]!)),
  };
}
