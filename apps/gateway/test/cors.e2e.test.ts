// CORS_ORIGINS: a page on another origin calls the gateway over real HTTP, as a browser would
// (a preflight, then the request with its Origin), while CSRF prevention stays on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { CORS_ALLOWED_HEADERS } from '../src/http.js';
import { STREAM_PATH } from '../src/stream/handler.js';
import { apiKeyEntry, startStack, type Stack } from './stack.js';
import { openStream } from './stream-helpers.js';

const PAGE = 'https://editor.example.com';
const DEV_PAGE = 'http://localhost:5173';
const STRANGER = 'https://evil.example.net';
const KEY = 'cors-test-key-0123456789abcdef';
const QUERY = '{ campaignList(first: 1) { totalCount } }';

function preflight(stack: Stack, path: string, origin: string, method = 'POST') {
  return stack.http(path, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  });
}

function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries(
    [...response.headers].filter(([name]) => name.startsWith('access-control-')),
  );
}

describe('CORS_ORIGINS', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: {
        CORS_ORIGINS: `${PAGE}, ${DEV_PAGE}`,
        AUTH_MODE: 'api-key',
        GATEWAY_API_KEYS: apiKeyEntry('editor', KEY),
      },
    });
  });
  afterAll(() => stack.close());

  it('answers a preflight from a listed origin with that origin, the methods, headers and max age, before authentication', async () => {
    for (const origin of [PAGE, DEV_PAGE]) {
      const response = await preflight(stack, '/graphql', origin);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
      expect(response.headers.get('vary')).toBe('Origin');
      expect(corsHeaders(response)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'POST, GET',
        'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
        'access-control-max-age': '600',
      });
    }
    expect(CORS_ALLOWED_HEADERS).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'x-api-key',
        'apollo-require-preflight',
      ]),
    );
  });

  it('refuses a preflight from any other origin with 403 and no CORS header', async () => {
    for (const origin of [STRANGER, `${PAGE}/`, 'https://editor.example.com:8443', 'null']) {
      const response = await preflight(stack, '/graphql', origin);
      expect(response.status).toBe(403);
      expect(corsHeaders(response)).toEqual({});
      expect(response.headers.get('vary')).toBe('Origin');
      const body = (await response.json()) as {
        errors: Array<{ message: string; extensions: { code: string } }>;
      };
      expect(body.errors[0]!.extensions.code).toBe('FORBIDDEN');
      expect(body.errors[0]!.message).toBe(
        `origin ${origin} may not call this gateway from a browser: it is not in CORS_ORIGINS`,
      );
    }
  });

  it('marks the answers of a listed origin, 401s included, and leaves other origins’ bare', async () => {
    const post = (origin: string, key?: string) =>
      stack.http('/graphql', {
        method: 'POST',
        headers: {
          origin,
          'content-type': 'application/json',
          ...(key ? { 'x-api-key': key } : {}),
        },
        body: JSON.stringify({ query: QUERY }),
      });
    const ok = await post(PAGE, KEY);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { data: unknown }).data).toEqual({
      campaignList: { totalCount: 150 },
    });
    expect(corsHeaders(ok)).toEqual({
      'access-control-allow-origin': PAGE,
      'access-control-expose-headers': 'retry-after, x-request-id, www-authenticate',
    });
    expect(ok.headers.get('vary')).toBe('Origin');

    const unauthenticated = await post(PAGE);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('access-control-allow-origin')).toBe(PAGE);

    // The server still answers (CORS is enforced by the browser), but without a header that
    // would let a page on that origin read it.
    const stranger = await post(STRANGER, KEY);
    expect(stranger.status).toBe(200);
    expect(corsHeaders(stranger)).toEqual({});
    expect(stranger.headers.get('vary')).toBe('Origin');
  });

  it('keeps CSRF prevention on: a simple request from a listed origin is still refused', async () => {
    const response = await stack.http(`/graphql?query=${encodeURIComponent(QUERY)}`, {
      headers: { origin: PAGE, 'x-api-key': KEY },
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF|preflight/i);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    const preflighted = await stack.http(`/graphql?query=${encodeURIComponent(QUERY)}`, {
      headers: { origin: PAGE, 'x-api-key': KEY, 'apollo-require-preflight': 'true' },
    });
    expect(preflighted.status).toBe(200);
  });

  it('serves the event stream to a listed origin: POST only in its preflight, the origin on its answer', async () => {
    const response = await preflight(stack, STREAM_PATH, PAGE);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toBe('POST');
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect((await preflight(stack, STREAM_PATH, STRANGER)).status).toBe(403);

    const stream = await openStream(
      stack.gateway.origin,
      { query: 'subscription { campaignUpdateJobProgress(id: "no-such-job") { status } }' },
      { origin: PAGE, 'x-api-key': KEY },
    );
    expect(stream.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(stream.response.headers.get('vary')).toBe('Origin');
    await stream.response.body?.cancel();

    const refused = await openStream(
      stack.gateway.origin,
      { query: 'subscription { x }' },
      { origin: PAGE },
    );
    expect(refused.status).toBe(401);
    expect(refused.response.headers.get('access-control-allow-origin')).toBe(PAGE);
    await refused.response.body?.cancel();
  });

  it('leaves other paths and plain OPTIONS alone', async () => {
    const health = await stack.http('/healthz', { headers: { origin: PAGE } });
    expect(corsHeaders(health)).toEqual({});
    expect(
      (await preflight(stack, '/healthz', PAGE)).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });
});

describe('without CORS_ORIGINS (the default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('refuses every cross-origin preflight, saying none is allowed, and adds no CORS or Vary header', async () => {
    const response = await preflight(stack, '/graphql', PAGE);
    expect(response.status).toBe(403);
    expect(corsHeaders(response)).toEqual({});
    expect(response.headers.get('vary')).toBeNull();
    expect(
      ((await response.json()) as { errors: Array<{ message: string }> }).errors[0]!.message,
    ).toContain('none are set: same origin only');
    const post = await stack.http('/graphql', {
      method: 'POST',
      headers: { origin: PAGE, 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    });
    expect(post.status).toBe(200);
    expect(corsHeaders(post)).toEqual({});
  });
});

