// The Redis store's own edges, on a throwaway redis-server.
import { redisServerForTests, startRedisServer, type RedisServer } from '@campaigns/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisJobStore } from '../src/redis-store.js';

const redis = redisServerForTests({
  ci: Boolean(process.env.CI),
  what: '@campaigns/jobs Redis store tests (redis-store.test.ts)',
  path: process.env.PATH,
});

describe.skipIf(!redis.available)('RedisJobStore', () => {
  let server: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('subscribes again after a SUBSCRIBE failed, instead of keeping the failure', async () => {
    const prefix = `sub${Math.random().toString(36).slice(2)}`;
    const store = new RedisJobStore(server.url, prefix, () => {});
    try {
      // The default user may not use any channel: the SUBSCRIBE is refused.
      await admin.call('ACL', 'SETUSER', 'default', 'resetchannels');
      const missed: string[] = [];
      await expect(store.onCancel((id) => missed.push(id))).rejects.toThrow(/NOPERM|channel/i);
      await admin.call('ACL', 'SETUSER', 'default', 'allchannels');

      const heard: string[] = [];
      let told!: () => void;
      const arrived = new Promise<void>((resolve) => (told = resolve));
      const stop = await store.onCancel((id) => {
        heard.push(id);
        told();
      });
      await admin.publish(`${prefix}:cancel`, 'job-1');
      await arrived;
      expect(heard).toEqual(['job-1']);
      // The listener of the failed SUBSCRIBE is gone with it.
      expect(missed).toEqual([]);
      await stop();
    } finally {
      await admin.call('ACL', 'SETUSER', 'default', 'allchannels');
      await store.close();
    }
  });
});
