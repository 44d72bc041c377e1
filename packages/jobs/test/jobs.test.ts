// The job service's promises, on both backends: the in-process queue always, BullMQ on a
// throwaway redis-server when one is installed (CI must have one: see @campaigns/testing).
import { CoreCategory, InvalidInputsError, RateLimitBudget } from '@campaigns/core';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import {
  type RedisServer,
  redisServerForTests,
  runningInCI,
  startRedisServer,
} from '@campaigns/testing';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_LOCK_DURATION_MS,
  JobLimitError,
  JobNotFoundError,
  MAX_RESULTS_SCANNED,
  createJobService,
} from '../src/index.js';
import type { CampaignUpdateJob, JobProgress, JobService } from '../src/index.js';
import { MemoryJobStore } from '../src/memory-store.js';
import { RedisJobStore } from '../src/redis-store.js';
import type { JobStore } from '../src/store.js';
import {
  admin,
  alice,
  allErrors,
  allResults,
  bob,
  gatedBudget,
  jobService,
  startCountingSim,
  untilEnded,
  updatesFor,
  type Backend,
  type CountingSim,
} from './helpers.js';

const redis = redisServerForTests({
  ci: runningInCI(process.env),
  what: '@campaigns/jobs BullMQ backend tests (jobs.test.ts, crash-resume.test.ts)',
  path: process.env.PATH,
});

const backends: Backend[] = redis.available ? ['in-process', 'bullmq'] : ['in-process'];

let server: RedisServer | undefined;
let sim: CountingSim;

beforeAll(async () => {
  sim = await startCountingSim({ campaigns: 600, rateLimit: false });
  if (redis.available) server = await startRedisServer();
});

afterAll(async () => {
  await sim?.close();
  await server?.stop();
});

/** Each id of `ids` named exactly once across the job's results and errors. */
async function expectEveryIdOnce(jobs: JobService, job: CampaignUpdateJob, ids: string[]) {
  const results = await allResults(jobs, alice, job.id, 70);
  const errors = await allErrors(jobs, alice, job.id, 1);
  const named = [...results.map((r) => r.id), ...errors.flatMap((e) => e.ids)];
  expect(named.length).toBe(ids.length);
  expect(new Set(named)).toEqual(new Set(ids));
  expect(job.done).toBe(job.total);
  expect(job.succeeded).toBe(results.length);
  expect(job.failed).toBe(named.length - results.length);
  return { results, errors };
}

