// The default transport's bounds and recoveries: the idle fallback when `timeoutMs` is 0, no
// resend of a request that went out in full on a kept-alive connection, the answer size cap, no compressed
// answers, and which failures say HubSpot may have acted on the request.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { transportLimits } from '../src/client.js';
import {
  createHubSpotClient,
  HubSpotAnswerTooLargeError,
  HubSpotNetworkError,
  MAX_ANSWER_BYTES,
} from '../src/index.js';
import { json, startTestServer, type TestServer } from './test-server.js';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const ID = 'edb9b6c3-d2e2-4ca8-8396-832262aed0d4';
const batchOk = {
  status: 'COMPLETE',
  results: [{ id: ID, properties: { hs_name: 'Spring' }, createdAt: 'x', updatedAt: 'y' }],
  startedAt: '2026-01-03T03:04:05.000Z',
  completedAt: '2026-01-03T03:04:06.000Z',
};
const body = { inputs: [{ id: ID, properties: { hs_name: 'Spring' } }] };

/** A server that sends no `Keep-Alive` hint: a client keeps its connections as long as it likes. */
const NO_KEEP_ALIVE_HINT = { keepAliveTimeout: 0 };

let server: TestServer | undefined;
/** The requests the current test's server recorded. */
const requestsSeen = () => server!.requests;
const limits = { ...transportLimits };
afterEach(async () => {
  Object.assign(transportLimits, limits);
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('timeoutMs: 0', () => {
  it('still fails a call whose server never answers, once its connection stays idle', async () => {
    server = await startTestServer(() => undefined);
    transportLimits.socketIdleMs = 100;
    const onCall = vi.fn();
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url, timeoutMs: 0, onCall });
    const error = await failureOf(client.POST('/batch/update', { body }));
    expect(error).toBeInstanceOf(HubSpotNetworkError);
    expect(error).toMatchObject({ kind: 'timeout', timeoutMs: 100, mayHaveBeenProcessed: true });
    expect(onCall).toHaveBeenCalledWith(expect.objectContaining({ outcome: 'timeout' }));

    // The same through openapi-fetch (a middleware takes every call there).
    client.use({ onRequest: () => undefined });
    const viaRequest = await failureOf(client.POST('/batch/update', { body }));
    expect(viaRequest).toMatchObject({ kind: 'timeout', mayHaveBeenProcessed: true });
  });
});

describe('a kept-alive connection the server closed', () => {
  it('is not sent again once the request went out in full: the server may have counted it', async () => {
    // The server drops every connection as its second request arrives, without an answer: it
    // received the request (HubSpot would have counted it), so a second copy sent behind the
    // rate budget's back would be counted twice against one slot.
    server = await startTestServer((req, res) => {
      if (req.nthOnConnection > 1) req.socket.destroy();
      else json(res, 200, batchOk);
    }, NO_KEEP_ALIVE_HINT);
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      try {
        const { data } = await client.POST('/batch/update', { body });
        outcomes.push(data?.results[0]?.id === ID ? 'ok' : 'wrong answer');
      } catch (error) {
        expect(error).toBeInstanceOf(HubSpotNetworkError);
        expect(error).toMatchObject({ kind: 'network', mayHaveBeenProcessed: true });
        outcomes.push('network');
      }
    }
    // Calls 1 and 3 open a connection and are answered; calls 2 and 4 go out on it and fail as
    // the call's own failure (the engine retries them, each under a slot of its own).
    expect(outcomes).toEqual(['ok', 'network', 'ok', 'network']);
    expect(requestsSeen()).toHaveLength(4);
  });

  it('is sent again, once, on a connection of its own, when the reset came before the request was written in full', async () => {
    // The second request on a connection is cut as soon as its headers arrive, while most of its
    // 8 MB body is still on its way: the server cannot have acted on it.
    let connections = 0;
    const complete: number[] = [];
    const raw = createServer({ keepAliveTimeout: 0 }, (req, res) => {
      const socket = req.socket as typeof req.socket & { nth?: number };
      socket.nth = (socket.nth ?? 0) + 1;
      if (socket.nth > 1) return void req.socket.destroy();
      let length = 0;
      req.on('data', (chunk: Buffer) => (length += chunk.length));
      req.on('end', () => {
        complete.push(length);
        json(res, 200, batchOk);
      });
    });
    raw.on('connection', () => connections++);
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = raw.address() as AddressInfo;
      const client = createHubSpotClient({ token: TOKEN, baseUrl: `http://127.0.0.1:${port}` });
      await client.POST('/batch/update', { body });
      const large = { inputs: [{ id: ID, properties: { hs_name: 'x'.repeat(8 * 1024 * 1024) } }] };
      const { data } = await client.POST('/batch/update', { body: large });
      expect(data?.results[0]?.id).toBe(ID);
      // The first call, then the large one once, in full, on a second connection.
      expect(connections).toBe(2);
      expect(complete).toHaveLength(2);
      expect(complete[1]).toBe(JSON.stringify(large).length);
    } finally {
      raw.closeAllConnections();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });

  it('is not resent when the connection was new: the failure is the call’s', async () => {
    server = await startTestServer((req) => void req.socket.destroy(), NO_KEEP_ALIVE_HINT);
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const error = await failureOf(client.POST('/batch/update', { body }));
    expect(error).toBeInstanceOf(HubSpotNetworkError);
    // The request had gone out in full: HubSpot may have acted on it.
    expect(error).toMatchObject({ kind: 'network', mayHaveBeenProcessed: true });
    expect(server.connections()).toBe(1);
  });
});

