// BufferedHeaders and BufferedResponse against the WHATWG classes they stand in for: for the same
// answer and the same reads, the same observable results (values, order, errors, bodyUsed).
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BufferedHeaders,
  BufferedResponse,
  createHubSpotClient,
  rateLimitOf,
} from '../src/index.js';
import { json, startTestServer, type TestServer } from './test-server.js';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';

/** Names a HubSpot answer carries, in either case, plus the two with joining rules of their own. */
const headerName = fc.constantFrom(
  'content-type',
  'Content-Type',
  'x-hubspot-ratelimit-remaining',
  'X-HubSpot-RateLimit-Remaining',
  'retry-after',
  'x-trace',
  'X-Trace',
  'set-cookie',
  'Set-Cookie',
  'cookie',
  'Cookie',
  'a',
  'z-last',
);
const headerValue = fc
  .array(fc.constantFrom(' ', '\t', 'a', 'B', '1', ',', ';', '=', '"', '\xe9'), { maxLength: 8 })
  .map((chars) => chars.join(''));
const rawHeaders = fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 });

/** What a body or a reader gives, or the name of what it threw. */
async function outcome<T>(read: () => T | Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await read() };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

/** Everything a caller can read of a headers object, in the order it reads it. */
function view(headers: Headers, names: readonly string[]) {
  const seen: Array<[string, string]> = [];
  headers.forEach((value, name) => seen.push([name, value]));
  return {
    entries: [...headers],
    keys: [...headers.keys()],
    values: [...headers.values()],
    forEach: seen,
    getSetCookie: headers.getSetCookie(),
    get: names.map((name) => headers.get(name)),
    has: names.map((name) => headers.has(name)),
  };
}

const NAMES = ['content-type', 'SET-COOKIE', 'cookie', 'X-TRACE', 'a', 'z-last', 'absent'];

describe('BufferedHeaders', () => {
  it('reads like Headers for the same appended headers', () => {
    fc.assert(
      fc.property(rawHeaders, (raw) => {
        const real = new Headers();
        for (const [name, value] of raw) real.append(name, value);
        const lean = BufferedHeaders.fromRaw(raw.flat());
        expect(view(lean, NAMES)).toEqual(view(real, NAMES));
        // A copy is made by appending what the original iterates, for both.
        expect(view(new BufferedHeaders(lean), NAMES)).toEqual(view(new Headers(real), NAMES));
      }),
    );
  });

  it('ends up like Headers after the same appends, sets and deletes', () => {
    const op = fc.record({
      kind: fc.constantFrom('append', 'set', 'delete'),
      name: headerName,
      value: headerValue,
    });
    fc.assert(
      fc.property(rawHeaders, fc.array(op, { maxLength: 10 }), (initial, ops) => {
        const real = new Headers(initial);
        const lean = new BufferedHeaders(initial);
        for (const { kind, name, value } of ops) {
          if (kind === 'delete') {
            real.delete(name);
            lean.delete(name);
          } else {
            real[kind](name, value);
            lean[kind](name, value);
          }
          expect(view(lean, NAMES)).toEqual(view(real, NAMES));
        }
      }),
    );
  });

  it('refuses the names and values Headers refuses', () => {
    const text = fc
      .array(fc.constantFrom('a', 'Z', '-', ' ', ':', '\t', '\n', '\r', '\0', '\xe9', 'Ā', '"'), {
        maxLength: 5,
      })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, text, (name, value) => {
        const real = () => new Headers().append(name, value);
        const lean = () => new BufferedHeaders().append(name, value);
        let realError: string | undefined;
        try {
          real();
        } catch (error) {
          realError = (error as Error).name;
        }
        if (realError) expect(lean).toThrow(TypeError);
        else expect(lean).not.toThrow();
        for (const method of ['get', 'has', 'delete'] as const) {
          let refused = false;
          try {
            new Headers()[method](name);
          } catch {
            refused = true;
          }
          expect(() => new BufferedHeaders()[method](name)).toSatisfy((call: () => void) => {
            try {
              call();
              return !refused;
            } catch (error) {
              return refused && error instanceof TypeError;
            }
          });
        }
      }),
    );
  });

  it('iterates live, as Headers does: a header added on the way is visited', () => {
    const walk = (headers: Headers) => {
      const seen: string[] = [];
      for (const [name] of headers) {
        seen.push(name);
        if (name === 'b') headers.append('c', '3');
      }
      return seen;
    };
    expect(walk(new BufferedHeaders([['b', '1']]))).toEqual(walk(new Headers([['b', '1']])));
  });

  it('is not a WHATWG Headers', () => {
    expect(new BufferedHeaders()).not.toBeInstanceOf(Headers);
  });
});

/** A step a caller may take with a response; what it gives is compared. */
type Step = 'text' | 'json' | 'bytes' | 'blob' | 'clone' | 'read-body' | 'lock-body' | 'body-null';
const STEPS: Step[] = [
  'text',
  'json',
  'bytes',
  'blob',
  'clone',
  'read-body',
  'lock-body',
  'body-null',
];

async function take(response: Response, step: Step): Promise<unknown> {
  switch (step) {
    case 'text':
      return response.text();
    case 'json':
      return response.json() as Promise<unknown>;
    case 'bytes':
      return [...(await response.bytes())];
    case 'blob': {
      const blob = await response.blob();
      return { type: blob.type, text: await blob.text() };
    }
    case 'clone': {
      const copy = response.clone();
      return { status: copy.status, text: await copy.text(), headers: [...copy.headers] };
    }
    case 'read-body': {
      const body = response.body;
      if (body === null) return null;
      const reader = body.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
        text += decoder.decode(chunk.value, { stream: true });
      reader.releaseLock();
      return text + decoder.decode();
    }
    case 'lock-body':
      response.body?.getReader();
      return response.body?.locked ?? null;
    case 'body-null':
      return response.body === null;
  }
}