describe.each(backends)('%s backend', (backend) => {
  const services: JobService[] = [];
  const make = (options?: Parameters<typeof jobService>[3]) => {
    const jobs = jobService(backend, sim, server?.url, options);
    services.push(jobs);
    return jobs;
  };
  afterAll(async () => {
    await Promise.all(services.map((s) => s.close()));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  /** The store class of this backend, whose methods a test can spy on. */
  const Store = (backend === 'bullmq' ? RedisJobStore : MemoryJobStore) as unknown as {
    prototype: JobStore;
  };

  it('says whether it is durable', () => {
    const jobs = make();
    expect(jobs.durable).toBe(backend === 'bullmq');
    expect(jobs.backend).toBe(backend);
    expect(jobs.role).toBe('both');
  });

  it('runs a job to COMPLETE: results in input order, errors, coalesced ids, progress', async () => {
    const jobs = make();
    const updates = updatesFor(sim, 120, `run-${backend}`);
    const unknown = '00000000-0000-4000-8000-000000000001';
    const inputs = [
      ...updates,
      { id: unknown, properties: { hs_notes: 'nobody' } },
      { id: updates[3]!.id, properties: { hs_goal: 'twice' } },
    ];
    const started = await jobs.start(alice, inputs);
    expect(started.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(started.owner).toBe('alice');
    expect(started.total).toBe(121);
    expect(started.coalesced).toEqual([{ id: updates[3]!.id, indices: [3, 121] }]);
    expect(['PENDING', 'PROCESSING', 'COMPLETE']).toContain(started.status);

    const seen: JobProgress[] = [];
    for await (const p of await jobs.progress(alice, started.id)) seen.push(p);
    expect(seen.at(-1)!.status).toBe('COMPLETE');
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);

    const job = (await jobs.get(alice, started.id))!;
    expect(job).toMatchObject({ status: 'COMPLETE', total: 121, succeeded: 120, failed: 1 });
    expect(job.startedAt).toBeDefined();
    expect(job.completedAt).toBeDefined();
    const { results, errors } = await expectEveryIdOnce(jobs, job, [
      ...updates.map((u) => u.id),
      unknown,
    ]);
    expect(results.map((r) => r.id)).toEqual(updates.map((u) => u.id));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', ids: [unknown] });
    for (const u of updates)
      expect(sim.store.get(u.id)!.properties.hs_notes).toBe(u.properties.hs_notes);
    expect(sim.store.get(updates[3]!.id)!.properties.hs_goal).toBe('twice');
  });

  it('pages results with cursors and refuses a cursor that is not one', async () => {
    const jobs = make();
    const updates = updatesFor(sim, 30, `page-${backend}`);
    const job = await jobs.start(alice, updates);
    await untilEnded(jobs, alice, job.id);
    const first = (await jobs.results(alice, job.id, { first: 10 }))!;
    expect(first.items.map((i) => i.campaign.id)).toEqual(updates.slice(0, 10).map((u) => u.id));
    expect(first.hasNextPage).toBe(true);
    const rest = (await jobs.results(alice, job.id, { first: 100, after: first.endCursor! }))!;
    expect(rest.items.map((i) => i.campaign.id)).toEqual(updates.slice(10).map((u) => u.id));
    expect(rest.hasNextPage).toBe(false);
    await expect(jobs.results(alice, job.id, { after: 'bogus' })).rejects.toThrow(RangeError);
  });

  it('refuses bad input listing every problem, and queues nothing', async () => {
    const jobs = make({ maxQueuedJobsPerOwner: 1 });
    const bad = [
      { id: 'ok-1', properties: { hs_notes: 'x' } },
      { id: '', properties: { hs_notes: 'x' } },
      { id: 'ok-2', properties: { 'Not A Name': 'x' } },
      { id: 'ok-3', properties: { hs_notes: 5 } },
    ];
    const refused = await jobs.start(alice, bad).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidInputsError);
    expect((refused as InvalidInputsError).problems.map((p) => p.index)).toEqual([1, 2, 3]);
    expect(await jobs.counts()).toEqual({ waiting: 0, active: 0 });
    // Nothing was queued: alice's one slot is still free.
    const job = await jobs.start(alice, updatesFor(sim, 2, `valid-${backend}`));
    await untilEnded(jobs, alice, job.id);
  });

  it('keeps every job to its owner: another caller can neither read nor cancel it; an admin can', async () => {
    const budget = gatedBudget();
    const jobs = make({ budget });
    const job = await jobs.start(alice, updatesFor(sim, 5, `own-${backend}`));
    expect(await jobs.get(bob, job.id)).toBeUndefined();
    expect(await jobs.results(bob, job.id)).toBeUndefined();
    expect(await jobs.errors(bob, job.id)).toBeUndefined();
    await expect(jobs.cancel(bob, job.id)).rejects.toThrow(JobNotFoundError);
    await expect(jobs.progress(bob, job.id)).rejects.toThrow(JobNotFoundError);
    // The same answer as for an id that does not exist, or is not even shaped like one.
    expect(await jobs.get(alice, 'A'.repeat(22))).toBeUndefined();
    expect(await jobs.get(alice, '../../etc')).toBeUndefined();
    await expect(jobs.cancel(alice, 'A'.repeat(22))).rejects.toThrow(JobNotFoundError);

    expect((await jobs.get(alice, job.id))!.status).not.toBe('CANCELED');
    expect((await jobs.get(admin, job.id))!.owner).toBe('alice');
    const canceled = await jobs.cancel(admin, job.id);
    expect(canceled.status).toBe('CANCELED');
    budget.open();
  });

  it('cancels a PENDING job at once: CANCELED, every id accounted for', async () => {
    // One job at a time, and the first holds the only slot until the gate opens.
    const budget = gatedBudget();
    const jobs = make({ budget, worker: { concurrency: 1 } });
    const blocker = await jobs.start(bob, updatesFor(sim, 3, `block-${backend}`));
    const updates = updatesFor(sim, 75, `pending-${backend}`);
    const appliedBefore = new Map(sim.applied);
    const job = await jobs.start(alice, updates);
    expect(job.status).toBe('PENDING');
    const canceled = await jobs.cancel(alice, job.id, { waitMs: 0 });
    expect(canceled).toMatchObject({
      status: 'CANCELED',
      stopReason: 'aborted',
      done: 75,
      failed: 75,
    });
    const { errors } = await expectEveryIdOnce(
      jobs,
      canceled,
      updates.map((u) => u.id),
    );
    expect(errors.map((e) => e.category)).toEqual([CoreCategory.CANCELED]);
    expect(errors[0]!.ids).toEqual(updates.map((u) => u.id));
    for (const u of updates) expect(sim.applied.get(u.id)).toBe(appliedBefore.get(u.id));
    budget.open();
    expect((await untilEnded(jobs, bob, blocker.id)).status).toBe('COMPLETE');
    // Canceling an ended job changes nothing.
    expect((await jobs.cancel(alice, job.id)).status).toBe('CANCELED');
  });

  it('cancels a PROCESSING job: the worker stops, every id accounted for', async () => {
    const slow = await startCountingSim({
      campaigns: 500,
      rateLimit: false,
      latency: { fixedMs: 100 },
    });
    try {
      const jobs = jobService(backend, slow, server?.url, { worker: { chunkConcurrency: 2 } });
      services.push(jobs);
      const updates = updatesFor(slow, 500, `cancel-${backend}`);
      const job = await jobs.start(alice, updates);
      for await (const p of await jobs.progress(alice, job.id)) if (p.done >= 100) break;
      const canceled = await jobs.cancel(alice, job.id);
      expect(canceled).toMatchObject({ status: 'CANCELED', stopReason: 'aborted', done: 500 });
      const { results, errors } = await expectEveryIdOnce(
        jobs,
        canceled,
        updates.map((u) => u.id),
      );
      expect(results.length).toBeGreaterThanOrEqual(100);
      expect(results.length).toBeLessThan(500);
      for (const e of errors)
        expect([CoreCategory.CANCELED, CoreCategory.CANCELED_IN_FLIGHT]).toContain(e.category);
      // What the job says succeeded is what HubSpot holds.
      for (const r of results)
        expect(slow.store.get(r.id)!.properties.hs_notes).toBe(`cancel-${backend}:${r.id}`);
      const never = errors.find((e) => e.category === CoreCategory.CANCELED)!;
      for (const id of never.ids) expect(slow.applied.has(id)).toBe(false);
    } finally {
      await slow.close();
    }
  });

  it('forgets results and errors after retentionMs', async () => {
    const jobs = make({ retentionMs: 300 });
    const job = await jobs.start(alice, [
      ...updatesFor(sim, 3, `retain-${backend}`),
      { id: '00000000-0000-4000-8000-000000000002', properties: { hs_notes: 'x' } },
    ]);
    await untilEnded(jobs, alice, job.id);
    expect((await jobs.results(alice, job.id))!.items).toHaveLength(3);
    expect((await jobs.errors(alice, job.id))!.items).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 600));
    expect(await jobs.get(alice, job.id)).toBeUndefined();
    expect(await jobs.results(alice, job.id)).toBeUndefined();
    expect(await jobs.errors(alice, job.id)).toBeUndefined();
    await expect(jobs.cancel(alice, job.id)).rejects.toThrow(JobNotFoundError);
  });

  it('refuses a job over maxCampaignsPerJob, naming the limit and the number', async () => {
    const jobs = make({ maxCampaignsPerJob: 10 });
    const refused = await jobs.start(alice, updatesFor(sim, 11)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(JobLimitError);
    expect(refused).toMatchObject({ limit: 'maxCampaignsPerJob', max: 10, actual: 11 });
    expect((refused as Error).message).toMatch(/at most 10 .*maxCampaignsPerJob.* 11/);
    await expect(jobs.start(alice, updatesFor(sim, 10, `limit-${backend}`))).resolves.toBeDefined();
  });

  it('refuses more than maxQueuedJobsPerOwner pending or running jobs of one owner', async () => {
    const budget = gatedBudget();
    const jobs = make({ budget, maxQueuedJobsPerOwner: 2 });
    const first = await jobs.start(alice, updatesFor(sim, 2, `q1-${backend}`));
    const second = await jobs.start(alice, updatesFor(sim, 2, `q2-${backend}`));
    const refused = await jobs.start(alice, updatesFor(sim, 2)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(JobLimitError);
    expect(refused).toMatchObject({ limit: 'maxQueuedJobsPerOwner', max: 2, actual: 3 });
    // Another owner has slots of their own.
    const bobs = await jobs.start(bob, updatesFor(sim, 2, `q3-${backend}`));
    budget.open();
    for (const job of [first, second, bobs])
      expect((await untilEnded(jobs, job.owner === 'bob' ? bob : alice, job.id)).status).toBe(
        'COMPLETE',
      );
    // Ended jobs free their slots.
    const again = await jobs.start(alice, updatesFor(sim, 2, `q4-${backend}`));
    expect((await untilEnded(jobs, alice, again.id)).status).toBe('COMPLETE');
  });

  it('ends a job whose runs keep failing as CANCELED, its unsent ids saying why', async () => {
    const jobs = make({
      worker: {
        client: () => {
          throw new Error('no HubSpot client today');
        },
      },
    });
    const updates = updatesFor(sim, 4, `fail-${backend}`);
    const job = await jobs.start(alice, updates);
    const ended = await untilEnded(jobs, alice, job.id);
    expect(ended).toMatchObject({ status: 'CANCELED', done: 4, failed: 4 });
    expect(ended.stopReason).toBeUndefined();
    const { errors } = await expectEveryIdOnce(
      jobs,
      ended,
      updates.map((u) => u.id),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ category: CoreCategory.UNEXPECTED_ERROR });
    expect(errors[0]!.message).toMatch(/no HubSpot client today/);
  });

  it('stops a job when HubSpot refuses the credentials: CANCELED, stopReason auth', async () => {
    const refused = createHubSpotClient({ token: 'not-a-known-token', baseUrl: sim.url });
    const jobs = make({ worker: { client: () => refused, chunkConcurrency: 1 } });
    const updates = updatesFor(sim, 160, `auth-${backend}`);
    const job = await jobs.start(alice, updates);
    const ended = await untilEnded(jobs, alice, job.id);
    expect(ended).toMatchObject({ status: 'CANCELED', stopReason: 'auth', done: 160, failed: 160 });
    const { errors } = await expectEveryIdOnce(
      jobs,
      ended,
      updates.map((u) => u.id),
    );
    const notSent = errors.find((e) => e.category === CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE)!;
    // One chunk was refused; the others were never sent.
    expect(notSent.ids).toEqual(updates.slice(50).map((u) => u.id));
    expect(errors.find((e) => e.httpStatus === 401)!.ids).toEqual(
      updates.slice(0, 50).map((u) => u.id),
    );
  });

  it('ends a progress stream when its signal aborts', async () => {
    const budget = gatedBudget();
    const jobs = make({ budget });
    const job = await jobs.start(alice, updatesFor(sim, 2, `abort-${backend}`));
    const controller = new AbortController();
    const stream = await jobs.progress(alice, job.id, { signal: controller.signal });
    expect((await stream.next()).value).toMatchObject({ id: job.id, done: 0 });
    const next = stream.next();
    controller.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    budget.open();
  });

  it('refuses a page size outside 1..1,000, naming first and its bounds', async () => {
    const jobs = make();
    const job = await jobs.start(alice, updatesFor(sim, 2, `first-${backend}`));
    await untilEnded(jobs, alice, job.id);
    for (const first of [0, -1, 1.5, 1_001, Number.NaN]) {
      await expect(jobs.results(alice, job.id, { first })).rejects.toThrow(
        /first must be an integer from 1 to 1000/,
      );
      await expect(jobs.errors(alice, job.id, { first })).rejects.toThrow(RangeError);
    }
    expect((await jobs.results(alice, job.id, { first: 1_000 }))!.items).toHaveLength(2);
  });

  it('reads a bounded number of positions per results page, however few succeeded', async () => {
    // A job where nothing succeeded: canceled while PENDING behind another job.
    const budget = gatedBudget();
    const jobs = make({ budget, worker: { concurrency: 1 } });
    const blocker = await jobs.start(bob, updatesFor(sim, 1, `scan-block-${backend}`));
    const total = MAX_RESULTS_SCANNED + 500;
    const inputs = Array.from({ length: total }, (_, i) => ({
      id: `none-${i}`,
      properties: { hs_notes: 'x' },
    }));
    try {
      const job = await jobs.start(alice, inputs);
      expect(await jobs.cancel(alice, job.id, { waitMs: 0 })).toMatchObject({ failed: total });

      const answers = vi.spyOn(Store.prototype, 'answers');
      const first = (await jobs.results(alice, job.id, { first: 1 }))!;
      const read = answers.mock.calls.reduce((sum, [, , limit]) => sum + limit, 0);
      expect(answers.mock.calls.length).toBeLessThanOrEqual(MAX_RESULTS_SCANNED / 1_000);
      expect(read).toBe(MAX_RESULTS_SCANNED);
      // Past the bound the page ends early: empty, with a cursor to go on from.
      expect(first.items).toEqual([]);
      expect(first.hasNextPage).toBe(true);
      answers.mockClear();
      const rest = (await jobs.results(alice, job.id, { first: 1, after: first.endCursor! }))!;
      expect(rest).toEqual({ items: [], hasNextPage: false });
      expect(answers.mock.calls.reduce((sum, [, , limit]) => sum + limit, 0)).toBe(500);
    } finally {
      budget.open();
    }
    await untilEnded(jobs, bob, blocker.id);
  });

  it('reads errors of an ended job from what was stored when it ended, never its results', async () => {
    const jobs = make();
    const updates = updatesFor(sim, 120, `stored-errors-${backend}`);
    const unknown = '00000000-0000-4000-8000-000000000003';
    const job = await jobs.start(alice, [
      ...updates,
      { id: unknown, properties: { hs_notes: 'x' } },
    ]);
    await untilEnded(jobs, alice, job.id);
    const answers = vi.spyOn(Store.prototype, 'answers');
    const errorAnswers = vi.spyOn(Store.prototype, 'errorAnswers');
    const parse = vi.spyOn(JSON, 'parse');
    const page = (await jobs.errors(alice, job.id))!;
    const parsed = parse.mock.calls.length;
    parse.mockRestore();
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', ids: [unknown] });
    expect(page.hasNextPage).toBe(false);
    expect(answers).not.toHaveBeenCalled();
    expect(errorAnswers).not.toHaveBeenCalled();
    // Not one parse per succeeded campaign.
    expect(parsed).toBeLessThan(updates.length);
  });

  it('pages error groups with cursors of their own', async () => {
    const refused = createHubSpotClient({ token: 'not-a-known-token', baseUrl: sim.url });
    const jobs = make({ worker: { client: () => refused, chunkConcurrency: 1 } });
    const updates = updatesFor(sim, 120, `error-pages-${backend}`);
    const job = await jobs.start(alice, updates);
    await untilEnded(jobs, alice, job.id);
    const one = (await jobs.errors(alice, job.id, { first: 1 }))!;
    expect(one.items).toHaveLength(1);
    expect(one.items[0]!.httpStatus).toBe(401);
    expect(one.hasNextPage).toBe(true);
    const two = (await jobs.errors(alice, job.id, { first: 1, after: one.endCursor! }))!;
    expect(two.items.map((e) => e.category)).toEqual([CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE]);
    expect(two.hasNextPage).toBe(false);
    // A results cursor is not an errors cursor, and the other way round.
    const results = (await jobs.results(alice, job.id))!;
    expect(results.items).toEqual([]);
    await expect(jobs.errors(alice, job.id, { after: 'bogus' })).rejects.toThrow(RangeError);
    await expect(jobs.results(alice, job.id, { after: one.endCursor! })).rejects.toThrow(
      RangeError,
    );
  });

  it('ends a progress stream whose last message was lost, by re-reading the job', async () => {
    vi.spyOn(Store.prototype, 'publish').mockResolvedValue(undefined);
    const jobs = make({ progressPollMs: 20 });
    const job = await jobs.start(alice, updatesFor(sim, 60, `lost-${backend}`));
    const seen: JobProgress[] = [];
    for await (const p of await jobs.progress(alice, job.id)) seen.push(p);
    expect(seen.at(-1)).toMatchObject({ status: 'COMPLETE', done: 60 });
  });

  it('ends COMPLETE when a cancel comes after the last answers were stored', async () => {
    const record = Store.prototype.record;
    let asked = false;
    vi.spyOn(Store.prototype, 'record').mockImplementation(async function (
      this: JobStore,
      id,
      answers,
    ) {
      const progress = await record.call(this, id, answers);
      if (progress && progress.done === progress.total && !asked) {
        asked = true;
        // Cancel now, and wait until the worker heard of it (pub/sub, in Redis).
        let heard!: () => void;
        const told = new Promise<void>((resolve) => (heard = resolve));
        const stop = await this.onCancel((canceled) => canceled === id && heard());
        expect(await this.requestCancel(id)).toBe('processing');
        await told;
        await stop();
      }
      return progress;
    });
    const jobs = make();
    const updates = updatesFor(sim, 60, `late-cancel-${backend}`);
    const job = await jobs.start(alice, updates);
    const ended = await untilEnded(jobs, alice, job.id);
    expect(asked).toBe(true);
    expect(ended).toMatchObject({ status: 'COMPLETE', done: 60, succeeded: 60, failed: 0 });
    expect(ended.stopReason).toBeUndefined();
    expect(ended.cancelRequested).toBe(false);
  });

  it('calls the budget and client factories once per job run, shared by all its chunks', async () => {
    const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
    const budget = new RateLimitBudget();
    const acquire = vi.spyOn(budget, 'acquire');
    const made = { budget: 0, client: 0 };
    const jobs = make({
      worker: {
        budget: () => (made.budget++, budget),
        client: () => (made.client++, client),
        chunkConcurrency: 2,
      },
    });
    const job = await jobs.start(alice, updatesFor(sim, 200, `budget-${backend}`));
    expect((await untilEnded(jobs, alice, job.id)).status).toBe('COMPLETE');
    expect(made).toEqual({ budget: 1, client: 1 });
    // Four chunks, every request drawn from that one budget.
    expect(acquire.mock.calls.length).toBeGreaterThanOrEqual(4);
  });
});

