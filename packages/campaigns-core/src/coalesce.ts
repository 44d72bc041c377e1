// The same campaign twice in one run would race with itself across chunks (and HubSpot rejects
// duplicate ids in one batch): merge them into one update, later values winning per property.
import type { CoalescedId } from './outcome.js';
import type { UpdateInput } from './validate.js';

/**
 * Returns one update per id, in order of first occurrence. An id given once keeps the caller's
 * own object (no copy: a 100,000-row run should not hold its input twice); a repeated id gets
 * a merged copy.
 */
export function coalesceUpdates(inputs: ReadonlyArray<{ index: number; input: UpdateInput }>): {
  updates: UpdateInput[];
  coalesced: CoalescedId[];
} {
  const byId = new Map<string, { update: UpdateInput; indices: number[] }>();
  for (const { index, input } of inputs) {
    const existing = byId.get(input.id);
    if (!existing) {
      byId.set(input.id, { update: input, indices: [index] });
      continue;
    }
    // A null-prototype copy: assigning a key such as `__proto__` (which a caller that skipped
    // validation could send) makes an own property instead of changing the object's prototype.
    if (existing.indices.length === 1)
      existing.update = {
        id: input.id,
        properties: Object.assign(
          Object.create(null) as Record<string, string>,
          existing.update.properties,
        ),
      };
    Object.assign(existing.update.properties, input.properties);
    existing.indices.push(index);
  }
  const updates: UpdateInput[] = [];
  const coalesced: CoalescedId[] = [];
  for (const { update, indices } of byId.values()) {
    updates.push(update);
    if (indices.length > 1) coalesced.push({ id: update.id, indices });
  }
  return { updates, coalesced };
}
