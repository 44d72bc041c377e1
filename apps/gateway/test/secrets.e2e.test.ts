// Invariant 5: the HubSpot credential never leaves the server. Every scenario's log lines (at
// debug level), response bodies and metrics are captured and scanned for every secret value.
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeTokenEndpoint, type FakeTokenEndpoint } from './fake-oauth.js';
import { ReadCampaignsDocument, UpdateCampaignsDocument } from '@campaigns/graphql';
import {
  ALL_SCOPES,
  graphqlErrors,
  HUBSPOT_TOKEN,
  notesInputs,
  startStack,
  type Stack,
} from './stack.js';

const OAUTH_CLIENT_SECRET = 'oauth-client-secret-5e6f7a8b9c0d1e2f';
const OAUTH_REFRESH_TOKEN = 'oauth-refresh-token-na1-1a2b3c4d5e6f7a8b';
const OAUTH_ACCESS_TOKEN = 'oauth-access-token-CJbE7r3rMhIC0AQ9Y2f1';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

/** Everything the gateway let out: log lines, response bodies, and the metrics page. */
async function everythingSeen(stack: Stack): Promise<string> {
  const metrics = await (await stack.http('/metrics')).text();
  return [...stack.logs, ...stack.responses, metrics].join('\n');
}

function expectAbsent(haystack: string, secrets: readonly string[]) {
  for (const secret of secrets) {
    expect(haystack.includes(secret), `a secret (${secret.slice(0, 6)}…) leaked`).toBe(false);
    // Also not in pieces that would betray it (the part after a recognisable prefix).
    expect(
      haystack.includes(secret.slice(8)),
      `part of a secret (${secret.slice(0, 6)}…) leaked`,
    ).toBe(false);
  }
}

/** Runs the scenarios that touch HubSpot in every way the gateway knows. */
async function exercise(stack: Stack): Promise<void> {
  const ids = stack.sim.store.list().map((c) => c.id);
  const client = stack.client({ 'x-request-id': 'scan' });
  await client.request(UpdateCampaignsDocument, { inputs: notesInputs(ids.slice(0, 60)) }); // 2 chunks
  await client.request(UpdateCampaignsDocument, {
    inputs: [
      ...notesInputs(ids.slice(0, 1)),
      ...notesInputs(['00000000-0000-4000-8000-00000000dead']),
    ],
  }); // 207
  await client.request(UpdateCampaignsDocument, {
    inputs: [{ id: ids[1]!, properties: [{ name: 'hs_currency_code', value: 'NOPE' }] }],
  }); // 400
  stack.sim.script(
    { status: 429, policyName: 'TEN_SECONDLY_ROLLING', retryAfterSeconds: 0 },
    { status: 503 },
  );
  await client.request(UpdateCampaignsDocument, { inputs: notesInputs(ids.slice(2, 3)) }); // 429 then 503 then 200
  await client.request(ReadCampaignsDocument, { ids: ids.slice(0, 3) });
  await graphqlErrors(
    client.request(UpdateCampaignsDocument, { inputs: [{ id: '', properties: [] }] }),
  ); // bad input
  await stack.http('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '{}',
  }); // CSRF
  await stack.http('/readyz');
}

