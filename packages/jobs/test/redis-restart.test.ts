// A Redis restart under a live job service: once Redis is back, close() finishes. BullMQ's own
// graceful Worker.close() waited for ever there (its blocking connection, between two
// reconnection attempts, never reports that it ended).
import {
  type RedisServer,
  redisServerForTests,
  runningInCI,
  startRedisServer,
} from '@campaigns/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobService, startCountingSim, type CountingSim } from './helpers.js';

const redis = redisServerForTests({
  ci: runningInCI(process.env),
  what: '@campaigns/jobs Redis restart test (redis-restart.test.ts)',
  path: process.env.PATH,
});

describe.skipIf(!redis.available)('after a Redis restart', () => {
  let server: RedisServer;
  let sim: CountingSim;

  beforeAll(async () => {
    server = await startRedisServer();
    sim = await startCountingSim({ campaigns: 10, rateLimit: false });
  });

  afterAll(async () => {
    await sim?.close();
    await server?.stop();
  });

  it.each(['worker', 'both', 'api'] as const)('a %s service closes', async (role) => {
    let noticed!: () => void;
    const outage = new Promise<void>((resolve) => (noticed = resolve));
    const jobs = jobService('bullmq', sim, server.url, { role, onError: () => noticed() });
    await jobs.ping();
    expect(await jobs.counts()).toEqual({ waiting: 0, active: 0 });

    const { port } = server;
    await server.stop();
    // The service saw the connection go (its clients are now reconnecting).
    await outage;
    server = await startRedisServer({ port });
    await jobs.ping();

    await jobs.close();
    // Closed for good: nothing reconnects behind it.
    await expect(jobs.counts()).rejects.toThrow();
  });
});
