// The updates the scenarios send: one property per campaign, set to a value of the run's own, so
// the simulator can say afterwards which campaigns do not hold it (`sim.notApplied`).
import type { UpdateInput } from '@campaigns/core';

export const PROPERTY = 'hs_notes';

/** One update per id, setting PROPERTY to `${tag} #${i}`. */
export function updatesFor(ids: readonly string[], tag: string): UpdateInput[] {
  return ids.map((id, i) => ({ id, properties: { [PROPERTY]: `${tag} #${i}` } }));
}

/** What the simulator should hold in PROPERTY once `inputs` are applied (the last value wins). */
export function expectedOf(inputs: readonly UpdateInput[]): Record<string, string> {
  const expected: Record<string, string> = {};
  for (const input of inputs) expected[input.id] = input.properties[PROPERTY]!;
  return expected;
}

export function intendedUpdates(
  ids: readonly string[],
  tag: string,
): { inputs: UpdateInput[]; expected: Record<string, string> } {
  const inputs = updatesFor(ids, tag);
  return { inputs, expected: expectedOf(inputs) };
}
