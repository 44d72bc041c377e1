// Two gateway processes' worth (two gateways in this process, each with its own Redis clients) on
// one throwaway redis-server and one simulator account: a job started on the `api` gateway is run
// by the other (`both`) and readable from either; the synchronous path of one and the job on the
// other share one rate budget (0 429s at a tight simulator limit, where two budgets of their own
// get 429s); /readyz says when Redis is gone. Without redis-server: skipped loudly (fails in CI).
import { redisServerForTests, runningInCI, startRedisServer } from '@campaigns/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createGateway, type Gateway } from '../src/server.js';
import { allResults, readJob, startJob, untilEnded } from './jobs-helpers.js';
import { UpdateCampaignsDocument } from '@campaigns/graphql';
import { apiKeyEntry, HUBSPOT_TOKEN, notesInputs, startStack, type Stack } from './stack.js';
import { GraphQLClient } from 'graphql-request';
import { Redis } from 'ioredis';

const redis = redisServerForTests({
  ci: runningInCI(process.env),
  what: 'the gateway tests on Redis (jobs across gateways, the shared rate budget, /readyz)',
  path: process.env.PATH,
});

const KEY = 'alice-key-0123456789';
const keys = [apiKeyEntry('alice', KEY), apiKeyEntry('bob', 'bob-key-0123456789')].join(',');
/** The worker's JOB_LOCK_MS (below the default 10 s, which is renewed at 5 s). */
const LOCK_MS = 4000;
/** A tight account: 10 requests per second, so one gateway alone can fill it. */
const TIGHT = { max: 10, intervalMs: 1000, daily: 1_000_000 };

