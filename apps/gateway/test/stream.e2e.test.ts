// The live progress stream (POST /graphql/stream, Server-Sent Events, graphql-sse's protocol)
// through a running gateway, against the embedded simulator, jobs in this process: a job's
// progress to COMPLETE with graphql-sse's own client; ownership; and every rule of POST /graphql
// applied to it (credentials, caps, trusted documents in production, document limits, secrets),
// plus the end of every stream when the gateway shuts down.
import {
  CampaignUpdateJobProgressDocument,
  type CampaignUpdateJobProgressSubscription,
} from '@campaigns/graphql';
import { print } from 'graphql';
import { createClient, type ExecutionResult } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, DEFAULT_TRUSTED_DOCUMENTS_FILE } from '../src/documents.js';
import { STREAM_PATH } from '../src/stream/handler.js';
import { readJob, startJob } from './jobs-helpers.js';
import { apiKeyEntry, HUBSPOT_TOKEN, notesInputs, startStack, type Stack } from './stack.js';
import { allEvents, openStream, streamErrors, type OpenedStream } from './stream-helpers.js';

const KEYS = { alice: 'stream-alice-key-0123456789', bob: 'stream-bob-key-0123456789' };
const API_KEYS = {
  AUTH_MODE: 'api-key',
  GATEWAY_API_KEYS: [apiKeyEntry('alice', KEYS.alice), apiKeyEntry('bob', KEYS.bob)].join(','),
};
const as = (who: keyof typeof KEYS) => ({ 'x-api-key': KEYS[who] });

/** The frontends' progress subscription, as a client sends it. */
const PROGRESS = print(CampaignUpdateJobProgressDocument);
/** A subscription no manifest holds: for the refusals of a gateway that allows only trusted ones. */
const UNTRUSTED_PROGRESS =
  'subscription Progress($id: ID!) { campaignUpdateJobProgress(id: $id) { id status } }';

/** HubSpot's batch updates held while closed (the job stays PROCESSING), let through when open. */
function hubspotGate() {
  let release: () => void = () => {};
  let held: Promise<void> | undefined;
  return {
    close() {
      held ??= new Promise<void>((resolve) => (release = resolve));
    },
    open() {
      held = undefined;
      release();
    },
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (held && request.method === 'POST') await held;
      return fetch(request);
    }) as typeof fetch,
  };
}

/** The first event that is not a heartbeat (the job's state when the stream opened). */
async function firstEvent(stream: OpenedStream) {
  // next(), not for-await: leaving a for-await would close the stream's reader.
  for (;;) {
    const { done, value } = await stream.events.next();
    if (done) throw new Error('the stream ended before its first event');
    if (value.event !== 'comment') return value;
  }
}

