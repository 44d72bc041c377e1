import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createHubSpotClient,
  DEFAULT_USER_AGENT,
  HubSpotApiError,
  HubSpotNetworkError,
  HubSpotTokenError,
  isHubSpotClient,
  isTransientStatus,
  rateLimitOf,
  roundTripOf,
  type HubSpotCall,
  type RateLimitInfo,
} from '../src/index.js';
import { json, startTestServer, type TestServer } from './test-server.js';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const CAMPAIGN = {
  id: 'edb9b6c3-d2e2-4ca8-8396-832262aed0d4',
  properties: { hs_name: 'Spring launch' },
  businessUnits: [{ id: 0 }],
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-03T03:04:05.000Z',
};
const batchOk = {
  status: 'COMPLETE',
  results: [CAMPAIGN],
  startedAt: '2026-01-03T03:04:05.000Z',
  completedAt: '2026-01-03T03:04:06.000Z',
};
const updateBody = { inputs: [{ id: CAMPAIGN.id, properties: { hs_name: 'Spring launch' } }] };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('requests', () => {
  it('sends the bearer token, user agent and JSON body to the v3 path', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });

    const { data } = await client.POST('/batch/update', { body: updateBody });

    expect(data?.results[0]?.id).toBe(CAMPAIGN.id);
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/marketing/v3/campaigns/batch/update');
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req!.body)).toEqual(updateBody);
  });

  it('targets a date version by configuration, with the same call site', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({
      token: TOKEN,
      baseUrl: server.url,
      apiVersion: '2026-03',
    });

    await client.POST('/batch/update', { body: updateBody });
    await client.GET('/{campaignGuid}', { params: { path: { campaignGuid: CAMPAIGN.id } } });

    expect(server.requests.map((r) => r.url)).toEqual([
      '/marketing/campaigns/2026-03/batch/update',
      `/marketing/campaigns/2026-03/${CAMPAIGN.id}`,
    ]);
    expect(client.apiRoot).toBe(`${server.url}/marketing/campaigns/2026-03`);
  });

  it('serialises query arrays the way HubSpot reads them', async () => {
    server = await startTestServer((_req, res) => json(res, 200, { total: 0, results: [] }));
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });

    await client.GET('/', { params: { query: { limit: 10, properties: ['hs_name', 'hs_goal'] } } });

    expect(server.requests[0]?.url).toBe(
      '/marketing/v3/campaigns/?limit=10&properties=hs_name&properties=hs_goal',
    );
  });

  it('asks a token provider before every request, so a refreshed token is used at once', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    let n = 0;
    const client = createHubSpotClient({
      token: async () => `oauth-access-token-${++n}`,
      baseUrl: server.url,
      userAgent: 'internal-app/2.0',
    });

    await client.POST('/batch/update', { body: updateBody });
    await client.POST('/batch/update', { body: updateBody });

    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer oauth-access-token-1',
      'Bearer oauth-access-token-2',
    ]);
    expect(server.requests[0]?.headers['user-agent']).toBe('internal-app/2.0');
  });

  it('rejects before sending when the token provider gives nothing', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({ token: () => '', baseUrl: server.url });

    await expect(client.POST('/batch/update', { body: updateBody })).rejects.toThrow(
      /returned no token/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('wraps a failing token provider in a retryable HubSpotTokenError, sending nothing', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({
      token: async () => {
        throw new Error('OAuth endpoint unreachable');
      },
      baseUrl: server.url,
    });

    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HubSpotTokenError);
    expect((error as HubSpotTokenError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/token provider failed: OAuth endpoint unreachable/);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a token too short to redact, at creation or from a provider, sending nothing', async () => {
    expect(() => createHubSpotClient({ token: 'abcde' })).toThrow(
      /^token is 5 characters long; at least 6 are required/,
    );
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({ token: () => 'abcde', baseUrl: server.url });
    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubSpotTokenError);
    expect((error as Error).message).toMatch(/under 6 characters/);
    expect((error as Error).message).not.toContain('abcde');
    expect(server.requests).toHaveLength(0);
  });

  it('redacts a 7-character token that a 401 body echoes, from the message and every field', async () => {
    const short = 'tok-7ch';
    server = await startTestServer((_req, res) =>
      json(res, 401, {
        status: 'error',
        category: 'INVALID_AUTHENTICATION',
        message: `The token ${short} is not valid`,
        context: { token: [short] },
      }),
    );
    const client = createHubSpotClient({ token: short, baseUrl: server.url });
    const error = (await client
      .POST('/batch/update', { body: updateBody })
      .catch((e: unknown) => e)) as HubSpotApiError;
    expect(error).toBeInstanceOf(HubSpotApiError);
    expect(error.message).toContain('The token [REDACTED] is not valid');
    const everything = JSON.stringify({ ...error, message: error.message, summary: error.summary });
    expect(everything).not.toContain(short);
  });

  it('refuses bad configuration with a message naming the setting', () => {
    expect(() => createHubSpotClient({ token: TOKEN, apiVersion: 'v4' as never })).toThrow(
      /apiVersion/,
    );
    expect(() => createHubSpotClient({ token: TOKEN, apiVersion: '2026-13' as never })).toThrow(
      /apiVersion/,
    );
    expect(() => createHubSpotClient({ token: TOKEN, baseUrl: 'api.hubapi.com' })).toThrow(
      /baseUrl/,
    );
    expect(() => createHubSpotClient({ token: TOKEN, timeoutMs: -1 })).toThrow(/timeoutMs/);
  });
});

