// The simulator serves whatever spec it is given: here a file in the layout of HubSpot's published
// ones (full paths, the host in `servers`, `example: null`, `*/*` default answers, a beta date
// version, operations the simulator does not model). Written for these tests, not HubSpot's file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchResponsePublicCampaign } from '@campaigns/hubspot-client';
import { createSpecValidator, loadCampaignsSpec, SimConfigError } from '../src/index.js';
import { call, campaignIds, closeSims, startSim, V3 } from './sim-helpers.js';

afterEach(closeSims);

const fixtureUrl = new URL('./fixtures/hubspot-layout-2026-09-beta.json', import.meta.url);
const fixturePath = fileURLToPath(fixtureUrl);
const BETA = '/marketing/campaigns/2026-09-beta';

const UNMODELLED = [
  'GET /{campaignGuid}/reports/metrics',
  'GET /{campaignGuid}/budget/totals',
  'PUT /{campaignGuid}/assets/{assetType}/{assetId}',
  'DELETE /{campaignGuid}/assets/{assetType}/{assetId}',
];

describe('a spec in HubSpot layout', () => {
  it('is read with its full paths made relative to the API root', () => {
    const routes = loadCampaignsSpec(fixtureUrl).operations.map((o) => `${o.method} ${o.path}`);
    expect(routes).toEqual(
      expect.arrayContaining(['GET /', 'POST /batch/update', 'PATCH /{campaignGuid}']),
    );
    expect(routes.filter((r) => r.includes('/marketing/'))).toEqual([]);
  });

  it('starts (from a file path), and names the operations it answers 501', async () => {
    const sim = await startSim({ spec: fixturePath });
    expect(sim.notImplemented).toEqual(UNMODELLED);
  });

  it('serves batch update on the full beta path as the spec describes it, and not on v3', async () => {
    const sim = await startSim({ spec: fixtureUrl });
    const [id] = campaignIds(sim, 1);
    expect(sim.apiRoots).toEqual([BETA]);
    const answer = await call<BatchResponsePublicCampaign>(sim, 'POST', '/batch/update', {
      root: BETA,
      body: { inputs: [{ id, properties: { hs_notes: 'via beta' } }] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.results.map((c) => c.id)).toEqual([id]);
    expect(sim.store.get(id!)?.properties.hs_notes).toBe('via beta');
    // The spec's paths name the beta root only: v3's is another version's, not found.
    const v3 = await call(sim, 'POST', '/batch/update', {
      root: V3,
      body: { inputs: [{ id, properties: { hs_notes: 'via v3' } }] },
    });
    expect(v3.status).toBe(404);
    expect(sim.store.get(id!)?.properties.hs_notes).toBe('via beta');
    // The fixture's own schemas validate: an update input without an id is refused.
    const invalid = await call(sim, 'POST', '/batch/update', {
      root: BETA,
      body: { inputs: [{ properties: {} }] },
    });
    expect(invalid.status).toBe(400);
  });

  it('answers 501 NOT_IMPLEMENTED, in HubSpot error shape, for an operation it does not model', async () => {
    const sim = await startSim({ spec: fixtureUrl });
    const [id] = campaignIds(sim, 1);
    const answer = await call(sim, 'GET', `/${id}/reports/metrics`, { root: BETA });
    expect(answer.status).toBe(501);
    expect(answer.body).toMatchObject({
      status: 'error',
      category: 'NOT_IMPLEMENTED',
      correlationId: expect.any(String),
      context: {
        operationId: ['get-/marketing/campaigns/2026-09-beta/{campaignGuid}/reports/metrics'],
        operation: ['GET /{campaignGuid}/reports/metrics'],
      },
    });
    expect(answer.body.message).toContain('GET /{campaignGuid}/reports/metrics');
    expect(sim.stats().byEndpoint['GET /{campaignGuid}/reports/metrics']).toEqual({ '501': 1 });
    // The spec's own `*/*` default answer describes the 501.
    const spec = loadCampaignsSpec(fixtureUrl);
    const operation = spec.operations.find((o) => o.path === '/{campaignGuid}/reports/metrics')!;
    expect(createSpecValidator(spec).responseBody(operation, 501, answer.body)).toEqual([]);
    // What the spec alone decides still comes first: a wrong method is 405, not 501.
    expect((await call(sim, 'POST', `/${id}/reports/metrics`, { root: BETA })).status).toBe(405);
  });

  it('with paths relative to the API root, is served under the root of its servers, or any', async () => {
    const full = JSON.parse(await readFile(fixturePath, 'utf8')) as {
      paths: Record<string, unknown>;
      servers: unknown;
    };
    const relative = (servers: unknown) => ({
      ...full,
      servers,
      paths: Object.fromEntries(
        Object.entries(full.paths).map(([key, item]) => [key.slice(BETA.length) || '/', item]),
      ),
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'sim-spec-'));
    try {
      const rooted = path.join(dir, 'rooted.json');
      const bare = path.join(dir, 'bare.json');
      await writeFile(
        rooted,
        JSON.stringify(relative([{ url: `https://api.hubapi.com${BETA}/` }])),
      );
      await writeFile(bare, JSON.stringify(relative([{ url: 'https://api.hubapi.com' }])));
      expect(loadCampaignsSpec(pathToFileURL(rooted)).apiRoots).toEqual([BETA]);
      const sim = await startSim({ spec: bare });
      expect(sim.apiRoots).toBeUndefined();
      for (const root of [BETA, V3])
        expect((await call(sim, 'GET', '/', { root })).status).toBe(200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a spec option that is neither a path nor a URL', async () => {
    await expect(startSim({ spec: 42 as unknown as string })).rejects.toThrow(SimConfigError);
    await expect(startSim({ spec: 42 as unknown as string })).rejects.toThrow(
      /spec must be a file path or a file URL/,
    );
  });
});