describe('mayHaveBeenProcessed', () => {
  it('is false when the connection was refused', async () => {
    const closed = await startTestServer(() => undefined);
    await closed.close();
    const client = createHubSpotClient({ token: TOKEN, baseUrl: closed.url });
    const error = await failureOf(client.POST('/batch/update', { body }));
    expect(error).toMatchObject({ kind: 'network', mayHaveBeenProcessed: false });
  });

  it('is true for an answer cut after its status line', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"status":"COMP', () => res.socket?.destroy());
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const error = await failureOf(client.POST('/batch/update', { body }));
    expect(error).toMatchObject({ kind: 'network', mayHaveBeenProcessed: true });
  });

  it('is true for any timeout of an injected fetch, false for its other failures', async () => {
    const hang = (request: Request) =>
      new Promise<Response>((_, reject) =>
        request.signal.addEventListener('abort', () => reject(request.signal.reason)),
      );
    const slow = createHubSpotClient({ token: TOKEN, timeoutMs: 20, fetch: hang });
    expect(await failureOf(slow.POST('/batch/update', { body }))).toMatchObject({
      kind: 'timeout',
      mayHaveBeenProcessed: true,
    });
    const broken = createHubSpotClient({
      token: TOKEN,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    expect(await failureOf(broken.POST('/batch/update', { body }))).toMatchObject({
      kind: 'network',
      mayHaveBeenProcessed: false,
    });
  });
});

describe('the answer size cap', () => {
  it('drops an answer whose Content-Length is over MAX_ANSWER_BYTES, without reading it', async () => {
    server = await startTestServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(400 * 1024 * 1024),
      });
      res.write('{"results":[');
    });
    const onCall = vi.fn();
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url, onCall });
    const error = await failureOf(client.POST('/batch/update', { body }));
    expect(error).toBeInstanceOf(HubSpotAnswerTooLargeError);
    expect(error).toMatchObject({ status: 200, limitBytes: MAX_ANSWER_BYTES, retryable: false });
    expect(onCall).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: 'answered', status: 200 }),
    );
    expect(requestsSeen()).toHaveLength(1);
  });

  it('drops an answer without a length once what arrived passes the cap', async () => {
    transportLimits.maxAnswerBytes = 1000;
    server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"pad":"${'x'.repeat(600)}`, () =>
        setImmediate(() => res.end(`${'y'.repeat(600)}"}`)),
      );
    });
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const error = await failureOf(client.POST('/batch/update', { body }));
    expect(error).toBeInstanceOf(HubSpotAnswerTooLargeError);
    expect(error).toMatchObject({ status: 200, limitBytes: 1000 });
    // An answer under the cap still reads.
    transportLimits.maxAnswerBytes = MAX_ANSWER_BYTES;
    const ok = await client.POST('/batch/update', { body });
    expect(ok.response.status).toBe(200);
  });
});

describe('a caller asking for gzip', () => {
  it('gets a readable answer: the default transport asks for no encoding', async () => {
    server = await startTestServer((req, res) => {
      const wantsGzip = /gzip/.test(String(req.headers['accept-encoding'] ?? ''));
      const text = JSON.stringify(batchOk);
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(wantsGzip ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(wantsGzip ? gzipSync(text) : text);
    });
    const client = createHubSpotClient({
      token: TOKEN,
      baseUrl: server.url,
      headers: { 'Accept-Encoding': 'gzip' },
    });
    const lean = await client.POST('/batch/update', { body });
    expect(lean.data?.results[0]?.id).toBe(ID);
    const perCall = await client.POST('/batch/update', {
      body,
      headers: { 'accept-encoding': 'gzip, deflate' },
    });
    expect(perCall.data?.results[0]?.id).toBe(ID);
    expect(requestsSeen().map((r) => r.headers['accept-encoding'])).toEqual([undefined, undefined]);
  });
});