describe('the progress stream', () => {
  let stack: Stack;
  let ids: string[];
  const gate = hubspotGate();
  const texts: string[] = [];
  const track = (stream: OpenedStream) => {
    streams.push(stream);
    return stream;
  };
  const streams: OpenedStream[] = [];
  const open = async (body: unknown, headers: Record<string, string> = as('alice')) =>
    track(await openStream(stack.gateway.origin, body, headers));

  beforeAll(async () => {
    stack = await startStack({
      sim: { campaigns: 300 },
      env: { ...API_KEYS, MAX_INFLIGHT_PER_CALLER: '2' },
      deps: { fetch: gate.fetch },
    });
    ids = stack.sim.store.list().map((c) => c.id);
  });
  afterAll(async () => {
    gate.open();
    for (const stream of streams) texts.push(stream.text);
    // Nothing secret in any event or log line.
    for (const secret of [HUBSPOT_TOKEN, KEYS.alice, KEYS.bob]) {
      expect(texts.join('\n')).not.toContain(secret);
      expect(stack.logs.join('\n')).not.toContain(secret);
    }
    await stack.close();
  });

  it("follows a job's progress until COMPLETE, done == total, with graphql-sse's client", async () => {
    // HubSpot held until the stream has shown the job unfinished: the events cover its run.
    gate.close();
    const job = await startJob(stack.client(as('alice')), notesInputs(ids.slice(0, 120)));
    const client = createClient({
      url: `${stack.gateway.origin}${STREAM_PATH}`,
      headers: as('alice'),
      retryAttempts: 0,
    });
    const seen: Array<ExecutionResult<CampaignUpdateJobProgressSubscription, unknown>> = [];
    try {
      for await (const result of client.iterate<CampaignUpdateJobProgressSubscription>({
        query: PROGRESS,
        variables: { id: job.id },
      })) {
        seen.push(result);
        gate.open();
      }
    } finally {
      gate.open();
      client.dispose();
    }
    expect(seen.every((r) => r.errors === undefined)).toBe(true);
    const states = seen.map((r) => r.data!.campaignUpdateJobProgress);
    const last = states.at(-1)!;
    expect(last).toMatchObject({ id: job.id, status: 'COMPLETE', total: 120, done: 120 });
    expect(last.succeeded + last.failed).toBe(120);
    expect(states[0]!.done).toBeLessThan(120);
    expect(states.length).toBeGreaterThanOrEqual(2);
    // Never backwards; every state is of this job.
    for (let i = 1; i < states.length; i++)
      expect(states[i]!.done).toBeGreaterThanOrEqual(states[i - 1]!.done);
    expect(new Set(states.map((s) => s.id))).toEqual(new Set([job.id]));
    // The stream is labelled in the request metric.
    expect(await (await stack.http('/metrics')).text()).toMatch(
      new RegExp(`gateway_http_requests_total\\{route="${STREAM_PATH}",status="200"\\} \\d+`),
    );
  });

  it("answers another caller's job exactly like a job that does not exist: NOT_FOUND", async () => {
    const job = await startJob(stack.client(as('alice')), notesInputs(ids.slice(120, 130)));
    const stranger = await open({ query: PROGRESS, variables: { id: job.id } }, as('bob'));
    expect(stranger.status).toBe(200);
    const [theirs] = await streamErrors(stranger);
    expect(theirs!.extensions.code).toBe('NOT_FOUND');
    const nobody = await open({ query: PROGRESS, variables: { id: 'A'.repeat(22) } });
    const [none] = await streamErrors(nobody);
    expect(none!.extensions.code).toBe('NOT_FOUND');
    expect(theirs!.message.replace(job.id, 'ID')).toBe(none!.message.replace('A'.repeat(22), 'ID'));
    // The owner still sees it.
    expect((await readJob(stack.client(as('alice')), job.id)).id).toBe(job.id);
  });

  it('refuses a caller without valid credentials with 401, as POST /graphql does', async () => {
    for (const headers of [{}, { 'x-api-key': 'not-a-key-0123456789' }] as Array<
      Record<string, string>
    >) {
      const stream = await open({ query: PROGRESS, variables: { id: 'x' } }, headers);
      expect(stream.status).toBe(401);
      expect(stream.response.headers.get('www-authenticate')).toBe('ApiKey');
      const body = (await stream.response.json()) as { errors: Array<{ extensions: object }> };
      expect(body.errors[0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
      const post = await stack.http('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(post.status).toBe(401);
    }
  });

  it('serves subscriptions only; queries, mutations and bad requests are refused clearly', async () => {
    for (const query of ['{ __typename }', 'mutation { cancelCampaignUpdate(id: "x") { id } }']) {
      const [error] = await streamErrors(await open({ query }));
      expect(error!.extensions.code).toBe('BAD_REQUEST');
      expect(error!.message).toContain('send queries and mutations to POST /graphql');
    }
    // The transport: POST, Accept: text/event-stream, a JSON object.
    const url = `${stack.gateway.origin}${STREAM_PATH}`;
    const body = JSON.stringify({ query: PROGRESS, variables: { id: 'x' } });
    const get = await fetch(url, { headers: { accept: 'text/event-stream', ...as('alice') } });
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    const json = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...as('alice') },
      body,
    });
    expect(json.status).toBe(406);
    const text = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'text/event-stream', ...as('alice') },
      body,
    });
    expect(text.status).toBe(415);
    const batch = await open([{ query: PROGRESS }]);
    expect(batch.status).toBe(400);
    const nothing = await open({ variables: { id: 'x' } });
    expect(nothing.status).toBe(400);
    // A variable of the wrong type: BAD_USER_INPUT, as on POST /graphql.
    const [coercion] = await streamErrors(await open({ query: PROGRESS, variables: { id: {} } }));
    expect(coercion!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('keeps refusing subscriptions on POST /graphql', async () => {
    const response = await stack.http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...as('alice') },
      body: JSON.stringify({ query: PROGRESS, variables: { id: 'x' } }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('applies the document limits of POST /graphql (aliases, tokens), naming the setting', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: done`).join(' ');
    const [tooMany] = await streamErrors(
      await open({
        query: `subscription($id: ID!) { campaignUpdateJobProgress(id: $id) { ${aliases} } }`,
        variables: { id: 'x' },
      }),
    );
    expect(tooMany!.extensions).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
      limit: { setting: 'MAX_QUERY_ALIASES', max: 15 },
    });
    const [tokens] = await streamErrors(
      await open({
        query: `subscription { campaignUpdateJobProgress(id: "x") { ${'id '.repeat(6000)} } }`,
      }),
    );
    expect(tokens!.extensions).toMatchObject({
      code: 'GRAPHQL_PARSE_FAILED',
      limit: { setting: 'MAX_QUERY_TOKENS' },
    });
    const huge = await open({ query: PROGRESS, variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    expect(huge.status).toBe(413);
  });

  it('caps the streams a caller holds at MAX_INFLIGHT_PER_CALLER, apart from its operations', async () => {
    gate.close();
    const job = await startJob(stack.client(as('alice')), notesInputs(ids.slice(200, 260)));
    const controllers = [new AbortController(), new AbortController()];
    const held = await Promise.all(
      controllers.map((c) =>
        openStream(
          stack.gateway.origin,
          { query: PROGRESS, variables: { id: job.id } },
          as('alice'),
          { signal: c.signal },
        ),
      ),
    );
    for (const stream of held) {
      expect(stream.status).toBe(200);
      expect((await firstEvent(stream)).event).toBe('next');
    }
    const third = await open({ query: PROGRESS, variables: { id: job.id } });
    expect(third.status).toBe(429);
    expect(Number(third.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const refusal = (await third.response.json()) as {
      errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    };
    expect(refusal.errors[0]!.extensions).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      limit: { setting: 'MAX_INFLIGHT_PER_CALLER', max: 2 },
    });
    expect(refusal.errors[0]!.message).toContain('progress streams');
    // Operations keep their own slots, and another caller its own streams.
    expect((await readJob(stack.client(as('alice')), job.id)).status).not.toBe('COMPLETE');
    const bobs = await open({ query: PROGRESS, variables: { id: job.id } }, as('bob'));
    expect(bobs.status).toBe(200);
    await allEvents(bobs);
    // A stream the client closes gives its slot back.
    controllers[0]!.abort();
    let next: OpenedStream | undefined;
    for (let attempt = 0; attempt < 400 && next?.status !== 200; attempt++) {
      next = await open({ query: PROGRESS, variables: { id: job.id } });
      if (next.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(next!.status).toBe(200);
    gate.open();
    const rest = await allEvents(next!);
    expect(rest.at(-1)!.event).toBe('complete');
    expect(rest.at(-2)!.data).toMatchObject({
      data: { campaignUpdateJobProgress: { status: 'COMPLETE', done: 60, total: 60 } },
    });
    controllers[1]!.abort();
  });
});

describe('the progress stream in production', () => {
  let stack: Stack;
  const manifest = loadManifest(DEFAULT_TRUSTED_DOCUMENTS_FILE);
  const trusted = manifest.find(
    (op) => op.type === 'subscription' && op.name === 'CampaignUpdateJobProgress',
  )!;
  beforeAll(async () => {
    stack = await startStack({
      env: { ...API_KEYS, NODE_ENV: 'production', ALLOW_ARBITRARY_DOCUMENTS: undefined },
    });
  });
  afterAll(() => stack.close());

  it('runs only trusted documents: by documentId, or their text; any other is refused', async () => {
    const origin = stack.gateway.origin;
    const [untrusted] = await streamErrors(
      await openStream(origin, { query: UNTRUSTED_PROGRESS, variables: { id: 'x' } }, as('alice')),
    );
    expect(untrusted!.extensions).toMatchObject({
      code: 'TRUSTED_DOCUMENT_REQUIRED',
      setting: 'ALLOW_ARBITRARY_DOCUMENTS',
    });
    // The trusted subscription runs (and says NOT_FOUND for a job there is not).
    for (const request of [{ documentId: trusted.id }, { query: trusted.body }]) {
      const [answer] = await streamErrors(
        await openStream(origin, { ...request, variables: { id: 'A'.repeat(22) } }, as('alice')),
      );
      expect(answer!.extensions.code).toBe('NOT_FOUND');
    }
  });
});

describe('shutdown', () => {
  it('ends every open stream when the gateway drains (the client reconnects elsewhere)', async () => {
    const gate = hubspotGate();
    gate.close();
    // A stream outlives HTTP_REQUEST_TIMEOUT_MS: that bounds receiving a request, not answering it.
    const stack = await startStack({
      env: { ...API_KEYS, HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '1000' },
      deps: { fetch: gate.fetch },
    });
    try {
      const ids = stack.sim.store.list().map((c) => c.id);
      const job = await startJob(stack.client(as('alice')), notesInputs(ids.slice(0, 60)));
      const stream = await openStream(
        stack.gateway.origin,
        { query: PROGRESS, variables: { id: job.id } },
        as('alice'),
      );
      expect((await firstEvent(stream)).event).toBe('next');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const drained = stack.gateway.drain();
      const rest = await allEvents(stream);
      // No `complete`: the job goes on; graphql-sse's client retries, on another instance.
      expect(rest.map((e) => e.event)).not.toContain('complete');
      expect(rest.at(-1)).toEqual({
        event: 'comment',
        data: 'the gateway is shutting down: subscribe again',
      });
      await drained;
      const late = await openStream(
        stack.gateway.origin,
        { query: PROGRESS, variables: { id: job.id } },
        as('alice'),
      );
      expect(late.status).toBe(503);
    } finally {
      gate.open();
      await stack.close();
    }
  });
});
