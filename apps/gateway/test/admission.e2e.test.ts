// Admission control (MAX_INFLIGHT_OPERATIONS, MAX_INFLIGHT_PER_CALLER → 429 + Retry-After) and
// fair turns between callers on the shared HubSpot budget, end to end over HTTP.
import net from 'node:net';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth.js';
import { UpdateCampaignsDocument, type UpdateCampaignsMutation } from '@campaigns/graphql';
import { graphqlBody, notesInputs, startStack, unchecked, until, type Stack } from './stack.js';

const ALICE_KEY = 'gk_alice_0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e';
const BOB_KEY = 'gk_bob_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const API_KEYS = {
  AUTH_MODE: 'api-key',
  GATEWAY_API_KEYS: [ALICE_KEY, BOB_KEY]
    .map((key, i) => `${['alice', 'bob'][i]}:${hashApiKey(key)}:campaigns:write campaigns:read`)
    .join(','),
};

interface Answer {
  status: number;
  retryAfter: string | null;
  body: {
    data?: UpdateCampaignsMutation | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

/** HubSpot calls held until `open()`; every call's body is recorded in the order sent. */
function gatedFetch() {
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => (open = resolve));
  const state = {
    held: 0,
    sent: [] as string[],
    answered: 0,
    closed: true,
    open: () => {
      state.closed = false;
      open();
    },
    close: () => {
      state.closed = true;
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    fetch: (async (input: Request) => {
      if (input.method === 'POST') state.sent.push(await input.clone().text());
      if (state.closed) {
        state.held++;
        await gate;
        state.held--;
      }
      const response = await fetch(input);
      state.answered++;
      return response;
    }) as unknown as typeof fetch,
  };
  return state;
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function post(key: string | undefined, inputs: unknown, signal?: AbortSignal): Promise<Answer> {
  return fetch(stack!.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: graphqlBody(UpdateCampaignsDocument, { inputs: unchecked(inputs) }),
    ...(signal ? { signal } : {}),
  }).then(async (response) => ({
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Answer['body'],
  }));
}

async function refusals(reason: string): Promise<number> {
  const text = await stack!.gateway.metrics.registry.metrics();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`gateway_admission_refusals_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('admission control', () => {
  it('answers 429 with Retry-After past MAX_INFLIGHT_OPERATIONS, and takes requests again once they finish', async () => {
    const hubspot = gatedFetch();
    stack = await startStack({
      env: { ...API_KEYS, MAX_INFLIGHT_OPERATIONS: '2' },
      deps: { fetch: hubspot.fetch },
    });
    const ids = stack.sim.store.list().map((c) => c.id);

    const running = [
      post(ALICE_KEY, notesInputs([ids[0]!])),
      post(BOB_KEY, notesInputs([ids[1]!])),
    ];
    await until(() => hubspot.held === 2, 'both operations reach HubSpot');

    const refused = await post(BOB_KEY, notesInputs([ids[2]!]));
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors![0]!.message).toMatch(/MAX_INFLIGHT_OPERATIONS=2/);
    expect(refused.body.errors![0]!.extensions).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      limit: { setting: 'MAX_INFLIGHT_OPERATIONS', max: 2 },
      retryAfterSeconds: Number(refused.retryAfter),
    });
    expect(await refusals('process')).toBe(1);

    hubspot.open();
    for (const answer of await Promise.all(running)) {
      expect(answer.status).toBe(200);
      expect(answer.body.data?.updateCampaigns.numErrors).toBe(0);
    }
    // Both slots are free again.
    const again = await Promise.all([
      post(ALICE_KEY, notesInputs([ids[3]!])),
      post(BOB_KEY, notesInputs([ids[4]!])),
    ]);
    expect(again.map((a) => a.status)).toEqual([200, 200]);
  });

  it('answers 429 past MAX_INFLIGHT_PER_CALLER for that caller only; errors and aborts give the slot back', async () => {
    const hubspot = gatedFetch();
    stack = await startStack({
      env: { ...API_KEYS, MAX_INFLIGHT_PER_CALLER: '1' },
      deps: { fetch: hubspot.fetch },
    });
    const ids = stack.sim.store.list().map((c) => c.id);

    const aliceFirst = post(ALICE_KEY, notesInputs([ids[0]!]));
    await until(() => hubspot.held === 1, "alice's operation reaches HubSpot");

    const refused = await post(ALICE_KEY, notesInputs([ids[1]!]));
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors![0]!.message).toMatch(/MAX_INFLIGHT_PER_CALLER=1/);
    expect(refused.body.errors![0]!.extensions).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      limit: { setting: 'MAX_INFLIGHT_PER_CALLER', max: 1 },
    });
    // No secret and no internals in the refusal.
    expect(JSON.stringify(refused.body)).not.toContain(ALICE_KEY);
    expect(await refusals('caller')).toBe(1);

    // Another caller is not affected.
    const bob = post(BOB_KEY, notesInputs([ids[2]!]));
    await until(() => hubspot.held === 2, "bob's operation reaches HubSpot");
    hubspot.open();
    expect((await aliceFirst).status).toBe(200);
    expect((await bob).status).toBe(200);

    // A failed operation gives its slot back: two bad inputs in a row are both answered.
    for (let i = 0; i < 2; i++) {
      const bad = await post(ALICE_KEY, [{ id: 'not a valid id', properties: [] }]);
      expect(bad.status).toBe(200);
      expect(bad.body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    }

    // A caller who hangs up: the operation still runs (HubSpot may apply it), so the slot is held
    // until it ends, then given back.
    hubspot.close();
    const hangUp = new AbortController();
    const abandoned = post(ALICE_KEY, notesInputs([ids[3]!]), hangUp.signal);
    await until(() => hubspot.held === 1, "alice's third operation reaches HubSpot");
    hangUp.abort();
    await expect(abandoned).rejects.toThrow();
    expect((await post(ALICE_KEY, notesInputs([ids[4]!]))).status).toBe(429);
    hubspot.open();
    let next: Answer | undefined;
    await until(() => stack!.sim.store.get(ids[3]!)?.properties.hs_notes === 'note 0', 'applied');
    for (let attempt = 0; attempt < 100; attempt++) {
      next = await post(ALICE_KEY, notesInputs([ids[4]!]));
      if (next.status !== 429) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(next!.status).toBe(200);
  });
});

describe('fair turns on the HubSpot budget', () => {
  it("serves a small caller's chunk next, not after every queued chunk of a large caller", async () => {
    const hubspot = gatedFetch();
    hubspot.open(); // record only
    stack = await startStack({
      env: API_KEYS,
      // HubSpot allows 10 requests per 4 s: alice's 20 chunks need two windows.
      sim: { campaigns: 1001, rateLimit: { max: 10, intervalMs: 4000 } },
      deps: { fetch: hubspot.fetch },
    });
    const ids = stack.sim.store.list().map((c) => c.id);
    const bobId = ids[1000]!;
    const isBobs = (body: string) => body.includes(bobId);

    let aliceDone = false;
    const alice = post(
      ALICE_KEY,
      notesInputs(ids.slice(0, 1000), (i) => `alice ${i}`),
    ).then((answer) => {
      aliceDone = true;
      return answer;
    });
    // Her first 10 chunks use up the window; the other 10 wait for the budget.
    await until(() => hubspot.answered >= 10, "alice's first window is answered");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const sentBeforeBob = hubspot.sent.length;
    expect(sentBeforeBob).toBe(10); // the window is still full: bob queues behind her 10

    const bob = await post(BOB_KEY, [
      { id: bobId, properties: [{ name: 'hs_notes', value: 'bob' }] },
    ]);
    expect(bob.status).toBe(200);
    expect(bob.body.data?.updateCampaigns).toMatchObject({ status: 'COMPLETE', numErrors: 0 });
    // Bob's chunk went out within the first turns after the window rolled over: at most one of
    // alice's went before it (first come, first served would have sent all 10 of hers first).
    const after = hubspot.sent.slice(sentBeforeBob);
    const bobsTurn = after.findIndex(isBobs);
    expect(bobsTurn).toBeGreaterThanOrEqual(0);
    expect(bobsTurn).toBeLessThanOrEqual(1);
    expect(aliceDone).toBe(false);

    const aliceAnswer = await alice;
    expect(aliceAnswer.body.data?.updateCampaigns).toMatchObject({
      status: 'COMPLETE',
      numErrors: 0,
    });
    expect(stack.sim.stats().rateLimited).toBe(0);
  }, 30_000);
});

describe('admission order: the caller first, the process once the body is in', () => {
  /** Sends the head and half of a body, then stalls: a client trickling its body. */
  function stalledPost(key: string): net.Socket {
    const body = graphqlBody(UpdateCampaignsDocument, { inputs: [] });
    const socket = net.connect(Number(new URL(stack!.gateway.origin).port), '127.0.0.1');
    socket.on('error', () => {});
    socket.on('connect', () =>
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nX-API-Key: ${key}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
      ),
    );
    return socket;
  }

  it('clients that trickle their bodies hold their own slots, never the whole process', async () => {
    stack = await startStack({
      env: { ...API_KEYS, MAX_INFLIGHT_OPERATIONS: '2', MAX_INFLIGHT_PER_CALLER: '2' },
    });
    const ids = stack.sim.store.list().map((c) => c.id);
    const stalled = [stalledPost(ALICE_KEY), stalledPost(ALICE_KEY)];
    try {
      // Both of alice's stalled requests are admitted for her (her cap is reached)...
      let alice = 0;
      for (let tries = 0; alice !== 429 && tries < 100; tries++) {
        alice = (await post(ALICE_KEY, notesInputs([ids[0]!]))).status;
      }
      expect(alice).toBe(429);
      // ...yet the process still serves bob, twice at once.
      const answers = await Promise.all([
        post(BOB_KEY, notesInputs([ids[1]!])),
        post(BOB_KEY, notesInputs([ids[2]!])),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });

  it('a one-use token (JWT_REPLAY_CHECK) refused with 429 can be retried', async () => {
    const secret = 'a-very-long-shared-secret-for-hs256-tests-0123456789';
    const hubspot = gatedFetch();
    stack = await startStack({
      env: {
        AUTH_MODE: 'jwt',
        JWT_SECRET: secret,
        JWT_ISSUER: 'https://issuer.test/',
        JWT_AUDIENCE: 'gateway',
        JWT_REPLAY_CHECK: 'true',
        MAX_INFLIGHT_PER_CALLER: '1',
      },
      deps: { fetch: hubspot.fetch },
    });
    const token = (jti: string) =>
      new SignJWT({ scope: 'campaigns:write campaigns:read' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('carol')
        .setIssuer('https://issuer.test/')
        .setAudience('gateway')
        .setIssuedAt()
        .setExpirationTime('5m')
        .setJti(jti)
        .sign(new TextEncoder().encode(secret));
    const ids = stack.sim.store.list().map((c) => c.id);
    const send = async (jwt: string, id: string) => {
      const response = await fetch(stack!.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
        body: graphqlBody(UpdateCampaignsDocument, { inputs: notesInputs([id]) }),
      });
      return response.status;
    };
    const first = send(await token('first'), ids[0]!);
    await until(() => hubspot.held === 1, 'the first mutation reaches HubSpot');
    const second = await token('second');
    expect(await send(second, ids[1]!)).toBe(429);
    hubspot.open();
    expect(await first).toBe(200);
    // The refused request did not use the token up: its retry runs.
    expect(await send(second, ids[1]!)).toBe(200);
    // ...once.
    expect(await send(second, ids[1]!)).toBe(401);
  });
});
