// The core against every API version in openapi/, each served by the simulator from its own spec:
// v3 names item errors in a 207, 2026-03 folds them into its plain 200. Either way a batch is a
// partial success, its failed ids isolated with HubSpot's own errors, none MISSING_FROM_RESPONSE.
import { createHubSpotClient, type ApiVersion } from '@campaigns/hubspot-client';
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
    expect(sim.store.get(ids[1]!)?.properties.hs_notes).toBe(`v ${version}`);
    expect(sim.store.get(ids[2]!)?.properties.hs_notes).not.toBe(`v ${version}`);
  });

  it('reads campaigns, the unknown id an OBJECT_NOT_FOUND error, with int business-unit ids', async () => {
    const { client, ids } = await setup(version);
    const outcome = await readCampaigns(client, [ids[0]!, UNKNOWN]);
    expect(outcome.results.map((r) => r.id)).toEqual([ids[0]]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ category: 'OBJECT_NOT_FOUND', ids: [UNKNOWN] }),
    ]);
    const unit = outcome.results[0]!.businessUnits[0]!.id;
    // 2026-03 types business-unit ids as int32, v3 as int64 (the simulator's pass 2^31).
    expect(Number.isSafeInteger(unit)).toBe(true);
    if (version === '2026-03') expect(unit).toBeLessThan(2 ** 31);
  });
});
