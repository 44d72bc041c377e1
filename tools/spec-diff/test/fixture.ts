// A small spec in HubSpot's layout (full paths under /marketing/campaigns/2026-09-beta, servers,
// `example: null`, `*/*` default answers): the simulator's fixture, read-only; tests edit copies.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE_FILE = fileURLToPath(
  new URL(
    '../../../apps/hubspot-sim/test/fixtures/hubspot-layout-2026-09-beta.json',
    import.meta.url,
  ),
);
export const ROOT = '/marketing/campaigns/2026-09-beta';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a spec is edited freely here
export type Spec = any;

const fixture: Spec = JSON.parse(readFileSync(FIXTURE_FILE, 'utf8'));

/** A fresh copy of the fixture, with the batch inputs limited as our overlay does. */
export function baseSpec(): Spec {
  const spec = structuredClone(fixture);
  spec.components.schemas.BatchInputCampaignUpdateItem.properties.inputs.maxItems = 50;
  return spec;
}

/** A copy of the base spec with `edit` applied. */
export function edited(edit: (spec: Spec) => void): Spec {
  const spec = baseSpec();
  edit(spec);
  return spec;
}

export const schemas = (spec: Spec) => spec.components.schemas;

/** Renames property `from` of a component schema, in `properties` and `required`. */
export function renameField(spec: Spec, schema: string, from: string, to: string): void {
  const node = schemas(spec)[schema];
  node.properties[to] = node.properties[from];
  delete node.properties[from];
  node.required = (node.required ?? []).map((name: string) => (name === from ? to : name));
}