const NULL_BODY = new Set([204, 205, 304]);

describe('BufferedResponse', () => {
  it('reads like a Response of the same answer, whatever the caller does in which order', async () => {
    const body = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value) ?? 'null'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(200, 201, 204, 205, 207, 304, 400, 404, 429, 500, 503),
        fc.constantFrom('', 'OK', 'Multi-Status'),
        rawHeaders,
        // A transport never hands over a leading BOM (`Body.text()` drops it, so does ours).
        body.filter((text) => !text.startsWith('\ufeff')),
        fc.array(fc.constantFrom(...STEPS), { maxLength: 5 }),
        async (status, statusText, raw, text, steps) => {
          const real = new Response(NULL_BODY.has(status) ? null : new TextEncoder().encode(text), {
            status,
            statusText,
            headers: raw,
          });
          const lean = new BufferedResponse(text, {
            status,
            statusText,
            headers: BufferedHeaders.fromRaw(raw.flat()),
          });
          for (const key of ['status', 'statusText', 'ok', 'redirected', 'bodyUsed'] as const)
            expect(lean[key]).toBe(real[key]);
          expect(view(lean.headers, NAMES)).toEqual(view(real.headers, NAMES));
          for (const step of steps) {
            expect({ step, ...(await outcome(() => take(lean, step))) }).toEqual({
              step,
              ...(await outcome(() => take(real, step))),
            });
            expect({ step, used: lean.bodyUsed }).toEqual({ step, used: real.bodyUsed });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is Response-compatible, not a WHATWG Response', () => {
    const response = new BufferedResponse('{}', { status: 200 });
    expect(response).not.toBeInstanceOf(Response);
    expect(response.headers).toBeInstanceOf(BufferedHeaders);
  });
});

describe('answers on the wire', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const answer = { status: 'COMPLETE', results: [], errors: [{ status: 'error' }] };
  async function start() {
    server = await startTestServer((_req, res) => {
      res.writeHead(207, 'Multi-Status', [
        ['Content-Type', 'application/json;charset=utf-8'],
        ['X-HubSpot-RateLimit-Remaining', '12'],
        ['x-trace', 'a'],
        ['X-Trace', 'b'],
        ['Set-Cookie', '__cf=1; Path=/'],
        ['set-cookie', '__hs=2'],
      ]);
      res.end(JSON.stringify(answer));
    });
    return server;
  }
  /** All but `date`, which may tick between the two calls. */
  const headersOf = (response: Response) => [...response.headers].filter(([n]) => n !== 'date');

  it('a lean batch answer reads as fetch reads the same answer', async () => {
    const { url } = await start();
    const client = createHubSpotClient({ token: TOKEN, baseUrl: url });
    const { data, response: lean } = await client.POST('/batch/update', { body: { inputs: [] } });
    const real = await fetch(`${url}/marketing/v3/campaigns/batch/update`, {
      method: 'POST',
      body: '{"inputs":[]}',
    });
    expect(await real.json()).toEqual(data);
    expect(lean).toBeInstanceOf(BufferedResponse);
    for (const key of [
      'status',
      'statusText',
      'ok',
      'url',
      'type',
      'redirected',
      'bodyUsed',
    ] as const)
      expect(lean[key]).toBe(real[key]);
    expect(headersOf(lean)).toEqual(headersOf(real));
    expect(lean.headers.get('x-trace')).toBe('a, b');
    expect(lean.headers.getSetCookie()).toEqual(real.headers.getSetCookie());
    expect(rateLimitOf(lean)).toEqual({ remaining: 12 });
  });

  it('a call through openapi-fetch gets real WHATWG objects', async () => {
    const { url } = await start();
    const client = createHubSpotClient({ token: TOKEN, baseUrl: url });
    let seen: Response | undefined;
    client.use({ onResponse: ({ response }) => void (seen = response) });
    const { data, response } = await client.POST('/batch/update', { body: { inputs: [] } });
    expect(response).toBe(seen);
    expect(response).toBeInstanceOf(Response);
    expect(response.headers).toBeInstanceOf(Headers);
    expect(response.url).toBe(`${url}/marketing/v3/campaigns/batch/update`);
    expect(response.statusText).toBe('Multi-Status');
    expect(headersOf(response)).toContainEqual(['x-trace', 'a, b']);
    expect(data).toEqual(answer);
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(rateLimitOf(response)).toEqual({ remaining: 12 });
  });

  it('a FormData body goes through openapi-fetch, as a form', async () => {
    server = await startTestServer((_req, res) => json(res, 200, answer));
    const client = createHubSpotClient({ token: TOKEN, baseUrl: server.url });
    const form = new FormData();
    form.set('field', 'value');
    const { response } = await client.POST('/batch/update', { body: form as never });
    expect(response).toBeInstanceOf(Response);
    expect(server.requests[0]!.headers['content-type']).toMatch(/^multipart\/form-data/);
  });
});

describe('a refused header value', () => {
  it('is not quoted in the error: it may be the token (Authorization)', async () => {
    const secret = 'pat-na1-SECRETSECRETSECRET\u200b';
    expect(() => new BufferedHeaders().set('Authorization', `Bearer ${secret}`)).toThrow(
      /the value of "authorization" is an invalid header value/,
    );
    // Through the client: a pasted token with a zero-width space never reaches an error message.
    const server = await startTestServer((_req, res) => json(res, 200, {}));
    try {
      const client = createHubSpotClient({ token: async () => secret, baseUrl: server.url });
      const error = await client.POST('/batch/update', { body: { inputs: [] } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain('SECRET');
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
