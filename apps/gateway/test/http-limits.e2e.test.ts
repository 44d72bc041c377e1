// Slow and oversized clients: the 413 for a too-large body reaches the client (no connection
// reset), `Expect: 100-continue` is refused before the body is sent, and a client that trickles
// its headers is cut off by the headers timeout while everyone else is served.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, until, type Stack } from './stack.js';

const MAX_BODY = 4096;
const MAX_DISCARD = 8 * 1024 * 1024;

let stack: Stack;
let port: number;
beforeAll(async () => {
  stack = await startStack({
    env: {
      MAX_BODY_BYTES: String(MAX_BODY),
      MAX_BODY_DISCARD_BYTES: String(MAX_DISCARD),
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '20000',
    },
  });
  port = Number(new URL(stack.gateway.origin).port);
});
afterAll(() => stack.close());

interface RawResult {
  /** Everything the server sent before the connection ended. */
  received: string;
  /** The socket error, if the connection ended with one (ECONNRESET, EPIPE). */
  error?: string;
  status?: number;
}

/**
 * Writes a request head and then the body in chunks, without waiting for anything the server
 * says (a client that does not wait for 100-continue), and collects the answer.
 */
function rawPost(
  head: string,
  body: Buffer,
  chunkSize = 64 * 1024,
  target = port,
): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = net.connect(target, '127.0.0.1');
    const received: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      resolve({
        received: text,
        ...(error ? { error } : {}),
        ...(status ? { status: Number(status) } : {}),
      });
    });
    socket.on('connect', () => {
      socket.write(head);
      let offset = 0;
      const pump = () => {
        while (offset < body.length && !socket.destroyed) {
          const more = socket.write(body.subarray(offset, offset + chunkSize));
          offset += chunkSize;
          if (!more) return void socket.once('drain', pump);
        }
        // Half-close: we are done sending; the server may still answer and close.
        if (!socket.destroyed) socket.end();
      };
      pump();
    });
  });
}

const postHead = (length: number, extra = '') =>
  `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n${extra}\r\n`;

const jsonBody = (size: number) => Buffer.from(`{"query":"${'x'.repeat(size - 12)}"}`);

describe('oversized bodies', () => {
  it('lets every client that does not wait for 100-continue see the 413, never a reset', async () => {
    // Large enough that it is still being sent when a server that does not read it closes.
    const body = jsonBody(4 * 1024 * 1024);
    const results: RawResult[] = [];
    // Sequential batches of 5, so a loaded machine is not the variable.
    for (let batch = 0; batch < 6; batch++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 5 }, () => rawPost(postHead(body.length), body)),
        )),
      );
    }
    const bad = results.filter(
      (r) => r.error !== undefined || r.status !== 413 || !r.received.includes('MAX_BODY_BYTES'),
    );
    expect(bad.map((r) => r.error ?? `status ${r.status}`)).toEqual([]);
    expect(results).toHaveLength(30);
  });

  it('reads a chunked body past MAX_BODY_BYTES to its end before answering 413', async () => {
    const results = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<{ status?: number; text: string; errors: string[] }>((resolve) => {
            const errors: string[] = [];
            let status: number | undefined;
            let text = '';
            const req = http.request({
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: '/graphql',
              headers: { 'content-type': 'application/json', connection: 'close' },
            });
            req.on('response', (res) => {
              status = res.statusCode;
              res.setEncoding('utf8');
              res.on('data', (c: string) => (text += c));
            });
            // Any error, even after the answer came (EPIPE while still sending), is a failure.
            req.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
            req.on('close', () => resolve({ ...(status ? { status } : {}), text, errors }));
            // No content-length: chunked transfer, so the size is only known while reading.
            for (let i = 0; i < 64; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
            req.end();
          }),
      ),
    );
    for (const result of results) {
      expect(result.errors).toEqual([]);
      expect(result.status).toBe(413);
      expect(JSON.parse(result.text).errors[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        limit: { setting: 'MAX_BODY_BYTES', max: MAX_BODY },
      });
    }
  });

  it('answers a declared length above MAX_BODY_DISCARD_BYTES at once, naming both limits', async () => {
    // Only the head is sent: the answer must not wait for a body that is not worth reading.
    const result = await new Promise<RawResult>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(postHead(MAX_DISCARD + 1)));
      const received: Buffer[] = [];
      socket.on('data', (chunk) => received.push(chunk));
      socket.on('error', () => {});
      socket.on('close', () => {
        const text = Buffer.concat(received).toString('latin1');
        resolve({ received: text, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]) });
      });
    });
    expect(result.status).toBe(413);
    expect(result.received).toContain('MAX_BODY_BYTES');
    expect(result.received.toLowerCase()).toContain('connection: close');
  });

  it('still serves a body within MAX_BODY_BYTES on the same settings', async () => {
    const response = await stack.http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
  });
});