describe('the in-process fallback', () => {
  it('is not durable and needs to be both api and worker', () => {
    expect(() => createJobService({ role: 'api' })).toThrow(/needs Redis/);
    expect(() => createJobService({ role: 'both' })).toThrow(/worker.client and worker.budget/);
  });
});

describe.skipIf(!redis.available)('BullMQ backend across processes', () => {
  it('runs a job started by an api-only service on a worker-only one, and stores no secret', async () => {
    const prefix = `x${Math.random().toString(36).slice(2)}`;
    const api = jobService('bullmq', sim, server!.url, { role: 'api', prefix });
    const worker = jobService('bullmq', sim, server!.url, { role: 'worker', prefix });
    try {
      expect(api.role).toBe('api');
      const updates = updatesFor(sim, 60, 'split');
      const job = await api.start(alice, updates);
      const ended = await untilEnded(api, alice, job.id);
      expect(ended.status).toBe('COMPLETE');
      expect((await allResults(api, alice, job.id)).map((r) => r.id)).toEqual(
        updates.map((u) => u.id),
      );

      const client = new Redis(server!.url);
      try {
        const keys = await client.keys(`${prefix}:*`);
        expect(keys.length).toBeGreaterThan(0);
        let dump = '';
        for (const key of keys) {
          const type = await client.type(key);
          if (type === 'hash') dump += JSON.stringify(await client.hgetall(key));
          else if (type === 'list') dump += JSON.stringify(await client.lrange(key, 0, -1));
          else if (type === 'string') dump += await client.get(key);
          else if (type === 'set') dump += JSON.stringify(await client.smembers(key));
          else if (type === 'zset') dump += JSON.stringify(await client.zrange(key, '0', '-1'));
          else if (type === 'stream') dump += JSON.stringify(await client.xrange(key, '-', '+'));
        }
        expect(dump).toContain(updates[0]!.id);
        expect(dump).not.toContain('sim-private-app-token');
        expect(dump.toLowerCase()).not.toContain('bearer');
        // An ended job's keys expire with its retention.
        const ttl = await client.pttl(`${prefix}:job:{${job.id}}`);
        expect(ttl).toBeGreaterThan(0);
      } finally {
        client.disconnect();
      }
    } finally {
      await Promise.all([api.close(), worker.close()]);
    }
  });

  it('locks a running job for DEFAULT_LOCK_DURATION_MS by default and checks for stalled jobs every half of it', async () => {
    const prefix = `l${Math.random().toString(36).slice(2)}`;
    const budget = gatedBudget();
    // The service's own defaults, not the test helper's short ones.
    const jobs = jobService('bullmq', sim, server!.url, {
      prefix,
      budget,
      worker: { lockDurationMs: undefined, stalledIntervalMs: undefined },
    });
    const client = new Redis(server!.url);
    try {
      const job = await jobs.start(alice, updatesFor(sim, 5, 'lock'));
      for await (const p of await jobs.progress(alice, job.id))
        if (p.status === 'PROCESSING') break;
      // A dead worker's job waits at most this long before another worker may take it over
      // (BullMQ's own default was 30 s).
      const lock = await client.pttl(`${prefix}:bull:campaign-updates:${job.id}:lock`);
      expect(lock).toBeGreaterThan(0);
      expect(lock).toBeLessThanOrEqual(DEFAULT_LOCK_DURATION_MS);
      // The last stalled check's mark lives one check interval: half the lock.
      const check = await client.pttl(`${prefix}:bull:campaign-updates:stalled-check`);
      expect(check).toBeLessThanOrEqual(DEFAULT_LOCK_DURATION_MS / 2);
      budget.open();
      expect((await untilEnded(jobs, alice, job.id)).status).toBe('COMPLETE');
    } finally {
      budget.open();
      client.disconnect();
      await jobs.close();
    }
  });
});