describe.skipIf(!redis.available)('gateways on one Redis', () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  /** `api` (takes jobs, serves updateCampaigns) in front of the simulator. */
  let stack: Stack;
  /** `both`, on the same Redis and simulator: the only worker. */
  let other: Gateway;
  const client = (gateway: Gateway) =>
    new GraphQLClient(gateway.url, { headers: { 'x-api-key': KEY } });

  beforeAll(async () => {
    server = await startRedisServer();
    stack = await startStack({
      sim: { campaigns: 900, rateLimit: TIGHT },
      env: {
        AUTH_MODE: 'api-key',
        GATEWAY_API_KEYS: keys,
        REDIS_URL: server.url,
        GATEWAY_ROLE: 'api',
      },
    });
    other = await createGateway(
      loadConfig({
        PORT: '0',
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        AUTH_MODE: 'api-key',
        GATEWAY_API_KEYS: keys,
        HUBSPOT_TOKEN,
        HUBSPOT_BASE_URL: stack.sim.url,
        ALLOW_ARBITRARY_DOCUMENTS: 'true',
        REDIS_URL: server.url,
        GATEWAY_ROLE: 'both',
        JOB_LOCK_MS: String(LOCK_MS),
      }),
      { logDestination: { write: () => {} }, defaultMetrics: false },
    );
  }, 60_000);
  afterAll(async () => {
    await other?.close();
    await stack?.close();
    await server?.stop();
  }, 60_000);

  it('runs a job started on one gateway on another, readable from both, sharing one budget with updateCampaigns (0 429s)', async () => {
    expect(stack.gateway.jobs).toMatchObject({ durable: true, role: 'api' });
    expect(stack.logs.some((l) => l.includes('jobs run on BullMQ over Redis (role api)'))).toBe(
      true,
    );
    expect(stack.logs.some((l) => l.includes(server.url))).toBe(false);
    const ids = stack.sim.store.list().map((c) => c.id);
    stack.sim.resetStats();

    const job = await startJob(
      client(stack.gateway),
      notesInputs(ids.slice(0, 400), (i) => `shared ${i}`),
    );
    expect(job.status).toBe('PENDING');
    // Meanwhile, on the api gateway: synchronous updates of 400 other campaigns.
    const sync = await client(stack.gateway).request(UpdateCampaignsDocument, {
      inputs: notesInputs(ids.slice(400, 800), (i) => `sync ${i}`),
    });
    expect(sync.updateCampaigns).toMatchObject({ status: 'COMPLETE', numErrors: 0 });

    const ended = await untilEnded(client(stack.gateway), job.id);
    expect(ended).toMatchObject({ status: 'COMPLETE', done: 400, succeeded: 400, failed: 0 });
    const fromOther = await readJob(client(other), job.id);
    expect(fromOther).toMatchObject({ id: job.id, status: 'COMPLETE', succeeded: 400 });
    const { ids: resultIds, notes } = await allResults(client(other), job.id, 150);
    expect(resultIds).toEqual(ids.slice(0, 400));
    expect(notes[399]).toBe('shared 399');
    // Bob cannot see it from either gateway.
    for (const gateway of [stack.gateway, other]) {
      const bob = new GraphQLClient(gateway.url, {
        headers: { 'x-api-key': 'bob-key-0123456789' },
      });
      await expect(readJob(bob, job.id)).rejects.toThrow(/NOT_FOUND/);
    }
    expect(stack.sim.stats().rateLimited).toBe(0);
  });

  it('without Redis, two gateways on the same tight account get 429s (the control)', async () => {
    const ids = stack.sim.store.list().map((c) => c.id);
    const own = await Promise.all(
      [0, 1].map(() =>
        createGateway(
          loadConfig({
            PORT: '0',
            NODE_ENV: 'test',
            LOG_LEVEL: 'silent',
            AUTH_MODE: 'none',
            HUBSPOT_TOKEN,
            HUBSPOT_BASE_URL: stack.sim.url,
          }),
          { logDestination: { write: () => {} }, defaultMetrics: false },
        ),
      ),
    );
    try {
      stack.sim.resetStats();
      await Promise.all(
        own.map((gateway, g) =>
          new GraphQLClient(gateway.url).request(UpdateCampaignsDocument, {
            inputs: notesInputs(ids.slice(g * 400, g * 400 + 400)),
          }),
        ),
      );
      expect(stack.sim.stats().rateLimited).toBeGreaterThan(0);
    } finally {
      await Promise.all(own.map((gateway) => gateway.close()));
    }
  });

  it('locks a running job for JOB_LOCK_MS on its worker: a dead worker is replaced within 1.5 × it', async () => {
    const ids = stack.sim.store.list().map((c) => c.id);
    stack.sim.setLatency({ fixedMs: 1000 });
    const ops = { id: 'ops', admin: true };
    const inspect = new Redis(server.url);
    try {
      const job = await startJob(client(stack.gateway), notesInputs(ids.slice(0, 100)));
      for await (const p of await other.jobs.progress(ops, job.id))
        if (p.status === 'PROCESSING') break;
      const lock = await inspect.pttl(`campaigns:bull:campaign-updates:${job.id}:lock`);
      expect(lock).toBeGreaterThan(0);
      expect(lock).toBeLessThanOrEqual(LOCK_MS);
      await other.jobs.cancel(ops, job.id);
    } finally {
      inspect.disconnect();
      stack.sim.setLatency(undefined);
    }
  });

  it('reports Redis on /readyz: not ready once it is gone, without its address', async () => {
    // A Redis and an api gateway of its own, so the others keep theirs.
    let own = await startRedisServer();
    const gateway = await createGateway(
      loadConfig({
        PORT: '0',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        AUTH_MODE: 'none',
        HUBSPOT_TOKEN,
        HUBSPOT_BASE_URL: stack.sim.url,
        REDIS_URL: own.url,
        GATEWAY_ROLE: 'api',
      }),
      { logDestination: { write: () => {} }, defaultMetrics: false },
    );
    const readyz = () => fetch(`${gateway.origin}/readyz`);
    try {
      expect((await readyz()).status).toBe(200);
      await own.stop();
      const answer = await readyz();
      expect(answer.status).toBe(503);
      const text = await answer.text();
      expect(JSON.parse(text)).toEqual({ status: 'not ready', reason: 'Redis unreachable' });
      expect(text).not.toContain(String(own.port));
      // Back on the same port: the clients reconnect, and it is ready again.
      own = await startRedisServer({ port: own.port });
      await expect
        .poll(async () => (await readyz()).status, { timeout: 30_000, interval: 200 })
        .toBe(200);
    } finally {
      await gateway.close();
      await own.stop();
    }
  }, 60_000);
});
