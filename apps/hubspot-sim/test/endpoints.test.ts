import { afterEach, describe, expect, it } from 'vitest';
import type {
  BatchResponsePublicCampaign,
  BatchResponsePublicCampaignWithAssetsWithErrors,
  PublicCampaign,
  PublicCampaignWithAssets,
} from '@campaigns/hubspot-client';
import { apiRootPath } from '@campaigns/hubspot-client';
import {
  createSpecValidator,
  loadCampaignsSpec,
  servedApiVersions,
  specUrl,
} from '../src/index.js';
import { call, campaignIds, closeSims, DATED, startSim, UUID, V3 } from './sim-helpers.js';

afterEach(closeSims);

interface Page {
  total: number;
  results: PublicCampaign[];
  paging?: { next: { after: string; link: string } };
}

describe('routes', () => {
  it.each([
    ['v3', V3, DATED],
    ['2026-03', DATED, V3],
  ] as const)(
    "serves every operation of the %s spec under its root, and none under another version's",
    async (apiVersion, root, other) => {
      const sim = await startSim({ apiVersion });
      const [id] = campaignIds(sim, 1);
      const requests: Array<[string, string, unknown?]> = [
        ['GET', '/'],
        ['POST', '/', { properties: { hs_name: 'Created' } }],
        ['GET', `/${id}`],
        ['PATCH', `/${id}`, { properties: { hs_notes: 'patched' } }],
        ['POST', '/batch/read', { inputs: [{ id }] }],
        ['POST', '/batch/update', { inputs: [{ id, properties: { hs_notes: 'batched' } }] }],
        ['POST', '/batch/create', { inputs: [{ properties: { hs_name: 'Batch created' } }] }],
        ['POST', '/batch/archive', { inputs: [{ id: 'gone' }] }],
        ['DELETE', '/not-a-campaign'],
      ];
      const operations = loadCampaignsSpec(specUrl(undefined, apiVersion)).operations.map(
        (o) => `${o.method} ${o.path}`,
      );
      const statuses = [];
      for (const [method, path, body] of requests)
        statuses.push((await call(sim, method, path, { root, body })).status);
      expect(statuses).toEqual([200, 201, 200, 200, 200, 200, 201, 204, 204]);
      expect(Object.keys(sim.stats().byEndpoint).sort()).toEqual(operations.sort());
      expect(sim.apiRoots).toEqual([root]);

      // Another version's root is not served: a client speaking the wrong version gets 404s,
      // in HubSpot's error shape, and the stats say which root the calls came in on.
      sim.resetStats();
      for (const [method, path, body] of requests) {
        const answer = await call(sim, method, path, { root: other, body });
        expect(answer.status).toBe(404);
        expect(answer.body).toMatchObject({ status: 'error', category: 'RESOURCE_NOT_FOUND' });
      }
      expect(sim.stats().byApiRoot).toEqual({ [other]: requests.length });
      expect(sim.stats().byEndpoint).toEqual({
        ...Object.fromEntries(
          [...new Set(requests.map(([method]) => method))].map((method) => [
            `${method} (unknown route)`,
            { '404': requests.filter(([m]) => m === method).length },
          ]),
        ),
      });
    },
  );

  it('treats the API root with and without a trailing slash alike', async () => {
    const sim = await startSim();
    const withSlash = await call<Page>(sim, 'GET', '/');
    const without = await call<Page>(sim, 'GET', '');
    expect([withSlash.status, without.status]).toEqual([200, 200]);
    expect(without.body.total).toBe(withSlash.body.total);
  });

  it('answers an unknown route with 404 in the Error shape', async () => {
    const sim = await startSim();
    const outside = await call(sim, 'GET', '/marketing/v4/campaigns', { root: '' });
    const inside = await call(sim, 'POST', '/batch/upsert', { body: { inputs: [] } });
    for (const answer of [outside, inside]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ status: 'error', category: 'RESOURCE_NOT_FOUND' });
      expect(answer.body.correlationId).toMatch(UUID);
    }
  });

  it('answers a wrong method with 405 and the allowed methods', async () => {
    const sim = await startSim();
    const answer = await call(sim, 'GET', '/batch/update');
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.body.category).toBe('METHOD_NOT_ALLOWED');
  });

  it('refuses a body that is not JSON with 400 VALIDATION_ERROR', async () => {
    const sim = await startSim();
    const answer = await call(sim, 'POST', '/batch/update', { body: '{"inputs": [' });
    expect(answer.status).toBe(400);
    expect(answer.body.category).toBe('VALIDATION_ERROR');
    expect(answer.body.message).toMatch(/Invalid input JSON/);
  });

  it('refuses a body sent without a JSON content type with 415', async () => {
    const sim = await startSim();
    const answer = await call(sim, 'POST', '/batch/read', {
      body: '{"inputs":[]}',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(415);
    expect(answer.body.category).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('list', () => {
  it('pages with after and limit until every campaign was seen once', async () => {
    const sim = await startSim({ campaigns: 23 });
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const { body } = await call<Page>(sim, 'GET', `/?limit=10${after ? `&after=${after}` : ''}`);
      expect(body.total).toBe(23);
      seen.push(...body.results.map((c) => c.id));
      after = body.paging?.next.after;
      if (after) expect(body.paging?.next.link).toContain(`after=${after}`);
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(new Set(campaignIds(sim)));
  });

  it('returns 50 campaigns by default, takes any positive limit and refuses others', async () => {
    const sim = await startSim({ campaigns: 120 });
    expect((await call<Page>(sim, 'GET', '/')).body.results).toHaveLength(50);
    // HubSpot's spec leaves `limit` unbounded.
    expect((await call<Page>(sim, 'GET', '/?limit=101')).body.results).toHaveLength(101);
    for (const limit of [0, -1, 'ten']) {
      const answer = await call(sim, 'GET', `/?limit=${limit}`);
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]?.in).toBe('limit');
    }
  });

  it('filters by name and sorts by name, createdAt or updatedAt, descending with a leading -', async () => {
    const sim = await startSim({ campaigns: 40 });
    const { body } = await call<Page>(
      sim,
      'GET',
      '/?name=SALE&sort=-hs_name&properties=hs_name&limit=100',
    );
    const names = body.results.map((c) => c.properties.hs_name!);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.toLowerCase().includes('sale'))).toBe(true);
    expect(names).toEqual([...names].sort().reverse());
    const byCreation = (
      await call<Page>(sim, 'GET', '/?sort=createdAt&limit=100')
    ).body.results.map((c) => c.createdAt);
    expect(byCreation).toEqual([...byCreation].sort());
  });

  it('pages a filtered, sorted listing to the end: the total is the matches, next links keep the query', async () => {
    const sim = await startSim({ campaigns: 80 });
    const matching = sim.store
      .list()
      .filter((c) => (c.properties.hs_name ?? '').toLowerCase().includes('a'));
    const names: string[] = [];
    let path: string | undefined = '/?name=A&sort=-hs_name&limit=7&properties=hs_name';
    while (path) {
      const body: Page = (await call<Page>(sim, 'GET', path)).body;
      expect(body.total).toBe(matching.length);
      names.push(...body.results.map((c) => c.properties.hs_name!));
      const link: string | undefined = body.paging?.next.link;
      if (link) {
        const next = new URL(link);
        expect(Object.fromEntries(next.searchParams)).toMatchObject({
          name: 'A',
          sort: '-hs_name',
          limit: '7',
          after: body.paging!.next.after,
        });
      }
      path = link ? `/${new URL(link).search}` : undefined;
    }
    expect(names).toHaveLength(matching.length);
    expect(names).toEqual([...names].sort().reverse());
  });

  it('sorts by updatedAt: a campaign just updated comes last, first with -updatedAt', async () => {
    const sim = await startSim({ campaigns: 30 });
    const [id] = campaignIds(sim, 1);
    await call(sim, 'PATCH', `/${id}`, { body: { properties: { hs_notes: 'touched' } } });
    const ascending = (await call<Page>(sim, 'GET', '/?sort=updatedAt&limit=100')).body.results;
    const descending = (await call<Page>(sim, 'GET', '/?sort=-updatedAt&limit=1')).body.results;
    expect(ascending.at(-1)?.id).toBe(id);
    expect(descending.map((c) => c.id)).toEqual([id]);
  });

  it('refuses an unknown sort field and a forged cursor', async () => {
    const sim = await startSim();
    expect((await call(sim, 'GET', '/?sort=budget')).body.errors?.[0]?.in).toBe('sort');
    expect((await call(sim, 'GET', '/?after=abc')).status).toBe(400);
  });
});

