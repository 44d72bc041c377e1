// Which spec the simulator serves and what it takes from it: the version folder of
// @campaigns/openapi (`apiVersion`) or a file (`spec`), always with the project's overlay applied,
// and the batch limit as that spec's maxItems says, so editing the spec moves the limit.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC_URL, loadCampaignsSpec, SimConfigError } from '../src/index.js';
import { batchSizeProblem } from '../src/answers.js';
import { call, campaignIds, closeSims, startSim, V3 } from './sim-helpers.js';

afterEach(closeSims);

let dir = '';
let narrowSpec = '';
beforeAll(async () => {
  // The repository's v3 spec, declaring a batch update limit of its own (25).
  dir = await mkdtemp(path.join(tmpdir(), 'sim-spec-'));
  narrowSpec = path.join(dir, 'campaigns.yaml');
  const text = await readFile(DEFAULT_SPEC_URL, 'utf8');
  const start = text.indexOf('    BatchInputPublicCampaignBatchUpdateItem:\n');
  const at = text.indexOf('          type: array\n', start) + '          type: array\n'.length;
  expect(start).toBeGreaterThan(0);
  await writeFile(narrowSpec, `${text.slice(0, at)}          maxItems: 25\n${text.slice(at)}`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const updates = (ids: readonly string[]) => ({
  inputs: ids.map((id) => ({ id, properties: { hs_notes: 'n' } })),
});

describe('the batch limit of the served spec', () => {
  it("is the overlay's 50 for the repository's spec, which declares none", () => {
    const limits = loadCampaignsSpec().operations.flatMap((o) => o.maxInputs ?? []);
    expect(limits).toEqual([50, 50, 50, 50]);
  });

  it('follows a maxItems the spec declares: 25 on batch update, the others stay 50', async () => {
    const spec = loadCampaignsSpec(pathToFileURL(narrowSpec));
    const limit = (route: string) =>
      spec.operations.find((o) => `${o.method} ${o.path}` === route)?.maxInputs;
    expect(limit('POST /batch/update')).toBe(25);
    expect(limit('POST /batch/read')).toBe(50);

    const sim = await startSim({ spec: narrowSpec, campaigns: 30 });
    const ids = campaignIds(sim, 26);
    const refused = await call(sim, 'POST', '/batch/update', { body: updates(ids) });
    expect(refused.status).toBe(400);
    expect(refused.body.category).toBe('VALIDATION_ERROR');
    expect(
      (await call(sim, 'POST', '/batch/update', { body: updates(ids.slice(0, 25)) })).status,
    ).toBe(200);
    const read = await call(sim, 'POST', '/batch/read', {
      body: { inputs: campaignIds(sim, 30).map((id) => ({ id })) },
    });
    expect(read.status).toBe(200);
  });

  it("refuses past the operation's limit in its own rules too, should the schema check be loosened", () => {
    expect(batchSizeProblem(26, 25)?.status).toBe(400);
    expect(batchSizeProblem(25, 25)).toBeUndefined();
  });
});

describe('choosing the spec', () => {
  it('serves the v3 folder of @campaigns/openapi by default, or as apiVersion names it', async () => {
    expect(fileURLToPath(DEFAULT_SPEC_URL)).toMatch(/openapi[/\\]v3[/\\]campaigns\.yaml$/);
    const sim = await startSim({ apiVersion: 'v3' });
    expect((await call(sim, 'GET', '/?limit=1')).status).toBe(200);
  });

  it('refuses a version without a folder, a malformed version, and both spec and version', async () => {
    await expect(startSim({ apiVersion: '2031-01' })).rejects.toThrow(
      /no spec for API version "2031-01" .*versions there: .*v3/,
    );
    await expect(startSim({ apiVersion: '2026-13' })).rejects.toThrow(SimConfigError);
    await expect(startSim({ apiVersion: 'v3', spec: narrowSpec })).rejects.toThrow(
      /spec or apiVersion, not both/,
    );
  });

  it('answers a create with the Location of the new campaign, as the spec declares', async () => {
    const sim = await startSim();
    const created = await call<{ id: string }>(sim, 'POST', '/', {
      body: { properties: { hs_name: 'Launch' } },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${sim.url}${V3}/${created.body.id}`);
  });
});
