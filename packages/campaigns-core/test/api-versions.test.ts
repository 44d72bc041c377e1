// The core against every API version in openapi/, each served by the simulator from its own spec:
// v3 names item errors in a 207, 2026-03 folds them into its plain 200. Either way a batch is a
// partial success, its failed ids isolated with HubSpot's own errors, none MISSING_FROM_RESPONSE.
import { apiRootPath, createHubSpotClient, type ApiVersion } from '@campaigns/hubspot-client';
import { readSpecDocument, specFileOf } from '@campaigns/openapi';
import {
  DEFAULT_SIM_TOKEN,
  loadCampaignsSpec,
  servedApiVersions,
  specUrl,
  startHubSpotSim,
  type HubSpotSim,
} from '@campaigns/hubspot-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreCategory, readCampaigns, updateCampaigns } from '../src/index.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000001';

/** The `format` a version's spec gives business-unit ids (`PublicBusinessUnit.id`), read from the file. */
function businessUnitIdFormat(version: ApiVersion): unknown {
  const doc = readSpecDocument(specFileOf(version)) as {
    components?: {
      schemas?: Record<string, { properties?: Record<string, { format?: unknown }> }>;
    };
  };
  return doc.components?.schemas?.PublicBusinessUnit?.properties?.id?.format;
}

let sim: HubSpotSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A simulator serving `version`'s spec and a client of that version (known only at run time). */
async function setup(version: ApiVersion) {
  sim = await startHubSpotSim({ apiVersion: version, campaigns: 60, seed: 3 });
  const client = createHubSpotClient({
    token: DEFAULT_SIM_TOKEN,
    baseUrl: sim.url,
    apiVersion: version,
  });
  return { sim, client, ids: sim.store.list().map((c) => c.id) };
}

describe.each(servedApiVersions())('API version %s', (version) => {
  // Where the spec declares a 207, partial answers come as one; else as the plain 200.
  const update = loadCampaignsSpec(specUrl(undefined, version)).operations.find(
    (o) => o.method === 'POST' && o.path === '/batch/update',
  );
  const partialStatus = update?.responses['207'] ? 207 : 200;

  it('updates the known campaigns of a partial answer and isolates the unknown and refused ones', async () => {
    const { sim, client, ids } = await setup(version);
    sim.refuse([ids[2]!], { category: 'VALIDATION_ERROR', message: 'not now' });
    const inputs = [ids[0]!, UNKNOWN, ids[1]!, ids[2]!].map((id) => ({
      id,
      properties: { hs_notes: `v ${version}` },
    }));
    const outcome = await updateCampaigns(client, inputs, { retry: { maxAttempts: 1 } });

    expect(outcome.results.map((r) => r.id)).toEqual([ids[0], ids[1]]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        category: 'OBJECT_NOT_FOUND',
        ids: [UNKNOWN],
        httpStatus: partialStatus,
      }),
      expect.objectContaining({
        category: 'VALIDATION_ERROR',
        ids: [ids[2]],
        httpStatus: partialStatus,
      }),
    ]);
    expect(outcome.errors.map((e) => e.category)).not.toContain(CoreCategory.MISSING_FROM_RESPONSE);
    expect(sim.stats().byEndpoint['POST /batch/update']).toEqual({ [partialStatus]: 1 });
    // Sent under this version's root, the only one the simulator serves for its spec.
    expect(sim.stats().byApiRoot).toEqual({ [apiRootPath(version)]: 1 });
    expect(sim.store.get(ids[1]!)?.properties.hs_notes).toBe(`v ${version}`);
    expect(sim.store.get(ids[2]!)?.properties.hs_notes).not.toBe(`v ${version}`);
  });

  it("reads campaigns, the unknown id an OBJECT_NOT_FOUND error, with business-unit ids of the spec's format", async () => {
    const { sim, client, ids } = await setup(version);
    const outcome = await readCampaigns(client, [...ids, UNKNOWN]);
    expect(outcome.results.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(outcome.errors).toEqual([
      expect.objectContaining({ category: 'OBJECT_NOT_FOUND', ids: [UNKNOWN] }),
    ]);
    expect(sim.stats().byApiRoot).toEqual({ [apiRootPath(version)]: 2 });
    const units = outcome.results.flatMap((r) => r.businessUnits.map((u) => u.id));
    expect(units.length).toBeGreaterThan(0);
    expect(units.every((unit) => Number.isSafeInteger(unit))).toBe(true);
    // int32 (2026-03) stays below 2^31; int64 (v3) may pass it, and the simulator's ids do, so
    // the client reads them as the numbers they are.
    const format = businessUnitIdFormat(version);
    expect(['int32', 'int64']).toContain(format);
    if (format === 'int32') expect(Math.max(...units)).toBeLessThan(2 ** 31);
    else expect(Math.max(...units)).toBeGreaterThanOrEqual(2 ** 31);
  });
});