describe('single campaign', () => {
  it('reads one campaign with the requested properties and its assets', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const { status, body } = await call<PublicCampaignWithAssets>(
      sim,
      'GET',
      `/${id}?properties=hs_name,hs_currency_code`,
    );
    expect(status).toBe(200);
    expect(Object.keys(body.properties).sort()).toEqual(['hs_currency_code', 'hs_name']);
    expect(body.assets).toEqual({});
    expect(body.businessUnits?.[0]?.id).toBeGreaterThan(2 ** 31);
  });

  it('answers 404 OBJECT_NOT_FOUND for an unknown campaign on GET and PATCH', async () => {
    const sim = await startSim();
    const read = await call(sim, 'GET', '/edb9b6c3-d2e2-4ca8-8396-832262aed0d4');
    const patch = await call(sim, 'PATCH', '/edb9b6c3-d2e2-4ca8-8396-832262aed0d4', {
      body: { properties: { hs_notes: 'x' } },
    });
    expect([read.status, patch.status]).toEqual([404, 404]);
    expect([read.body.category, patch.body.category]).toEqual([
      'OBJECT_NOT_FOUND',
      'OBJECT_NOT_FOUND',
    ]);
  });

  it('patches only the given properties and returns the whole campaign', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const before = sim.store.get(id!)!;
    const { status, body } = await call<PublicCampaign>(sim, 'PATCH', `/${id}`, {
      body: { properties: { hs_goal: '42 demos' } },
    });
    expect(status).toBe(200);
    expect(body.properties).toMatchObject({
      ...before.properties,
      hs_goal: '42 demos',
      hs_lastmodifieddate: body.updatedAt,
    });
    expect(sim.store.get(id!)?.properties.hs_goal).toBe('42 demos');
  });

  it('deletes a campaign with 204, and answers 204 again when it is already gone', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    expect((await call(sim, 'DELETE', `/${id}`)).status).toBe(204);
    expect((await call(sim, 'DELETE', `/${id}`)).status).toBe(204);
    expect(sim.store.get(id!)).toBeUndefined();
  });

  it('creates a campaign with a new UUID, 201, and keeps it', async () => {
    const sim = await startSim();
    const { status, body } = await call<PublicCampaign>(sim, 'POST', '/', {
      body: { properties: { hs_name: 'Launch', hs_notes: '' } },
    });
    expect(status).toBe(201);
    expect(body.id).toMatch(UUID);
    expect(body.properties.hs_name).toBe('Launch');
    expect(body.properties).not.toHaveProperty('hs_notes');
    expect(sim.store.get(body.id)?.properties.hs_name).toBe('Launch');
  });
});

