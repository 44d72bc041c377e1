// HubSpot takes at most 50 inputs per batch request; everything bigger is split here.
import { BATCH_INPUT_LIMIT } from '@campaigns/hubspot-client';

/** The spec's `maxItems` for batch `inputs` (generated into the client by the codegen). */
export const HUBSPOT_BATCH_LIMIT: number = BATCH_INPUT_LIMIT;

/** Splits `items` into consecutive chunks of at most `size` (1–50) items, keeping order. */
export function chunk<T>(items: readonly T[], size: number = HUBSPOT_BATCH_LIMIT): T[][] {
  checkChunkSize(size);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Throws a RangeError for a chunk size that is not an integer from 1 to 50. */
export function checkChunkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > HUBSPOT_BATCH_LIMIT) {
    throw new RangeError(
      `chunk size must be an integer from 1 to ${HUBSPOT_BATCH_LIMIT}, got ${size}`,
    );
  }
}

/** Splits a chunk in two halves (the first one larger when odd), for isolating bad items. */
export function bisect<T>(items: readonly T[]): [T[], T[]] {
  const mid = Math.ceil(items.length / 2);
  return [items.slice(0, mid), items.slice(mid)];
}
