// HubSpot publishes the same API with different path layouts: some files put the API root in
// `servers` (paths like `/batch/update`), others in every path (`/marketing/v3/campaigns/...`,
// `/marketing/campaigns/2026-03/...`). Generated types always use paths relative to the API
// root, so a client built on them works for every version and every file layout.
// Which prefixes are an API root (v3, a date version with or without `-beta`, a `{version}`
// template) is the client's one definition, shared with the simulator.
import { specPathRelativeToApiRoot } from '@campaigns/hubspot-client/version';
import type { OpenApiDocument } from '@campaigns/openapi';

export type { OpenApiDocument } from '@campaigns/openapi';
export { assertOpenApi3 } from '@campaigns/openapi';

/** Rewrites path keys to be relative to the Campaigns API root; other keys stay as they are. */
export function normalizeApiPaths<T extends OpenApiDocument>(doc: T): T {
  if (!doc.paths) return doc;
  const paths: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(doc.paths)) {
    const relative = specPathRelativeToApiRoot(key);
    if (relative in paths) {
      throw new Error(`two paths normalize to "${relative}" (one is "${key}")`);
    }
    paths[relative] = item;
  }
  return { ...doc, paths };
}

/**
 * Removes `example: null` (HubSpot's files carry it on nearly every node): it says nothing, and
 * would otherwise become an `@example null` comment on every generated type. Other examples stay.
 */
export function dropNullExamples<T>(node: T): T {
  if (Array.isArray(node)) return node.map(dropNullExamples) as T;
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'example' && value === null) continue;
      out[key] = dropNullExamples(value);
    }
    return out as T;
  }
  return node;
}