describe('batch read', () => {
  it('returns only the properties asked for, repeated or comma-separated, and assets', async () => {
    const sim = await startSim();
    const ids = campaignIds(sim, 2);
    const inputs = ids.map((id) => ({ id }));
    const repeated = await call<BatchResponsePublicCampaignWithAssetsWithErrors>(
      sim,
      'POST',
      '/batch/read?properties=hs_name&properties=hs_owner',
      { body: { inputs } },
    );
    const commas = await call<BatchResponsePublicCampaignWithAssetsWithErrors>(
      sim,
      'POST',
      '/batch/read?properties=hs_name,hs_owner',
      { body: { inputs } },
    );
    for (const { status, body } of [repeated, commas]) {
      expect(status).toBe(200);
      expect(body.results.map((c) => Object.keys(c.properties).sort())).toEqual([
        ['hs_name', 'hs_owner'],
        ['hs_name', 'hs_owner'],
      ]);
      expect(body.results.every((c) => JSON.stringify(c.assets) === '{}')).toBe(true);
    }
  });

  it('returns empty property maps when no properties are asked for', async () => {
    const sim = await startSim();
    const { body } = await call<BatchResponsePublicCampaignWithAssetsWithErrors>(
      sim,
      'POST',
      '/batch/read',
      { body: { inputs: [{ id: campaignIds(sim, 1)[0] }] } },
    );
    expect(body.results[0]?.properties).toEqual({});
  });

  it('ignores duplicate ids', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    const { status, body } = await call<BatchResponsePublicCampaignWithAssetsWithErrors>(
      sim,
      'POST',
      '/batch/read',
      { body: { inputs: [{ id }, { id }, { id }] } },
    );
    expect(status).toBe(200);
    expect(body.results.map((c) => c.id)).toEqual([id]);
  });
});

describe('batch create', () => {
  it('creates every input with 201 and returns them all', async () => {
    const sim = await startSim({ campaigns: 0 });
    const inputs = ['A', 'B', 'C'].map((name) => ({
      properties: { hs_name: name, hs_campaign_status: 'planned' },
    }));
    const { status, body } = await call<BatchResponsePublicCampaign>(sim, 'POST', '/batch/create', {
      body: { inputs },
    });
    expect(status).toBe(201);
    expect(body.results.map((c) => c.properties.hs_name).sort()).toEqual(['A', 'B', 'C']);
    expect(sim.store.size).toBe(3);
  });

  it('refuses the whole batch when one input has no name', async () => {
    const sim = await startSim({ campaigns: 0 });
    const { status, body } = await call(sim, 'POST', '/batch/create', {
      body: {
        inputs: [{ properties: { hs_name: 'Fine' } }, { properties: { hs_notes: 'nameless' } }],
      },
    });
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({
      code: 'REQUIRED',
      in: 'inputs[1].properties.hs_name',
      context: { propertyName: ['hs_name'] },
    });
    expect(sim.store.size).toBe(0);
  });
});

