// What the job tests share: a simulator that counts the updates it applies per id, a budget
// that can be held shut, and a job service on either backend.
import { RateLimitBudget, type RateBudget } from '@campaigns/core';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import {
  DEFAULT_SIM_TOKEN,
  startHubSpotSim,
  type HubSpotSim,
  type HubSpotSimOptions,
} from '@campaigns/hubspot-sim';
import { expect } from 'vitest';
import { createJobService } from '../src/index.js';
import type { JobCaller, JobService, JobServiceOptions, WorkerOptions } from '../src/index.js';

export const alice: JobCaller = { id: 'alice' };
export const bob: JobCaller = { id: 'bob' };
export const admin: JobCaller = { id: 'ops', admin: true };

export interface CountingSim extends HubSpotSim {
  /** Campaign id → updates the simulator applied to it. */
  applied: Map<string, number>;
}

/** A simulator whose store counts, per id, every update it applies. */
export async function startCountingSim(options: HubSpotSimOptions = {}): Promise<CountingSim> {
  const sim = await startHubSpotSim(options);
  const applied = new Map<string, number>();
  const update = sim.store.update.bind(sim.store);
  sim.store.update = (id, changes) => {
    applied.set(id, (applied.get(id) ?? 0) + 1);
    return update(id, changes);
  };
  return Object.assign(sim, { applied });
}

/** A budget whose grants wait until `open()` (a job then stays in flight as long as a test needs). */
export function gatedBudget(inner: RateBudget = new RateLimitBudget()): RateBudget & {
  open(): void;
} {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    async acquire(signal, key) {
      await new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        void gate.then(resolve);
      });
      return inner.acquire(signal, key);
    },
    answered: (...args) => inner.answered(...args),
    observe: (...args) => inner.observe(...args),
    penalize: (...args) => inner.penalize(...args),
    exhaust: (...args) => inner.exhaust(...args),
    snapshot: () => inner.snapshot(),
    open,
  };
}

export type Backend = 'in-process' | 'bullmq';

/** A job service on `backend` against `sim`, with a fresh Redis prefix per service. */
export function jobService(
  backend: Backend,
  sim: HubSpotSim,
  redisUrl: string | undefined,
  options: Omit<Partial<JobServiceOptions>, 'worker'> & {
    budget?: RateBudget;
    worker?: Partial<WorkerOptions>;
  } = {},
): JobService {
  const client = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
  const budget = options.budget ?? new RateLimitBudget();
  const { budget: _budget, worker, ...rest } = options;
  return createJobService({
    ...(backend === 'bullmq'
      ? { redisUrl, prefix: `t${Math.random().toString(36).slice(2)}` }
      : {}),
    onError: (error) => console.error('job service error', error),
    ...rest,
    ...(rest.role === 'api'
      ? {}
      : {
          worker: {
            client: () => client,
            budget: () => budget,
            lockDurationMs: 2_000,
            stalledIntervalMs: 500,
            cancelPollMs: 100,
            ...worker,
          },
        }),
  });
}

/** Resolves with the last progress once the job ended. */
export async function untilEnded(jobs: JobService, caller: JobCaller, id: string) {
  let last;
  for await (const p of await jobs.progress(caller, id)) last = p;
  expect(last).toBeDefined();
  return (await jobs.get(caller, id))!;
}

/** Every result of a job, page by page (`first` each). */
export async function allResults(jobs: JobService, caller: JobCaller, id: string, first = 100) {
  const campaigns = [];
  let after: string | undefined;
  for (;;) {
    const page = (await jobs.results(caller, id, { first, ...(after ? { after } : {}) }))!;
    campaigns.push(...page.items.map((i) => i.campaign));
    if (!page.hasNextPage) return campaigns;
    after = page.endCursor;
  }
}

/** Every error group of a job, page by page (`first` each). */
export async function allErrors(jobs: JobService, caller: JobCaller, id: string, first = 100) {
  const groups = [];
  let after: string | undefined;
  for (;;) {
    const page = (await jobs.errors(caller, id, { first, ...(after ? { after } : {}) }))!;
    groups.push(...page.items);
    if (!page.hasNextPage) return groups;
    after = page.endCursor;
  }
}

/** Updates of the first `count` campaigns of `sim`, each with a value naming its id. */
export function updatesFor(sim: HubSpotSim, count: number, tag = 'job') {
  return sim.store
    .list()
    .slice(0, count)
    .map((c) => ({ id: c.id, properties: { hs_notes: `${tag}:${c.id}` } }));
}