describe('clients that go away', () => {
  it('forgets a request whose client left mid-body: nothing in flight, no error logged', async () => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write(postHead(MAX_BODY - 10));
    socket.write('{"query":"');
    const inflight = async () => (await stack.gateway.metrics.inflight.get()).values[0]?.value ?? 0;
    const deadline = Date.now() + 10_000;
    while ((await inflight()) === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await inflight()).toBe(1);
    socket.destroy();
    const settled = Date.now() + 10_000;
    while ((await inflight()) !== 0 && Date.now() < settled)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await inflight()).toBe(0);
    expect(stack.logs.filter((line) => /"level":(50|"error")/.test(line))).toEqual([]);
  });
});

/**
 * POSTs `body` to /graphql with `Expect: 100-continue`, writing it only if the server says
 * continue; `continued` tells whether it did.
 */
function postExpectingContinue(
  body: Buffer | string,
): Promise<{ status: number; text: string; continued: boolean }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/graphql',
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        expect: '100-continue',
      },
    });
    // The body is only written on 'continue'.
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text, continued }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

describe('Expect: 100-continue', () => {
  it('refuses a too-large declared body with 413 before the client sends it', async () => {
    const result = await postExpectingContinue(Buffer.alloc(MAX_BODY * 4, 0x20));
    expect(result.continued).toBe(false);
    expect(result.status).toBe(413);
    expect(result.text).toContain('MAX_BODY_BYTES');
  });

  it('sends 100 Continue for an acceptable body and serves the request', async () => {
    const result = await postExpectingContinue(JSON.stringify({ query: '{ __typename }' }));
    expect(result.continued).toBe(true);
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('slow clients', () => {
  it('cuts off a client that trickles its headers, while other requests are served', async () => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n');
    // One header byte every 100 ms: never a complete head.
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('X');
    }, 100);
    try {
      // Meanwhile, a normal client is served.
      const health = await stack.http('/healthz');
      expect(health.status).toBe(200);
      await closed;
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    // The headers timeout is 1 s; generous bound for a loaded machine, far below any default.
    expect(Date.now() - started).toBeLessThan(8000);
    expect(Buffer.concat(received).toString('latin1')).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('refusals before the body is used', () => {
  it('lets clients still sending see the 429 (MAX_INFLIGHT_PER_CALLER) and the draining 503, never a reset', async () => {
    // AUTH_MODE=none: every request is the one anonymous caller.
    const busy = await startStack({
      env: { MAX_INFLIGHT_PER_CALLER: '1', MAX_BODY_DISCARD_BYTES: String(MAX_DISCARD) },
    });
    try {
      const busyPort = Number(new URL(busy.gateway.origin).port);
      const id = busy.sim.store.list()[0]!.id;
      // One operation held in flight by a slow HubSpot: the caller's cap (1) is reached.
      busy.sim.setLatency({ fixedMs: 3000 });
      const held = busy
        .client()
        .request('mutation($i:[CampaignUpdateInput!]!){updateCampaigns(inputs:$i){status}}', {
          i: [{ id, properties: [{ name: 'hs_notes', value: 'held' }] }],
        });
      await until(() => busy.sim.stats().totalRequests >= 1, 'one operation in flight at HubSpot');
      // Large enough to be still in flight when the refusal is sent (under MAX_BODY_DISCARD_BYTES).
      const body = jsonBody(4 * 1024 * 1024);
      const refused = await Promise.all(
        Array.from({ length: 10 }, () => rawPost(postHead(body.length), body, 16 * 1024, busyPort)),
      );
      expect(refused.map((r) => r.error ?? r.status)).toEqual(Array(10).fill(429));
      expect(refused.every((r) => r.received.includes('MAX_INFLIGHT_PER_CALLER'))).toBe(true);

      const draining = busy.gateway.drain({ graceMs: 10_000 });
      const closing = await Promise.all(
        Array.from({ length: 10 }, () => rawPost(postHead(body.length), body, 16 * 1024, busyPort)),
      );
      expect(closing.map((r) => r.error ?? r.status)).toEqual(Array(10).fill(503));
      busy.sim.setLatency(undefined);
      await held;
      await draining;
    } finally {
      await busy.close();
    }
  });
});

describe('HTTP_MAX_CONNECTIONS', () => {
  it('closes connections past the cap as they arrive, and serves again once one is free', async () => {
    const capped = await startStack({ env: { HTTP_MAX_CONNECTIONS: '2' } });
    const cappedPort = Number(new URL(capped.gateway.origin).port);
    const open = (): Promise<net.Socket> =>
      new Promise((resolve) => {
        const socket = net.connect(cappedPort, '127.0.0.1', () => resolve(socket));
        socket.on('error', () => {});
      });
    try {
      const held = [await open(), await open()];
      const third = await open();
      const closed = await new Promise<boolean>((resolve) => {
        third.on('close', () => resolve(true));
        third.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n');
        setTimeout(() => resolve(false), 5000);
      });
      expect(closed).toBe(true);
      for (const socket of held) socket.destroy();
      await until(() => held.every((s) => s.destroyed), 'the held connections are gone');
      let status = 0;
      for (let tries = 0; status !== 200 && tries < 50; tries++) {
        status = await fetch(`${capped.gateway.origin}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
      }
      expect(status).toBe(200);
    } finally {
      await capped.close();
    }
  });
});