describe('responses', () => {
  it('hands a 207 back as data with its item errors', async () => {
    const partial = {
      ...batchOk,
      numErrors: 1,
      errors: [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: 'Could not find campaigns',
          errors: [],
          context: { ids: ['missing-id'] },
          links: {},
        },
      ],
    };
    server = await startTestServer((_req, res) => json(res, 207, partial));
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });

    const { data, response } = await client.POST('/batch/update', { body: updateBody });

    expect(response.status).toBe(207);
    expect(data && 'errors' in data ? data.errors?.[0]?.context.ids : undefined).toEqual([
      'missing-id',
    ]);
  });

  it('resolves a 204 with no data', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });

    const { data, response } = await client.POST('/batch/archive', {
      body: { inputs: [{ id: 'x' }] },
    });

    expect(response.status).toBe(204);
    expect(data).toBeUndefined();
  });

  it('passes the rate-limit headers of every response to onRateLimit', async () => {
    let call = 0;
    server = await startTestServer((_req, res) => {
      call++;
      const headers = {
        'X-HubSpot-RateLimit-Max': '190',
        'X-HubSpot-RateLimit-Remaining': call === 1 ? '189' : '0',
        'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
        'X-HubSpot-RateLimit-Daily': '650000',
        'X-HubSpot-RateLimit-Daily-Remaining': '649000',
      };
      if (call === 1) json(res, 200, batchOk, headers);
      else
        json(
          res,
          429,
          {
            status: 'error',
            message: 'slow down',
            errorType: 'RATE_LIMIT',
            policyName: 'TEN_SECONDLY_ROLLING',
          },
          headers,
        );
    });
    const seen: Array<[RateLimitInfo, number]> = [];
    const client = createHubSpotClient({
      token: TOKEN,
      baseUrl: server.url,
      onRateLimit: (info, event) => seen.push([info, event.status]),
    });

    await client.POST('/batch/update', { body: updateBody });
    await client.POST('/batch/update', { body: updateBody }).catch(() => undefined);

    expect(seen).toEqual([
      [{ max: 190, remaining: 189, intervalMs: 10000, daily: 650000, dailyRemaining: 649000 }, 200],
      [{ max: 190, remaining: 0, intervalMs: 10000, daily: 650000, dailyRemaining: 649000 }, 429],
    ]);
  });

  it('keeps the rate-limit headers it parsed: rateLimitOf(response) for a 2xx, error.rateLimit for a failure', async () => {
    let call = 0;
    server = await startTestServer((_req, res) => {
      call++;
      const headers = { 'X-HubSpot-RateLimit-Max': '190', 'X-HubSpot-RateLimit-Remaining': '7' };
      if (call === 1) json(res, 200, batchOk, headers);
      else json(res, 503, { message: 'unavailable' }, headers);
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });

    const { response } = await client.POST('/batch/update', { body: updateBody });
    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);

    expect(rateLimitOf(response)).toEqual({ max: 190, remaining: 7 });
    expect((error as HubSpotApiError).rateLimit).toEqual({ max: 190, remaining: 7 });
    expect(rateLimitOf(new Response('{}'))).toBeUndefined();
  });

  it('times each answer from the request leaving, not from before the token: roundTripOf(response), error.roundTripMs', async () => {
    let call = 0;
    server = await startTestServer((_req, res) => {
      call++;
      if (call === 1) json(res, 200, batchOk);
      else json(res, 503, { message: 'unavailable' });
    });
    // A clock that only the token provider moves: a slow token (1 s here) is not in the round trip.
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const client = createHubSpotClient({
        token: async () => {
          clock += 1000;
          return TOKEN;
        },
        baseUrl: server.url,
      });
      const { response } = await client.POST('/batch/update', { body: updateBody });
      const error = await client.POST('/batch/update', { body: updateBody }).catch((e) => e);
      expect(roundTripOf(response)).toBe(0);
      expect((error as HubSpotApiError).roundTripMs).toBe(0);
    } finally {
      now.mockRestore();
    }
    expect(roundTripOf(new Response('{}'))).toBeUndefined();
  });

  it('marks its clients, so code that relies on its contract can tell a plain openapi-fetch client', async () => {
    const { default: createClient } = await import('openapi-fetch');
    expect(isHubSpotClient(createHubSpotClient({ token: TOKEN }))).toBe(true);
    expect(isHubSpotClient(createClient({ baseUrl: 'http://hubspot.test' }))).toBe(false);
    expect(isHubSpotClient(undefined)).toBe(false);
  });
});

