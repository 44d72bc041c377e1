// The Redis store's own edges, on a throwaway redis-server.
import {
  type RedisServer,
  redisServerForTests,
  runningInCI,
  startRedisServer,
} from '@campaigns/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_CHUNK, RedisJobStore } from '../src/redis-store.js';

const redis = redisServerForTests({
  ci: runningInCI(process.env),
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

  /** `n` updates, each with its own properties (so a wrong position shows). */
  const updatesOf = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: String(500_000 + i),
      properties: { hs_notes: `note ${i}`, ...(i % 2 ? { hs_name: `name ${i}` } : {}) },
    }));

  /** Every pending update of a job, read page by page as a worker does. */
  async function allPending(store: RedisJobStore, id: string, page: number) {
    const seen: Array<{ position: number; update: { id: string; properties: object } }> = [];
    for (let from: number | undefined = 0; from !== undefined;) {
      const read = await store.pending(id, from, page);
      seen.push(...read.updates);
      from = read.next;
    }
    return seen;
  }

  it('gives a resuming worker each unanswered input, written in chunks, at its position', async () => {
    const store = new RedisJobStore(
      server.url,
      `chunks${Math.random().toString(36).slice(2)}`,
      () => {},
    );
    try {
      const updates = updatesOf(2 * INPUT_CHUNK + 7);
      await store.create(
        { id: 'job-a', owner: 'o', requestedAt: 'now', updates, coalesced: [] },
        5,
      );
      expect((await store.claim('job-a', 'now')).kind).toBe('run');
      // A worker answered some ids, across a chunk boundary, then died.
      const answered = updates.slice(INPUT_CHUNK - 3, INPUT_CHUNK + 4);
      const error = {
        status: 'error',
        category: 'X',
        message: 'm',
        errors: [],
        context: {},
        links: {},
      };
      await store.record(
        'job-a',
        answered.map((u) => [u.id, { error }]),
      );
      const left = updates
        .map((update, position) => ({ position, update }))
        .filter(({ update }) => !answered.includes(update));
      // Pages that do not line up with the chunks too.
      expect(await allPending(store, 'job-a', 1_000)).toEqual(left);
      expect(await allPending(store, 'job-a', 333)).toEqual(left);
    } finally {
      await store.close();
    }
  });

  it('reads the inputs of a job written before chunks (a field per campaign id)', async () => {
    const prefix = `legacy${Math.random().toString(36).slice(2)}`;
    const store = new RedisJobStore(server.url, prefix, () => {});
    try {
      const updates = updatesOf(5);
      await store.create(
        { id: 'job-b', owner: 'o', requestedAt: 'now', updates, coalesced: [] },
        5,
      );
      // The earlier layout: campaign id → properties JSON.
      const inKey = `${prefix}:job:{job-b}:in`;
      await admin.del(inKey);
      await admin.hset(
        inKey,
        Object.fromEntries(updates.map((u) => [u.id, JSON.stringify(u.properties)])),
      );
      expect(await allPending(store, 'job-b', 1_000)).toEqual(
        updates.map((update, position) => ({ position, update })),
      );
    } finally {
      await store.close();
    }
  });
});
