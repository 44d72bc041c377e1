// What a job is made of: the gateway's CampaignUpdateInput, built from a selection or a CSV.

export interface PropertyChange {
  name: string;
  /** `""` resets the property. */
  value: string;
}

export interface UpdateInput {
  id: string;
  properties: PropertyChange[];
}

/** The same change for every id. */
export function sameChangeFor(ids: Iterable<string>, change: PropertyChange): UpdateInput[] {
  return [...ids].map((id) => ({ id, properties: [{ ...change }] }));
}
