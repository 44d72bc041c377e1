// With Redis gone, a job call fails fast with one coded error, JOB_STORE_UNAVAILABLE, that names
// neither Redis' address nor its password (ioredis' own retries, 20 by default, kept a caller
// waiting over a minute for a raw client message). Without redis-server: skipped loudly (fails in
// CI).
import { redisServerForTests, runningInCI, startRedisServer } from '@campaigns/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJob, startJob, untilEnded } from './jobs-helpers.js';
import { graphqlErrors, notesInputs, startStack, type Stack } from './stack.js';

const redis = redisServerForTests({
  ci: runningInCI(process.env),
  what: 'the gateway test of job calls while Redis is down',
  path: process.env.PATH,
});

describe.skipIf(!redis.available)('job calls while Redis is down', () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  let stack: Stack;

  beforeAll(async () => {
    server = await startRedisServer();
    stack = await startStack({ env: { REDIS_URL: server.url, GATEWAY_ROLE: 'both' } });
  });
  afterAll(async () => {
    await stack?.close();
    await server?.stop();
  });

  it('answers JOB_STORE_UNAVAILABLE on start and read, without the address', async () => {
    const ids = stack.sim.store.list().map((c) => c.id);
    const client = stack.client();
    const done = await startJob(client, notesInputs(ids.slice(0, 3)));
    await untilEnded(client, done.id);
    await server.stop();

    const { port } = new URL(server.url);
    for (const call of [
      () => startJob(client, notesInputs(ids.slice(3, 6))),
      () => readJob(client, done.id),
    ]) {
      const { errors } = await graphqlErrors(call());
      expect(errors.map((e) => e.extensions?.code)).toEqual(['JOB_STORE_UNAVAILABLE']);
      expect(errors[0]!.message).toMatch(/job store \(Redis\) is unreachable/);
      expect(errors[0]!.message).not.toContain(port);
      expect(errors[0]!.message).not.toMatch(/max retries|maxRetriesPerRequest/i);
    }
  }, 60_000);
});