describe('CORS_ORIGINS validation', () => {
  const base = { AUTH_MODE: 'none', NODE_ENV: 'test' };
  it('takes exact origins, trimmed and deduplicated', () => {
    expect(
      loadConfig({
        ...base,
        CORS_ORIGINS: ' https://a.example.com ,http://127.0.0.1:5173,https://a.example.com',
      }).http.corsOrigins,
    ).toEqual(['https://a.example.com', 'http://127.0.0.1:5173']);
    expect(loadConfig(base).http.corsOrigins).toEqual([]);
  });

  it.each([
    ['*'],
    ['https://*.example.com'],
    ['https://a.example.com/'],
    ['https://a.example.com/app'],
    ['https://A.example.com'],
    ['https://a.example.com:443'],
    ['a.example.com'],
    ['ftp://a.example.com'],
    ['https://a.example.com?x=1'],
    [','],
  ])('refuses %s, naming the variable and the entry but not the value', (value) => {
    let error: unknown;
    try {
      loadConfig({ ...base, CORS_ORIGINS: `https://ok.example.com,${value}` });
    } catch (caught) {
      error = caught;
    }
    if (value === ',') {
      expect(error).toBeUndefined();
      return;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const [problem] = (error as ConfigError).problems;
    expect(problem).toMatch(
      /^CORS_ORIGINS: must be a comma-separated list of origins .*: entry 2 is not one$/,
    );
  });

  it('refuses a list without an origin', () => {
    expect(() => loadConfig({ ...base, CORS_ORIGINS: ' , ' })).toThrow(/CORS_ORIGINS: must be/);
  });
});