describe('failures', () => {
  async function failureFrom(status: number, body: unknown, headers: Record<string, string> = {}) {
    server = await startTestServer((_req, res) => {
      if (typeof body === 'string') {
        res.writeHead(status, { 'content-type': 'text/html', ...headers });
        res.end(body);
      } else json(res, status, body, headers);
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const error = await client.POST('/batch/update', { body: updateBody }).then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HubSpotApiError);
    return error as HubSpotApiError;
  }

  it('turns a 400 into a HubSpotApiError with category, correlation id and details', async () => {
    const error = await failureFrom(400, {
      status: 'error',
      category: 'VALIDATION_ERROR',
      correlationId: 'aeb5f871-7f07-4993-9211-075dc63e7cbf',
      message: 'Property hs_budget_items_sum_amount is read-only',
      errors: [{ message: 'read-only', context: { propertyName: ['hs_budget_items_sum_amount'] } }],
    });
    expect(error.status).toBe(400);
    expect(error.category).toBe('VALIDATION_ERROR');
    expect(error.correlationId).toBe('aeb5f871-7f07-4993-9211-075dc63e7cbf');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('POST /marketing/v3/campaigns/batch/update');
    expect(error.message).toContain('read-only');
    expect(
      typeof error.body === 'object' && error.body?.errors?.[0]?.context?.propertyName,
    ).toEqual(['hs_budget_items_sum_amount']);
  });

  it("exposes the body's message, errors, context and links as typed fields, read once", async () => {
    const error = await failureFrom(400, {
      status: 'error',
      category: 'VALIDATION_ERROR',
      correlationId: 'c-1',
      message: 'Some campaigns are invalid',
      errors: [
        { message: 'bad date', in: 'hs_start_date', context: { ids: ['a-000001'] } },
        { message: 'read-only', context: { propertyName: ['hs_budget_items_sum_amount'] } },
      ],
      context: { ids: ['a-000002'] },
      links: { knowledgeBase: 'https://knowledge.hubspot.com/x' },
    });
    expect(error.hubspotMessage).toBe('Some campaigns are invalid');
    expect(error.errors).toEqual([
      { message: 'bad date', in: 'hs_start_date', context: { ids: ['a-000001'] } },
      { message: 'read-only', context: { propertyName: ['hs_budget_items_sum_amount'] } },
    ]);
    expect(error.context).toEqual({ ids: ['a-000002'] });
    expect(error.links).toEqual({ knowledgeBase: 'https://knowledge.hubspot.com/x' });
  });

  it('gives empty details, and no message, for a body without them or that is not JSON', async () => {
    const edge = await failureFrom(502, '<html><body>Bad gateway</body></html>');
    expect([edge.hubspotMessage, edge.errors, edge.context, edge.links]).toEqual([
      undefined,
      [],
      {},
      {},
    ]);
    await server?.close();
    server = undefined;
    const odd = await failureFrom(400, { message: '', errors: 'no', context: ['x'], links: null });
    expect([odd.hubspotMessage, odd.errors, odd.context, odd.links]).toEqual([
      undefined,
      [],
      {},
      {},
    ]);
  });

  it('maps 401 and 403 to their categories, not retryable', async () => {
    const unauth = await failureFrom(401, {
      category: 'INVALID_AUTHENTICATION',
      correlationId: 'c1',
      message: 'bad token',
    });
    expect([unauth.status, unauth.category, unauth.retryable]).toEqual([
      401,
      'INVALID_AUTHENTICATION',
      false,
    ]);
    await server?.close();
    const forbidden = await failureFrom(403, {
      category: 'MISSING_SCOPES',
      correlationId: 'c2',
      message: 'missing scopes',
      errors: [
        { message: 'needs write', context: { requiredScopes: ['marketing.campaigns.write'] } },
      ],
    });
    expect([forbidden.status, forbidden.category, forbidden.retryable]).toEqual([
      403,
      'MISSING_SCOPES',
      false,
    ]);
  });

  it('reads a 429 policy and Retry-After in ms', async () => {
    const error = await failureFrom(
      429,
      {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        correlationId: 'c3',
        policyName: 'TEN_SECONDLY_ROLLING',
      },
      { 'Retry-After': '2' },
    );
    expect(error.category).toBe('RATE_LIMIT');
    expect(error.policyName).toBe('TEN_SECONDLY_ROLLING');
    expect(error.retryAfterMs).toBe(2000);
    expect(error.retryable).toBe(true);
  });

  it('marks a DAILY 429 as not retryable', async () => {
    const error = await failureFrom(429, {
      status: 'error',
      message: 'daily limit',
      errorType: 'RATE_LIMIT',
      policyName: 'DAILY',
    });
    expect(error.policyName).toBe('DAILY');
    expect(error.retryable).toBe(false);
  });

  it('keeps a non-JSON 5xx body as text and marks it retryable', async () => {
    const error = await failureFrom(502, '<html><body>Bad gateway</body></html>');
    expect(error.status).toBe(502);
    expect(error.category).toBeUndefined();
    expect(error.body).toBe('<html><body>Bad gateway</body></html>');
    expect(error.retryable).toBe(true);
  });

  it('marks a 408 retryable, as the core retries it (one decision: isTransientStatus)', async () => {
    const error = await failureFrom(408, '');
    expect(error.retryable).toBe(true);
    expect(isTransientStatus(408)).toBe(true);
  });

  it('reports every call it sent through onCall, telling a timeout from a cancellation', async () => {
    const calls: HubSpotCall[] = [];
    const pending: Request[] = [];
    const hanging = ((request: Request) =>
      new Promise<Response>((_, reject) => {
        // Held like a real fetch holds its socket: otherwise nothing roots the pending call.
        pending.push(request);
        if (request.signal.aborted) reject(request.signal.reason);
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
      })) as typeof fetch;
    const client = createHubSpotClient({
      token: 'pat-test-token-0123456789',
      baseUrl: 'http://hubspot.test',
      timeoutMs: 100,
      fetch: hanging,
      onCall: (call) => calls.push(call),
    });
    const canceled = new AbortController();
    const call = client.GET('/', { signal: canceled.signal });
    canceled.abort(new Error('gone'));
    await expect(call).rejects.toThrow('gone');
    await expect(client.GET('/')).rejects.toThrow(/timed out/);
    expect(calls.map((c) => c.outcome)).toEqual(['canceled', 'timeout']);
    const answering = createHubSpotClient({
      token: () => 'pat-test-token-0123456789',
      baseUrl: 'http://hubspot.test',
      fetch: (async () => Response.json({ results: [] }, { status: 200 })) as typeof fetch,
      onCall: (call) => calls.push(call),
    });
    await answering.GET('/', { params: { query: { limit: 1 } } });
    expect(calls[2]).toMatchObject({ outcome: 'answered', status: 200, method: 'GET' });
  });

  it('leaves the path and a non-JSON body out of an API error summary', async () => {
    const error = await failureFrom(502, '<html><body><h1>502 Bad Gateway</h1></body></html>');
    expect(error.message).toContain('/batch/update');
    expect(error.summary).toBe('HubSpot answered 502 with a non-JSON body');
  });

  it("keeps HubSpot's own JSON message in the summary", async () => {
    const error = await failureFrom(400, {
      status: 'error',
      category: 'VALIDATION_ERROR',
      message: 'Property values were not valid',
    });
    expect(error.summary).toBe(
      'HubSpot answered 400 VALIDATION_ERROR: Property values were not valid',
    );
  });

  it('leaves the address and the system error out of a network error summary', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const url = server.url;
    await server.close();
    server = undefined;
    const client = createHubSpotClient({ token: TOKEN, baseUrl: url });

    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HubSpotNetworkError);
    const { message, summary } = error as HubSpotNetworkError;
    expect(message).toMatch(/ECONNREFUSED/);
    expect(summary).toBe('HubSpot could not be reached (connection refused)');
    expect(summary).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|\/batch|:\d{2,5}/);
  });

  it("leaves a token provider's error text out of a token error summary", async () => {
    const client = createHubSpotClient({
      token: () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:443 (oauth)')),
    });
    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubSpotTokenError);
    expect((error as HubSpotTokenError).summary).toBe(
      'no HubSpot access token: the token provider failed',
    );
  });

  it("passes on a token provider's own summary", async () => {
    const client = createHubSpotClient({
      token: () =>
        Promise.reject(
          Object.assign(new Error('refresh at https://idp.internal/token: HTTP 400'), {
            summary: 'OAuth token refresh failed: HTTP 400',
          }),
        ),
    });
    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);
    expect((error as HubSpotTokenError).summary).toBe(
      'no HubSpot access token: OAuth token refresh failed: HTTP 400',
    );
  });

  it('times out a hanging request with a HubSpotNetworkError of kind timeout', async () => {
    server = await startTestServer(() => {
      /* never answers */
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url, timeoutMs: 150 });

    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HubSpotNetworkError);
    expect((error as HubSpotNetworkError).kind).toBe('timeout');
    expect((error as HubSpotNetworkError).message).toMatch(/timed out after 150 ms/);
  });

  it("rejects with the caller's abort reason when the caller's signal aborts", async () => {
    server = await startTestServer(() => {
      /* never answers */
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url, timeoutMs: 5000 });
    const controller = new AbortController();
    const reason = new Error('user navigated away');
    setTimeout(() => controller.abort(reason), 50);

    await expect(
      client.POST('/batch/update', { body: updateBody, signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  it('reports a dropped connection as a network error', async () => {
    server = await startTestServer((_req, res) => {
      res.socket?.destroy();
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });

    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HubSpotNetworkError);
    expect((error as HubSpotNetworkError).kind).toBe('network');
    expect((error as HubSpotNetworkError).retryable).toBe(true);
  });
});

describe('token redaction', () => {
  function expectNoToken(error: unknown) {
    const e = error as Error;
    const forms = [
      e.message,
      String(e),
      e.stack ?? '',
      JSON.stringify(e),
      JSON.stringify((e as { cause?: unknown }).cause ?? null),
      JSON.stringify((e as { body?: unknown }).body ?? null),
    ];
    for (const form of forms) expect(form).not.toContain(TOKEN);
  }

  it('keeps the token out of an error even when the server echoes it back', async () => {
    server = await startTestServer((req, res) =>
      json(res, 401, {
        category: 'INVALID_AUTHENTICATION',
        correlationId: 'c4',
        message: `Token ${req.headers.authorization} is not valid (${TOKEN})`,
        context: { [TOKEN]: [TOKEN] },
      }),
    );
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });

    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HubSpotApiError);
    expect((error as Error).message).toContain('[REDACTED]');
    expectNoToken(error);
  });

  it('keeps the token out of the cause of a network error', async () => {
    const client = createHubSpotClient({
      token: TOKEN,
      baseUrl: 'http://127.0.0.1:9',
      fetch: async (request) => {
        throw new TypeError(`connect failed for ${request.headers.get('authorization')}`);
      },
    });

    const error = await client.POST('/batch/update', { body: updateBody }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HubSpotNetworkError);
    expect(JSON.stringify((error as HubSpotNetworkError).cause)).toContain('connect failed');
    expectNoToken(error);
  });
});
