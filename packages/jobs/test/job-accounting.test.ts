// What a job call costs and what it reports: reading errors reads each answer at most once per
// call (none while nothing failed), a start reports failure only when nothing was queued, and
// every run this process announced as started is announced as stopped too.
import { CoreCategory } from '@campaigns/core';
import { corePayload } from '@campaigns/core/internal';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { RateLimitBudget } from '@campaigns/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { newJobId } from '../src/job-id.js';
import { MemoryJobStore } from '../src/memory-store.js';
import { runJob, type RunnerDeps } from '../src/runner.js';
import { SCAN, type Answer } from '../src/store.js';
import type { JobEvent } from '../src/types.js';
import {
  alice,
  gatedBudget,
  jobService,
  startCountingSim,
  untilEnded,
  updatesFor,
  type CountingSim,
} from './helpers.js';

let sim: CountingSim;

beforeAll(async () => {
  sim = await startCountingSim({ campaigns: 300, rateLimit: false });
});

afterAll(async () => {
  await sim?.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** `count` well-formed updates of ids the simulator does not have (they never run here). */
const syntheticUpdates = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    properties: { hs_notes: `n${i}` },
  }));

/** Each id's own error (as when HubSpot's message names the value): one group per id. */
const distinctErrors = (ids: string[]): Array<[string, Answer]> =>
  ids.map((id) => [
    id,
    { error: corePayload(CoreCategory.UNEXPECTED_ERROR, `bad value for campaign ${id}`) },
  ]);

describe('errors of a running job', () => {
  it('reads no answer while nothing failed, and each answer once per call after', async () => {
    const created = vi.spyOn(MemoryJobStore.prototype, 'create');
    const scans = vi.spyOn(MemoryJobStore.prototype, 'errorAnswers');
    const budget = gatedBudget();
    const jobs = jobService('in-process', sim, undefined, { budget });
    try {
      const total = 2_500;
      const job = await jobs.start(alice, syntheticUpdates(total));
      const store = created.mock.contexts[0] as MemoryJobStore;

      // A poll of a job without a failed id: nothing to group, no answer read.
      for (let poll = 0; poll < 5; poll++)
        expect(await jobs.errors(alice, job.id, { first: 1_000 })).toEqual({
          items: [],
          count: 0,
          hasNextPage: false,
        });
      expect(scans).not.toHaveBeenCalled();

      const ids = syntheticUpdates(total).map((u) => u.id);
      await store.record(job.id, distinctErrors(ids.slice(0, 2_100)));
      const page = (await jobs.errors(alice, job.id, { first: 1_000 }))!;
      expect(page.items).toHaveLength(1_000);
      expect(page.count).toBe(2_100);
      expect(page.hasNextPage).toBe(true);
      // One pass over the job's positions for the whole call.
      expect(scans).toHaveBeenCalledTimes(Math.ceil(total / SCAN));
    } finally {
      budget.open();
      await jobs.close();
    }
  });
});

describe('start', () => {
  it('reports a queued job as started even when a store call after queuing fails', async () => {
    vi.spyOn(MemoryJobStore.prototype, 'confirm').mockRejectedValueOnce(
      new Error('a Redis blip after the job was queued'),
    );
    const errors: unknown[] = [];
    const jobs = jobService('in-process', sim, undefined, {
      onError: (error) => errors.push(error),
    });
    try {
      const updates = updatesFor(sim, 60, 'confirm-fails');
      const started = await jobs.start(alice, updates);
      expect(started).toMatchObject({ status: 'PENDING', total: 60 });
      expect(errors).toHaveLength(1);
      const ended = await untilEnded(jobs, alice, started.id);
      expect(ended).toMatchObject({ status: 'COMPLETE', succeeded: 60 });
      // Sent once: the caller had no reason to start it again.
      for (const u of updates) expect(sim.applied.get(u.id)).toBe(1);
    } finally {
      await jobs.close();
    }
  });
});

describe('run announcements', () => {
  /** A store and runner deps over the simulator, with every event kept. */
  async function setUp(count: number, tag: string) {
    const store = new MemoryJobStore();
    const events: JobEvent[] = [];
    const deps: RunnerDeps = {
      store,
      worker: {
        client: () => createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url }),
        budget: () => new RateLimitBudget(),
        cancelPollMs: 50,
      },
      retentionMs: 60_000,
      onEvent: (event) => events.push(event),
      onError: () => {},
    };
    const id = newJobId();
    await store.create(
      {
        id,
        owner: 'alice',
        requestedAt: new Date().toISOString(),
        updates: updatesFor(sim, count, tag),
        coalesced: [],
      },
      10,
    );
    /** Runs started here minus runs announced as stopped: what `gateway_jobs_running` shows. */
    const running = () =>
      events.filter((e) => e.type === 'job-started').length -
      events.filter((e) => e.type === 'job-ended' || e.type === 'job-interrupted').length;
    return { store, deps, id, events, running };
  }

  it('announces a run that threw on a store failure', async () => {
    const { store, deps, id, events, running } = await setUp(60, 'run-throws');
    vi.spyOn(store, 'record').mockRejectedValueOnce(new Error('store down'));
    await expect(runJob(deps, id, new AbortController().signal)).rejects.toThrow('store down');
    expect(events.map((e) => e.type)).toContain('job-started');
    expect(events.at(-1)).toMatchObject({ type: 'job-interrupted', reason: 'error' });
    expect(running()).toBe(0);
    await store.close();
  });

  it('announces a run whose job was ended by someone else meanwhile', async () => {
    const { store, deps, id, events, running } = await setUp(60, 'run-gone');
    // Another process ends the job while this run's first chunk is in flight.
    const record = store.record.bind(store);
    vi.spyOn(store, 'record').mockImplementationOnce(async (jobId, answers) => {
      await store.finish(
        jobId,
        { status: 'CANCELED', completedAt: new Date().toISOString(), errors: [] },
        60_000,
      );
      return record(jobId, answers);
    });
    expect(await runJob(deps, id, new AbortController().signal)).toBe('skipped');
    expect(events.at(-1)).toMatchObject({ type: 'job-interrupted', reason: 'ended-elsewhere' });
    expect(running()).toBe(0);
    await store.close();
  });

  it('announces a run that ends the job once, and nothing more', async () => {
    const { store, deps, id, events, running } = await setUp(60, 'run-ends');
    expect(await runJob(deps, id, new AbortController().signal)).toBe('ended');
    expect(events.map((e) => e.type)).toEqual(['job-started', 'job-ended']);
    expect(running()).toBe(0);
    await store.close();
  });
});