describe('the HubSpot token never appears in logs, responses or metrics', () => {
  it('with a private-app token, across success, 207, 400, 429, 503, bad input and CSRF', async () => {
    const stack = await startStack({ env: { LOG_LEVEL: 'trace' } });
    cleanup.push(() => stack.close());
    await exercise(stack);

    const seen = await everythingSeen(stack);
    expect(stack.logs.some((l) => l.includes('"msg":"hubspot response"'))).toBe(true); // debug lines were written and scanned
    expect(stack.responses.length).toBeGreaterThanOrEqual(8);
    expectAbsent(seen, [HUBSPOT_TOKEN]);
  });

  it('when HubSpot refuses the token (401), the failure is reported without it', async () => {
    const wrong = 'pat-na1-00000000-dead-beef-0000-000000000000';
    const stack = await startStack({ env: { HUBSPOT_TOKEN: wrong } });
    cleanup.push(() => stack.close());
    const ids = stack.sim.store.list().map((c) => c.id);
    const { updateCampaigns } = await stack.client().request(UpdateCampaignsDocument, {
      inputs: notesInputs(ids.slice(0, 2)),
    });
    expect(updateCampaigns.status).toBe('CANCELED');
    expect(updateCampaigns.stopReason).toBe('AUTH');
    expect(updateCampaigns.errors[0]!.httpStatus).toBe(401);
    expectAbsent(await everythingSeen(stack), [wrong]);
  });

  it('a 7-character token that a 401 body echoes never appears (redaction has no length threshold)', async () => {
    const short = 'tok-7ch';
    const stack = await startStack({
      env: { HUBSPOT_TOKEN: short },
      deps: {
        // HubSpot's answer quoting the token it refused, in its message and its context.
        fetch: async (input, init) => {
          const request = new Request(input, init);
          if (!new URL(request.url).pathname.includes('/batch/')) return fetch(request);
          return new Response(
            JSON.stringify({
              status: 'error',
              category: 'INVALID_AUTHENTICATION',
              message: `The token ${short} is not valid (${request.headers.get('authorization')})`,
              context: { token: [short] },
            }),
            { status: 401, headers: { 'content-type': 'application/json' } },
          );
        },
      },
    });
    cleanup.push(() => stack.close());
    const ids = stack.sim.store.list().map((c) => c.id);
    const { updateCampaigns } = await stack.client().request(UpdateCampaignsDocument, {
      inputs: notesInputs(ids.slice(0, 2)),
    });
    expect(updateCampaigns.stopReason).toBe('AUTH');
    expect(updateCampaigns.errors[0]!.message).toContain('The token [REDACTED] is not valid');
    const seen = await everythingSeen(stack);
    expect(seen).toContain('[REDACTED]');
    expect(seen.includes(short)).toBe(false);
  });

  describe('with OAuth', () => {
    let tokens: FakeTokenEndpoint;

    it('refreshes once for many concurrent mutations and never shows a secret', async () => {
      tokens = await startFakeTokenEndpoint(() => ({
        body: {
          access_token: OAUTH_ACCESS_TOKEN,
          refresh_token: OAUTH_REFRESH_TOKEN,
          expires_in: 1800,
          token_type: 'bearer',
        },
      }));
      cleanup.push(() => tokens.close());
      const stack = await startStack({
        sim: { tokens: [{ token: OAUTH_ACCESS_TOKEN, scopes: ALL_SCOPES, kind: 'oauth' }] },
        env: {
          HUBSPOT_TOKEN: undefined,
          HUBSPOT_CLIENT_ID: 'client-id-1234',
          HUBSPOT_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
          HUBSPOT_REFRESH_TOKEN: OAUTH_REFRESH_TOKEN,
          HUBSPOT_OAUTH_TOKEN_URL: tokens.url,
        },
      });
      cleanup.push(() => stack.close());
      const ids = stack.sim.store.list().map((c) => c.id);

      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          stack.client().request(UpdateCampaignsDocument, {
            inputs: notesInputs(ids.slice(i * 5, i * 5 + 5)),
          }),
        ),
      );
      expect(results.every((r) => r.updateCampaigns.numErrors === 0)).toBe(true);
      expect(tokens.requests).toEqual([
        {
          grant_type: 'refresh_token',
          client_id: 'client-id-1234',
          client_secret: OAUTH_CLIENT_SECRET,
          refresh_token: OAUTH_REFRESH_TOKEN,
        },
      ]);
      await exercise(stack);
      expectAbsent(await everythingSeen(stack), [
        OAUTH_ACCESS_TOKEN,
        OAUTH_CLIENT_SECRET,
        OAUTH_REFRESH_TOKEN,
      ]);
    });

    it('reports a failing refresh without echoing what the token endpoint sent back', async () => {
      const failing = await startFakeTokenEndpoint((req) => ({
        status: 400,
        body: {
          status: 'BAD_REFRESH_TOKEN',
          message: `refresh token ${req.refresh_token} is unknown (client secret ${req.client_secret})`,
        },
      }));
      cleanup.push(() => failing.close());
      const stack = await startStack({
        env: {
          HUBSPOT_TOKEN: undefined,
          HUBSPOT_CLIENT_ID: 'client-id-1234',
          HUBSPOT_CLIENT_SECRET: OAUTH_CLIENT_SECRET,
          HUBSPOT_REFRESH_TOKEN: OAUTH_REFRESH_TOKEN,
          HUBSPOT_OAUTH_TOKEN_URL: failing.url,
        },
      });
      cleanup.push(() => stack.close());
      expect((await stack.http('/readyz')).status).toBe(503);
      const ids = stack.sim.store.list().map((c) => c.id);
      const before = stack.sim.stats().totalRequests;
      const { updateCampaigns } = await stack.client().request(UpdateCampaignsDocument, {
        inputs: notesInputs(ids.slice(0, 2)),
      });
      expect(updateCampaigns.results).toEqual([]);
      expect(updateCampaigns.errors[0]!.ids).toEqual(ids.slice(0, 2));
      expect(updateCampaigns.errors[0]!.message).toContain('OAuth token refresh failed: HTTP 400');
      expect(stack.sim.stats().totalRequests).toBe(before);
      expectAbsent(await everythingSeen(stack), [OAUTH_CLIENT_SECRET, OAUTH_REFRESH_TOKEN]);
    });
  });
});
