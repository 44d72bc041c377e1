// Durability: the worker running a job is SIGKILLed at about 40%; another worker process resumes
// it from the checkpoint. Every id ends up in the result exactly once, HubSpot holds the intended
// value for every id, and only chunks that were in flight at the crash are sent twice.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type RedisServer,
  redisServerForTests,
  runningInCI,
  startRedisServer,
} from '@campaigns/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../src/index.js';
import {
  alice,
  allResults,
  jobService,
  startCountingSim,
  untilEnded,
  updatesFor,
  type CountingSim,
} from './helpers.js';

const redis = redisServerForTests({
  ci: runningInCI(process.env),
  what: '@campaigns/jobs crash-resume test',
  path: process.env.PATH,
});

const entry = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
const TOTAL = 2_000;
const CHUNK_CONCURRENCY = 4;
/** The workers' lock: a dead worker's job is taken over within 1.5 × this. */
const LOCK_MS = 1_500;

interface WorkerProcess {
  child: ChildProcess;
  events: JobEvent[];
  /** When each event arrived (Date.now()), by index in `events`. */
  arrivals: number[];
}

async function startWorker(args: Record<string, unknown>): Promise<WorkerProcess> {
  const child = fork(entry, [JSON.stringify(args)], {
    execArgv: ['--conditions=@campaigns/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const events: JobEvent[] = [];
  const arrivals: number[] = [];
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; event?: JobEvent }) => {
      if (m.ready) resolve();
      if (m.event) arrivals[events.push(m.event) - 1] = Date.now();
    });
    child.once('exit', (code) =>
      reject(new Error(`worker process exited with ${code} before it was ready`)),
    );
  });
  return { child, events, arrivals };
}

describe.skipIf(!redis.available)('crash-resume on BullMQ', () => {
  let server: RedisServer;
  let sim: CountingSim;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    // 20 requests a second at 40–120 ms each: 40 chunks take a few seconds, so the kill lands mid-job.
    sim = await startCountingSim({
      campaigns: TOTAL,
      rateLimit: { max: 20, intervalMs: 1_000 },
      latency: { minMs: 40, maxMs: 120 },
    });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await sim?.close();
    await server?.stop();
  });

  it('hands a job over on a graceful close: the next worker resumes it at once, nothing sent twice', async () => {
    const prefix = `close${Math.random().toString(36).slice(2)}`;
    const events: JobEvent[] = [];
    const api = jobService('bullmq', sim, server.url, { role: 'api', prefix });
    const first = jobService('bullmq', sim, server.url, {
      role: 'worker',
      prefix,
      onEvent: (e) => events.push(e),
    });
    let second: ReturnType<typeof jobService> | undefined;
    try {
      const updates = updatesFor(sim, 1_000, 'graceful');
      const before = new Map(sim.applied);
      const job = await api.start(alice, updates);
      for await (const p of await api.progress(alice, job.id)) if (p.done >= 300) break;
      await first.close();
      expect(events).toContainEqual({
        type: 'job-interrupted',
        id: job.id,
        owner: 'alice',
        reason: 'shutdown',
      });
      const handedOver = (await api.get(alice, job.id))!;
      expect(handedOver.status).toBe('PROCESSING');
      expect(handedOver.done).toBeLessThan(1_000);
      expect(await api.counts()).toEqual({ waiting: 1, active: 0 });

      second = jobService('bullmq', sim, server.url, { role: 'worker', prefix });
      const ended = await untilEnded(api, alice, job.id);
      expect(ended).toMatchObject({ status: 'COMPLETE', done: 1_000, succeeded: 1_000 });
      expect((await allResults(api, alice, job.id, 1_000)).map((r) => r.id)).toEqual(
        updates.map((u) => u.id),
      );
      for (const u of updates) expect(sim.applied.get(u.id)).toBe((before.get(u.id) ?? 0) + 1);
    } finally {
      await Promise.all([api.close(), first.close(), second?.close()]);
    }
  }, 60_000);

  it('resumes a SIGKILLed job on another worker: COMPLETE, each id once, repeats only in flight', async () => {
    const prefix = `crash${Math.random().toString(36).slice(2)}`;
    const api = jobService('bullmq', sim, server.url, { role: 'api', prefix });
    const args = {
      redisUrl: server.url,
      simUrl: sim.url,
      prefix,
      chunkConcurrency: CHUNK_CONCURRENCY,
      lockDurationMs: LOCK_MS,
    };
    try {
      const updates = updatesFor(sim, TOTAL, 'crash');
      const before = new Map(sim.applied);
      const first = await startWorker(args);
      children.push(first.child);
      const job = await api.start(alice, updates);

      let doneAtKill = -1;
      let killedAt = 0;
      for await (const p of await api.progress(alice, job.id))
        if (p.done >= TOTAL * 0.4) {
          first.child.kill('SIGKILL');
          killedAt = Date.now();
          doneAtKill = p.done;
          break;
        }
      await new Promise((resolve) => first.child.once('exit', resolve));
      const afterKill = (await api.get(alice, job.id))!;
      expect(afterKill.status).toBe('PROCESSING');
      expect(afterKill.done).toBeLessThan(TOTAL);
      // The dead worker's lock outlives it by at most the configured lock, not BullMQ's 30 s.
      const inspect = new Redis(server.url);
      try {
        const lock = await inspect.pttl(`${prefix}:bull:campaign-updates:${job.id}:lock`);
        expect(lock).toBeLessThanOrEqual(LOCK_MS);
      } finally {
        inspect.disconnect();
      }

      const second = await startWorker(args);
      children.push(second.child);
      const ended = await untilEnded(api, alice, job.id);

      expect(ended).toMatchObject({
        status: 'COMPLETE',
        total: TOTAL,
        done: TOTAL,
        succeeded: TOTAL,
        failed: 0,
      });
      const resumed = second.events.findIndex(
        (e) => e.type === 'job-started' && e.id === job.id && e.resumed,
      );
      expect(resumed).toBeGreaterThanOrEqual(0);
      // Every id exactly once, in input order.
      const results = await allResults(api, alice, job.id, 1_000);
      expect(results.map((r) => r.id)).toEqual(updates.map((u) => u.id));
      expect(await api.errors(alice, job.id)).toEqual({ items: [], count: 0, hasNextPage: false });
      // HubSpot holds the intended value for every id.
      for (const u of updates)
        expect(sim.store.get(u.id)!.properties.hs_notes).toBe(u.properties.hs_notes);
      // Sent twice: only what was in flight at the crash (at most the chunks in flight × 50).
      const counts = updates.map((u) => (sim.applied.get(u.id) ?? 0) - (before.get(u.id) ?? 0));
      expect(Math.min(...counts)).toBe(1);
      expect(Math.max(...counts)).toBeLessThanOrEqual(2);
      const twice = counts.filter((c) => c === 2).length;
      expect(twice).toBeLessThanOrEqual(CHUNK_CONCURRENCY * 50);
      console.log(
        `crash-resume: SIGKILL at ${doneAtKill}/${TOTAL} done (${afterKill.done} stored); ` +
          `resumed ${second.arrivals[resumed]! - killedAt} ms after it (lock ${LOCK_MS} ms, the second worker's start included); ` +
          `HubSpot saw ${twice} ids twice (bound ${CHUNK_CONCURRENCY} chunks in flight × 50 = ${CHUNK_CONCURRENCY * 50})`,
      );
      second.child.disconnect();
    } finally {
      await api.close();
    }
  }, 60_000);
});
