import { afterEach, describe, expect, it } from 'vitest';
import { CAMPAIGN_SCOPES } from '../src/index.js';
import { call, campaignIds, closeSims, startSim } from './sim-helpers.js';

afterEach(closeSims);

const READ_ONLY_TOKEN = 'read-only-app-token';
const WRITE_ONLY_TOKEN = 'write-only-app-token';
const tokens = [
  { token: READ_ONLY_TOKEN, scopes: [CAMPAIGN_SCOPES.read] },
  { token: WRITE_ONLY_TOKEN, scopes: [CAMPAIGN_SCOPES.write] },
];

describe('authentication', () => {
  it('answers 401 INVALID_AUTHENTICATION without a token, before any rate limiting', async () => {
    const sim = await startSim();
    const { status, body, headers } = await call(sim, 'POST', '/batch/read', {
      token: null,
      body: { inputs: [{ id: 'x' }] },
    });
    expect(status).toBe(401);
    expect(body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    expect(headers.get('x-hubspot-ratelimit-remaining')).toBeNull();
    expect(sim.stats().byEndpoint['POST /batch/read']).toEqual({ '401': 1 });
  });

  it('answers 401 to an unknown token and never echoes it', async () => {
    const sim = await startSim();
    const token = 'pat-na1-00000000-1111-2222-3333-444444444444';
    const { status, body } = await call(sim, 'GET', '/', { token });
    expect(status).toBe(401);
    expect(body.category).toBe('INVALID_AUTHENTICATION');
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('does not count a 401 against the rate limit', async () => {
    const sim = await startSim({ rateLimit: { max: 2, intervalMs: 60_000 } });
    for (let i = 0; i < 3; i++) await call(sim, 'GET', '/', { token: 'wrong' });
    expect((await call(sim, 'GET', '/')).headers.get('x-hubspot-ratelimit-remaining')).toBe('1');
  });
});

describe('scopes', () => {
  it('answers 403 MISSING_SCOPES naming the write scope when a read-only token updates', async () => {
    const sim = await startSim({ tokens });
    const [id] = campaignIds(sim, 1);
    const { status, body } = await call(sim, 'POST', '/batch/update', {
      token: READ_ONLY_TOKEN,
      body: { inputs: [{ id, properties: { hs_notes: 'x' } }] },
    });
    expect(status).toBe(403);
    expect(body.category).toBe('MISSING_SCOPES');
    expect(body.message).toContain(CAMPAIGN_SCOPES.write);
    expect(body.errors?.[0]?.context?.missingScopes).toEqual([CAMPAIGN_SCOPES.write]);
    expect(sim.store.get(id!)?.properties.hs_notes).not.toBe('x');
  });

  it('lets a read-only token read', async () => {
    const sim = await startSim({ tokens });
    const [id] = campaignIds(sim, 1);
    expect((await call(sim, 'GET', `/${id}`, { token: READ_ONLY_TOKEN })).status).toBe(200);
    expect(
      (
        await call(sim, 'POST', '/batch/read', {
          token: READ_ONLY_TOKEN,
          body: { inputs: [{ id }] },
        })
      ).status,
    ).toBe(200);
  });

  it("lets a write-only token write: the spec, like HubSpot's, asks for the write scope only", async () => {
    const sim = await startSim({ tokens });
    const [id] = campaignIds(sim, 1);
    const { status } = await call(sim, 'POST', '/batch/archive', {
      token: WRITE_ONLY_TOKEN,
      body: { inputs: [{ id }] },
    });
    expect(status).toBe(204);
    expect(sim.store.has(id!)).toBe(false);
  });

  it.each([
    ['POST', '/', { properties: { hs_name: 'x' } }],
    ['PATCH', '/some-id', { properties: { hs_notes: 'x' } }],
    ['DELETE', '/some-id', undefined],
    ['POST', '/batch/create', { inputs: [{ properties: { hs_name: 'x' } }] }],
    ['POST', '/batch/archive', { inputs: [{ id: 'x' }] }],
  ])('refuses %s %s to a token without the write scope', async (method, path, body) => {
    const sim = await startSim({ tokens });
    const answer = await call(sim, method, path, { token: READ_ONLY_TOKEN, body });
    expect(answer.status).toBe(403);
    expect(answer.body.errors?.[0]?.context?.missingScopes).toEqual([CAMPAIGN_SCOPES.write]);
  });
});
