// The same campaign twice in one run would race with itself across chunks (and HubSpot rejects
// duplicate ids in one batch): merge them into one update, later values winning per property.
import type { CoalescedId } from './outcome.js';
import type { UpdateInput } from './validate.js';

/**
 * Returns one update per id, in order of first occurrence. An id given once keeps the caller's
 * own object (no copy: a 100,000-row run should not hold its input twice); a repeated id gets
 * a merged copy. `index` is what `coalesced` reports for each input.
 */
export function coalesceUpdates(inputs: ReadonlyArray<{ index: number; input: UpdateInput }>): {
  updates: UpdateInput[];
  coalesced: CoalescedId[];
} {
  const { updates, coalesced } = coalesceInputs(inputs.map((i) => i.input));
  return {
    updates,
    coalesced: coalesced.map(({ id, indices }) => ({
      id,
      indices: indices.map((position) => inputs[position]!.index),
    })),
  };
}

/**
 * {@link coalesceUpdates} over `inputs` by position, leaving out the positions `skip` names. No
 * object per input: one id → first position map, and a merged copy only for repeated ids.
 */
export function coalesceInputs(
  inputs: ReadonlyArray<UpdateInput>,
  skip?: (index: number) => boolean,
): { updates: UpdateInput[]; coalesced: CoalescedId[] } {
  const first = new Map<string, number>();
  let repeated: Map<number, { update: UpdateInput; indices: number[] }> | undefined;
  for (let index = 0; index < inputs.length; index++) {
    if (skip?.(index)) continue;
    const input = inputs[index]!;
    const at = first.get(input.id);
    if (at === undefined) {
      first.set(input.id, index);
      continue;
    }
    repeated ??= new Map();
    let merged = repeated.get(at);
    if (!merged) {
      // A null-prototype copy: assigning a key such as `__proto__` (which a caller that skipped
      // validation could send) makes an own property instead of changing the object's prototype.
      merged = {
        update: {
          id: input.id,
          properties: Object.assign(
            Object.create(null) as Record<string, string>,
            inputs[at]!.properties,
          ),
        },
        indices: [at],
      };
      repeated.set(at, merged);
    }
    Object.assign(merged.update.properties, input.properties);
    merged.indices.push(index);
  }
  const updates = new Array<UpdateInput>(first.size);
  const coalesced: CoalescedId[] = [];
  let next = 0;
  for (const at of first.values()) {
    const merged = repeated?.get(at);
    updates[next++] = merged?.update ?? inputs[at]!;
    if (merged) coalesced.push({ id: merged.update.id, indices: merged.indices });
  }
  return { updates, coalesced };
}
