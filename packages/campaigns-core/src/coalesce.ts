// The same campaign twice in one run would race with itself across chunks (and HubSpot rejects
// duplicate ids in one batch): merge them into one update, later values winning per property.
import type { CoalescedId } from './outcome.js';
import type { UpdateInput } from './validate.js';

export interface CoalescedUpdate extends UpdateInput {
  /** Position of the first occurrence: the result is reported there. */
  firstIndex: number;
}

export function coalesceUpdates(
  inputs: ReadonlyArray<{ index: number; input: UpdateInput }>,
): { updates: CoalescedUpdate[]; coalesced: CoalescedId[] } {
  const byId = new Map<string, CoalescedUpdate & { indices: number[] }>();
  for (const { index, input } of inputs) {
    const existing = byId.get(input.id);
    if (existing) {
      Object.assign(existing.properties, input.properties);
      existing.indices.push(index);
    } else {
      byId.set(input.id, { id: input.id, properties: { ...input.properties }, firstIndex: index, indices: [index] });
    }
  }
  const updates: CoalescedUpdate[] = [];
  const coalesced: CoalescedId[] = [];
  for (const { indices, ...update } of byId.values()) {
    updates.push(update);
    if (indices.length > 1) coalesced.push({ id: update.id, indices });
  }
  return { updates, coalesced };
}
