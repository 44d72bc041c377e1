import { describe, expect, it } from 'vitest';
import { archiveCampaigns, createCampaigns, readCampaigns } from '../src/index.js';
import { answerWithMissing, campaign, fakeHubSpot, ids, jsonResponse } from './fake-hubspot.js';

describe('readCampaigns', () => {
  it('reads each id once, in chunks of 50, in input order, unknown ids as errors', async () => {
    const { client, log } = fakeHubSpot((req) =>
      answerWithMissing(req, (id) => id.endsWith('7'), { assets: {} }),
    );
    const list = [...ids(60), 'cmp-00001'];
    const outcome = await readCampaigns(client, list, { properties: ['hs_name', 'hs_notes'] });
    expect(log.map((r) => [r.path, r.inputs.length])).toEqual([
      ['/batch/read', 50],
      ['/batch/read', 10],
    ]);
    expect(outcome.coalesced).toEqual([{ id: 'cmp-00001', indices: [1, 60] }]);
    expect(outcome.results.map((r) => r.id)).toEqual(ids(60).filter((id) => !id.endsWith('7')));
    expect(outcome.errors[0]?.ids).toEqual(ids(60).filter((id) => id.endsWith('7')));
  });
});

describe('archiveCampaigns', () => {
  it('counts every id of a 204 as archived', async () => {
    const { client, log } = fakeHubSpot(() => new Response(null, { status: 204 }));
    const outcome = await archiveCampaigns(client, ids(75));
    expect(log.map((r) => r.path)).toEqual(['/batch/archive', '/batch/archive']);
    expect(outcome.results.map((r) => r.id)).toEqual(ids(75));
    expect(outcome.status).toBe('COMPLETE');
  });
});

describe('createCampaigns', () => {
  it('pairs unordered results with their inputs by properties', async () => {
    let next = 0;
    const { client } = fakeHubSpot((req) =>
      jsonResponse(201, {
        status: 'COMPLETE',
        results: req.inputs.map((i) => campaign(`new-${++next}`, i.properties)).reverse(),
        startedAt: '2026-01-01T00:00:00Z',
        completedAt: '2026-01-01T00:00:01Z',
      }),
    );
    const names = Array.from({ length: 70 }, (_, i) => `Campaign ${i}`);
    const outcome = await createCampaigns(
      client,
      names.map((hs_name) => ({ properties: { hs_name } })),
    );
    expect(outcome.results.map((r) => r.properties.hs_name)).toEqual(names);
    expect(new Set(outcome.results.map((r) => r.id)).size).toBe(70);
  });
});
