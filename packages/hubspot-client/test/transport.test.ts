// The default transport (Node's http on a keep-alive pool, the answer read once) and the
// injected one (any fetch, used as it is).
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BufferedResponse,
  createHubSpotClient,
  HubSpotNetworkError,
  rateLimitOf,
} from '../src/index.js';
import { json, startTestServer, type TestServer } from './test-server.js';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const ID = 'edb9b6c3-d2e2-4ca8-8396-832262aed0d4';
const batchOk = {
  status: 'COMPLETE',
  // A non-Latin-1 character, as HubSpot's names have: decoded once, correctly.
  results: [
    { id: ID, properties: { hs_name: 'Summer sale – EMEA' }, createdAt: 'x', updatedAt: 'y' },
  ],
  startedAt: '2026-01-03T03:04:05.000Z',
  completedAt: '2026-01-03T03:04:06.000Z',
};
const body = { inputs: [{ id: ID, properties: { hs_name: 'Summer sale – EMEA' } }] };

let server: TestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

describe('default transport', () => {
  it('does not go through WHATWG fetch, and answers with a BufferedResponse parsed once', async () => {
    server = await startTestServer((_req, res) =>
      json(res, 200, batchOk, {
        'X-HubSpot-RateLimit-Max': '190',
        'X-HubSpot-RateLimit-Remaining': '7',
      }),
    );
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const { data, response } = await client.POST('/batch/update', { body });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(response).toBeInstanceOf(BufferedResponse);
    // Response-compatible, not a WHATWG Response (that class would load undici).
    expect(response).not.toBeInstanceOf(Response);
    expect(response.status).toBe(200);
    expect(response.bodyUsed).toBe(true);
    expect(data?.results[0]?.properties.hs_name).toBe('Summer sale – EMEA');
    expect(rateLimitOf(response)).toMatchObject({ max: 190, remaining: 7 });
    const sent = server.requests[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent.body)).toEqual(body);
  });

  it('an injected fetch is used as it is', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const seen: string[] = [];
    const client = createHubSpotClient({
      token: TOKEN,
      baseUrl: server.url,
      fetch: (request) => {
        seen.push(request.url);
        return globalThis.fetch(request);
      },
    });
    const { data, response } = await client.POST('/batch/update', { body });
    expect(seen).toHaveLength(1);
    expect(response).not.toBeInstanceOf(BufferedResponse);
    expect(response).toBeInstanceOf(Response);
    expect(data?.results[0]?.id).toBe(ID);
  });
});

describe('a batch call on the default transport', () => {
  it('builds no Request on the way out, and sends what openapi-fetch would send', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const Original = globalThis.Request;
    let made = 0;
    globalThis.Request = class extends Original {
      constructor(...args: ConstructorParameters<typeof Request>) {
        super(...args);
        made++;
      }
    };
    try {
      const options = { token: TOKEN, baseUrl: server.url, headers: { 'X-Team': 'growth' } };
      const lean = createHubSpotClient(options);
      const { data } = await lean.POST('/batch/read', {
        body: { inputs: [{ id: ID }] },
        params: { query: { properties: ['hs_name', 'hs_goal'] } },
      });
      expect(made).toBe(0);
      expect(data?.results[0]?.id).toBe(ID);

      // The same call through openapi-fetch (a middleware takes every call there).
      const generic = createHubSpotClient(options);
      generic.use({ onRequest: () => undefined });
      await generic.POST('/batch/read', {
        body: { inputs: [{ id: ID }] },
        params: { query: { properties: ['hs_name', 'hs_goal'] } },
      });
      expect(made).toBeGreaterThan(0);
    } finally {
      globalThis.Request = Original;
    }
    const [viaLean, viaOpenapiFetch] = server.requests;
    const { host: _host, ...leanHeaders } = viaLean!.headers;
    const { host: _host2, ...genericHeaders } = viaOpenapiFetch!.headers;
    expect(viaLean!.url).toBe(
      '/marketing/v3/campaigns/batch/read?properties=hs_name&properties=hs_goal',
    );
    expect(viaLean!.url).toBe(viaOpenapiFetch!.url);
    expect(viaLean!.method).toBe(viaOpenapiFetch!.method);
    expect(viaLean!.body).toBe(viaOpenapiFetch!.body);
    expect(leanHeaders).toEqual(genericHeaders);
    expect(leanHeaders['x-team']).toBe('growth');
  });

  it('leaves no timer behind once the answer is in (it held the call for timeoutMs)', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url, timeoutMs: 25_000 });
    const set = vi.spyOn(globalThis, 'setTimeout');
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    await client.POST('/batch/update', { body });
    const timers = set.mock.results
      .filter((_, i) => set.mock.calls[i]![1] === 25_000)
      .map((r) => r.value as unknown);
    expect(timers).toHaveLength(1);
    expect(cleared.mock.calls.map(([timer]) => timer as unknown)).toContain(timers[0]);
  });

  it('goes through openapi-fetch for any other shape of call, with its options honoured', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    await client.POST('/batch/update', { body, headers: { 'X-Request-Tag': 'nightly' } });
    expect(server.requests[0]!.headers['x-request-tag']).toBe('nightly');
    const seen: string[] = [];
    client.use({ onRequest: ({ request }) => void seen.push(request.url) });
    await client.POST('/batch/update', { body });
    expect(seen).toEqual([`${server.url}/marketing/v3/campaigns/batch/update`]);
  });

  it('rejects a 2xx body that is not JSON, as openapi-fetch does', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":');
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    await expect(client.POST('/batch/update', { body })).rejects.toThrow(SyntaxError);
  });
});