// Every version folder of openapi/, each served as `apiVersion` and called under its own root.
describe.each(servedApiVersions())('conformance of %s', (version) => {
  it('answers every operation with a body that matches the spec', async () => {
    const sim = await startSim({ apiVersion: version });
    const spec = loadCampaignsSpec(specUrl(undefined, version));
    const validator = createSpecValidator(spec);
    const root = apiRootPath(version);
    const operationOf = (method: string, template: string) =>
      spec.operations.find((o) => o.method === method && o.path === template)!;
    // A batch answer naming item errors: 207 where the spec declares one, else the plain 200.
    const partial = (template: string) =>
      operationOf('POST', template).responses['207'] === undefined ? 200 : 207;
    const [id, other] = campaignIds(sim, 2);
    const cases: Array<[method: string, template: string, path: string, body?: unknown]> = [
      ['GET', '/', '/?limit=3&properties=hs_name'],
      ['POST', '/', '/', { properties: { hs_name: 'x' } }],
      ['GET', '/{campaignGuid}', `/${id}?properties=hs_name`],
      ['GET', '/{campaignGuid}', '/missing'],
      ['PATCH', '/{campaignGuid}', `/${id}`, { properties: { hs_notes: 'y' } }],
      ['POST', '/batch/read', '/batch/read', { inputs: [{ id }, { id: 'missing' }] }],
      [
        'POST',
        '/batch/update',
        '/batch/update',
        {
          inputs: [
            { id, properties: {} },
            { id: other, properties: { hs_goal: 'z' } },
          ],
        },
      ],
      [
        'POST',
        '/batch/update',
        '/batch/update',
        {
          inputs: [
            { id, properties: {} },
            { id: 'missing', properties: {} },
          ],
        },
      ],
      [
        'POST',
        '/batch/update',
        '/batch/update',
        { inputs: [{ id, properties: { hs_nope: '1' } }] },
      ],
      ['POST', '/batch/create', '/batch/create', { inputs: [{ properties: { hs_name: 'n' } }] }],
    ];
    const statuses = [];
    for (const [method, template, path, body] of cases) {
      const answer = await call(sim, method, path, { body, root });
      const operation = operationOf(method, template);
      expect({
        method,
        path,
        problems: validator.responseBody(operation, answer.status, answer.body),
      }).toEqual({ method, path, problems: [] });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([
      200,
      201,
      200,
      404,
      200,
      partial('/batch/read'),
      200,
      partial('/batch/update'),
      400,
      201,
    ]);

    sim.script({ status: 429, policyName: 'TEN_SECONDLY_ROLLING', retryAfterSeconds: 1 });
    const limited = await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id, properties: { hs_notes: 'n' } }] },
      root,
    });
    const update = operationOf('POST', '/batch/update');
    expect(limited.status).toBe(429);
    expect(validator.responseBody(update, 429, limited.body)).toEqual([]);
  });
});

describe('a spec that declares no 207 (2026-03)', () => {
  it('folds item errors into the 200 of a batch update and read, as errors and numErrors', async () => {
    const sim = await startSim({ apiVersion: '2026-03' });
    const [id, refused] = campaignIds(sim, 2);
    sim.refuse([refused!], { category: 'VALIDATION_ERROR', message: 'refused' });
    const root = apiRootPath('2026-03');
    const update = await call<BatchResponsePublicCampaignWithAssetsWithErrors>(
      sim,
      'POST',
      '/batch/update',
      {
        root,
        body: {
          inputs: [
            { id, properties: { hs_notes: 'a' } },
            { id: refused, properties: { hs_notes: 'b' } },
            { id: 'missing', properties: { hs_notes: 'c' } },
          ],
        },
      },
    );
    expect(update.status).toBe(200);
    expect(update.body.results.map((c) => c.id)).toEqual([id]);
    expect(update.body.numErrors).toBe(2);
    expect(update.body.errors).toEqual([
      expect.objectContaining({ category: 'OBJECT_NOT_FOUND', context: { ids: ['missing'] } }),
      expect.objectContaining({ category: 'VALIDATION_ERROR', context: { ids: [refused] } }),
    ]);

    const read = await call<BatchResponsePublicCampaignWithAssetsWithErrors>(
      sim,
      'POST',
      '/batch/read',
      { root, body: { inputs: [{ id }, { id: 'missing' }] } },
    );
    expect(read.status).toBe(200);
    expect(read.body.errors).toEqual([
      expect.objectContaining({ category: 'OBJECT_NOT_FOUND', context: { ids: ['missing'] } }),
    ]);
    expect(sim.stats().byEndpoint['POST /batch/update']).toEqual({ '200': 1 });
  });
});