describe('the default transport on the wire', () => {
  it('keeps one connection for calls in sequence', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    for (let i = 0; i < 3; i++) await client.POST('/batch/update', { body });
    expect(server.requests).toHaveLength(3);
    expect(server.connections()).toBe(1);
  });

  it('decodes a character split across chunks, and keeps repeated headers', async () => {
    const bytes = Buffer.from(JSON.stringify(batchOk));
    const dash = bytes.indexOf(Buffer.from('–'));
    server = await startTestServer((_req, res) => {
      res.writeHead(200, [
        ['content-type', 'application/json'],
        ['x-trace', 'a'],
        ['x-trace', 'b'],
      ]);
      // The en dash's three bytes go out in two writes, the second once the first was sent.
      res.write(bytes.subarray(0, dash + 1), () =>
        setImmediate(() => res.end(bytes.subarray(dash + 1))),
      );
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const { data, response } = await client.POST('/batch/update', { body });
    expect(data?.results[0]?.properties.hs_name).toBe('Summer sale – EMEA');
    expect(response.headers.get('x-trace')).toBe('a, b');
  });

  it('skips an informational answer and reads the final one', async () => {
    server = await startTestServer((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      json(res, 200, batchOk);
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const { data, response } = await client.POST('/batch/update', { body });
    expect(response.status).toBe(200);
    expect(data?.results[0]?.id).toBe(ID);
  });

  it('reports an answer cut before its last byte as a network error, and connects again', async () => {
    let calls = 0;
    server = await startTestServer((_req, res) => {
      if (calls++ > 0) return json(res, 200, batchOk);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"status":"COMP', () => res.socket?.destroy());
    });
    const onCall = vi.fn();
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url, onCall });
    const error = await client.POST('/batch/update', { body }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubSpotNetworkError);
    expect((error as HubSpotNetworkError).kind).toBe('network');
    expect(onCall).toHaveBeenLastCalledWith(expect.objectContaining({ outcome: 'network' }));
    const { data } = await client.POST('/batch/update', { body });
    expect(data?.results[0]?.id).toBe(ID);
  });

  it('makes no AbortController of its own for a call: its timeout is a timer', async () => {
    server = await startTestServer((_req, res) => json(res, 200, batchOk));
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url, timeoutMs: 25_000 });
    const caller = new AbortController();
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      await client.POST('/batch/update', { body });
      await client.POST('/batch/update', { body, signal: caller.signal });
    } finally {
      globalThis.AbortController = Original;
    }
    expect(made).toBe(0);
  });

  it('bounds the body by the timeout too: an answer that stops half-way times out', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"status":"COMP');
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url, timeoutMs: 150 });
    const error = await client.POST('/batch/update', { body }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubSpotNetworkError);
    expect((error as HubSpotNetworkError).kind).toBe('timeout');
  });
});

describe('BufferedResponse', () => {
  const make = () =>
    new BufferedResponse('{"a":"–"}', {
      status: 207,
      headers: { 'content-type': 'application/json' },
    });

  it('reads like a Response, once', async () => {
    const response = make();
    expect(response.ok).toBe(true);
    expect(response.headers.get('content-type')).toBe('application/json');
    const copy = response.clone();
    expect(await response.json()).toEqual({ a: '–' });
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(await copy.text()).toBe('{"a":"–"}');
  });

  it('has a body stream and bytes for code that wants them', async () => {
    expect(await new Response(make().body).text()).toBe('{"a":"–"}');
    expect(new TextDecoder().decode(await make().arrayBuffer())).toBe('{"a":"–"}');
    expect(new BufferedResponse('', { status: 204 }).body).toBeNull();
  });
});
