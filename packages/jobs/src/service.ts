// createJobService: one API over two backends. With a Redis URL, jobs live in Redis and run on
// BullMQ workers in any process; without, they live and run in this process (not durable).
import { groupErrors } from './error-groups.js';
import { InvalidInputsError, type CoalescedId } from '@campaigns/core';
import { JobLimitError, JobNotFoundError, JobStoreUnavailableError } from './errors.js';
import { decodeCursor, encodeCursor, isJobId, newJobId, type CursorKind } from './job-id.js';
import { MemoryJobStore } from './memory-store.js';
import { prepareInputs } from './prepare.js';
import { BullQueue, InProcessQueue, type JobQueue } from './queues.js';
import { RedisJobStore } from './redis-store.js';
import { canceledPayload, endJob, type RunnerDeps } from './runner.js';
import { isEnded, progressOf, SCAN, type JobRecord, type JobStore } from './store.js';
import type {
  CampaignUpdateJob,
  JobErrorsPage,
  JobCaller,
  JobProgress,
  JobResultsPage,
  JobService,
  JobServiceOptions,
} from './types.js';

export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_MAX_CAMPAIGNS_PER_JOB = 100_000;
export const DEFAULT_MAX_QUEUED_JOBS_PER_OWNER = 10;
/** `first` of `results` and `errors` when not given. */
export const DEFAULT_PAGE = 100;
/** The largest `first` of `results` and `errors`. */
export const MAX_PAGE = 1_000;
/** Positions one `results` call reads at most; past them it ends its page early. */
export const MAX_RESULTS_SCANNED = 10_000;
/** How often a progress stream re-reads its job when no message came. */
export const DEFAULT_PROGRESS_POLL_MS = 5_000;
/**
 * How long a worker's lock on a job lasts unrenewed (BullMQ renews it every half of this). A
 * worker that dies leaves its job locked this long at most before another can take it over.
 */
export const DEFAULT_LOCK_DURATION_MS = 10_000;
/** Deaths of its worker a job survives (BullMQ's `maxStalledCount`); one more and it fails. */
export const DEFAULT_MAX_STALLED_COUNT = 10;

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function callerId(caller: JobCaller): string {
  if (typeof caller?.id !== 'string' || caller.id === '')
    throw new TypeError('a job caller needs a non-empty id');
  return caller.id;
}

const toView = (job: JobRecord, coalesced: CoalescedId[]): CampaignUpdateJob => ({
  ...job,
  coalesced,
});

/** The service's own refusals, which say what went wrong whatever the store's state. */
const refusals = [JobLimitError, JobNotFoundError, InvalidInputsError, RangeError, TypeError];

/**
 * A request path's failure as the caller should see it: `JobStoreUnavailableError` when the store
 * is unreachable (its connection is down, or a command ran out of reconnection attempts), else
 * as it was.
 */
function asStoreFailure(error: unknown, store: JobStore): unknown {
  if (refusals.some((type) => error instanceof type)) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : '';
  if (
    !store.reachable() ||
    name === 'MaxRetriesPerRequestError' ||
    message.includes('enableOfflineQueue')
  )
    return new JobStoreUnavailableError(error);
  return error;
}

/** A page's `first`: an integer from 1 to MAX_PAGE, DEFAULT_PAGE when not given. */
function pageSize(first: number | undefined): number {
  if (first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
    throw new RangeError(`first must be an integer from 1 to ${MAX_PAGE}, got ${first}`);
  return first;
}

/** Where a page starts: just after the `after` cursor (of `kind`), or at 0. */
function pageStart(after: string | undefined, kind: CursorKind): number {
  if (after === undefined) return 0;
  const position = decodeCursor(after, kind);
  if (position === undefined) throw new RangeError('after is not a cursor of this list');
  return position + 1;
}

/** Starts a job service. Log `durable`: false means jobs are lost when this process ends. */
export function createJobService(options: JobServiceOptions = {}): JobService {
  const role = options.role ?? 'both';
  if (!['api', 'worker', 'both'].includes(role))
    throw new RangeError(`role must be api, worker or both, got ${String(role)}`);
  const redisUrl = options.redisUrl;
  if (!redisUrl && role !== 'both')
    throw new TypeError(
      `role "${role}" needs Redis: without redisUrl, jobs run in this process, which must be both api and worker`,
    );
  const works = role !== 'api';
  const worker = options.worker;
  if (works && (!worker?.client || !worker.budget))
    throw new TypeError(`role "${role}" runs jobs: give worker.client and worker.budget`);
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  if (!(retentionMs > 0)) throw new RangeError(`retentionMs must be positive, got ${retentionMs}`);
  const maxCampaigns = positiveInteger(
    options.maxCampaignsPerJob,
    DEFAULT_MAX_CAMPAIGNS_PER_JOB,
    'maxCampaignsPerJob',
  );
  const maxQueued = positiveInteger(
    options.maxQueuedJobsPerOwner,
    DEFAULT_MAX_QUEUED_JOBS_PER_OWNER,
    'maxQueuedJobsPerOwner',
  );
  const concurrency = positiveInteger(worker?.concurrency, 2, 'worker.concurrency');
  const lockDurationMs = positiveInteger(
    worker?.lockDurationMs,
    DEFAULT_LOCK_DURATION_MS,
    'worker.lockDurationMs',
  );
  const onError = options.onError ?? (() => {});
  const onEvent = options.onEvent ?? (() => {});
  const prefix = options.prefix ?? 'campaigns';
  const progressPollMs = positiveInteger(
    options.progressPollMs,
    DEFAULT_PROGRESS_POLL_MS,
    'progressPollMs',
  );

  const store: JobStore = redisUrl
    ? new RedisJobStore(redisUrl, prefix, onError)
    : new MemoryJobStore();
  const deps: RunnerDeps = {
    store,
    // Only read on a worker, where it was checked above.
    worker: worker!,
    retentionMs,
    onEvent,
    onError,
  };
  const queue: JobQueue = redisUrl
    ? new BullQueue(deps, {
        url: redisUrl,
        prefix,
        retentionMs,
        work: works,
        concurrency,
        lockDurationMs,
        // Half the lock: a dead worker's job is taken over within 1.5 × the lock.
        stalledIntervalMs: positiveInteger(
          worker?.stalledIntervalMs,
          Math.ceil(lockDurationMs / 2),
          'worker.stalledIntervalMs',
        ),
        maxStalledCount: positiveInteger(
          worker?.maxStalledCount,
          DEFAULT_MAX_STALLED_COUNT,
          'worker.maxStalledCount',
        ),
      })
    : new InProcessQueue(deps, concurrency);

  /** The job, if `caller` may see it: its owner, or an admin. */
  async function visible(caller: JobCaller, id: string): Promise<JobRecord | undefined> {
    const who = callerId(caller);
    if (!isJobId(id)) return undefined;
    const job = await store.get(id);
    if (!job || (job.owner !== who && caller.admin !== true)) return undefined;
    return job;
  }

  async function mustSee(caller: JobCaller, id: string): Promise<JobRecord> {
    const job = await visible(caller, id);
    if (!job) throw new JobNotFoundError(String(id));
    return job;
  }

  /** Resolves with the job once it ended, or as it is after `waitMs`. */
  async function waitForEnd(id: string, waitMs: number): Promise<JobRecord | undefined> {
    let wake: () => void = () => {};
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const unsubscribe = await store.subscribe(id, (p) => isEnded(p.status) && wake());
    const timer = setTimeout(wake, waitMs);
    try {
      const now = await store.get(id);
      if (!now || isEnded(now.status)) return now;
      await woken;
      return await store.get(id);
    } finally {
      clearTimeout(timer);
      await unsubscribe();
    }
  }

  const service: JobService = {
    durable: store.durable,
    backend: redisUrl ? 'bullmq' : 'in-process',
    role,

    async start(caller, inputs) {
      const owner = callerId(caller);
      const { updates, coalesced } = prepareInputs(inputs, maxCampaigns);
      const id = newJobId();
      const requestedAt = new Date().toISOString();
      await store.create({ id, owner, requestedAt, updates, coalesced }, maxQueued);
      try {
        await queue.add(id);
      } catch (error) {
        await store.discard(id, owner).catch(onError);
        throw error;
      }
      // Queued: the job runs whatever happens next, so nothing after this line may fail the
      // start (a caller told "failed" would start it again). A failed confirm only means the
      // record keeps its creation lease until a worker claims the job (which persists it too).
      await store.confirm(id).catch(onError);
      onEvent({ type: 'job-queued', id, owner, total: updates.length });
      return {
        id,
        owner,
        status: 'PENDING',
        total: updates.length,
        done: 0,
        succeeded: 0,
        failed: 0,
        requestedAt,
        coalesced,
        cancelRequested: false,
      };
    },

    async get(caller, id) {
      const job = await visible(caller, id);
      return job && toView(job, await store.coalesced(id));
    },

    async results(caller, id, page = {}) {
      const job = await visible(caller, id);
      if (!job) return undefined;
      const first = pageSize(page.first);
      const start = pageStart(page.after, 'p');
      // A page with few successes could otherwise read the whole job: stop after a bounded scan.
      const until = Math.min(job.total, start + MAX_RESULTS_SCANNED);
      const items: JobResultsPage['items'] = [];
      for (let from = start; from < until; from += SCAN)
        for (const { position, answer } of await store.answers(
          id,
          from,
          Math.min(SCAN, until - from),
        )) {
          if (!answer || !('result' in answer)) continue;
          // One more success than asked for: there is a next page.
          if (items.length === first)
            return { items, endCursor: items.at(-1)!.cursor, hasNextPage: true };
          items.push({ cursor: encodeCursor(position), campaign: answer.result });
        }
      // Stopped at the bound: the next page starts after the last position read.
      if (until < job.total)
        return { items, endCursor: encodeCursor(until - 1), hasNextPage: true };
      const last = items.at(-1);
      return { items, ...(last ? { endCursor: last.cursor } : {}), hasNextPage: false };
    },

    async errors(caller, id, page = {}) {
      const job = await visible(caller, id);
      if (!job) return undefined;
      const first = pageSize(page.first);
      const from = pageStart(page.after, 'e');
      // Nothing failed yet: no answer needs reading.
      if (job.failed === 0) return { items: [], count: 0, hasNextPage: false };
      // An ended job's groups were stored when it ended; a running one's are grouped now, once
      // per call (each call reads every answer of the job: page a running job's errors sparingly).
      let stored = isEnded(job.status) ? await store.errorGroups(id, from, first) : undefined;
      if (!stored) {
        const all = await groupErrors(store, id);
        stored = { groups: all.slice(from, from + first), count: all.length };
      }
      const { groups, count } = stored;
      const result: JobErrorsPage = {
        items: groups,
        count,
        hasNextPage: from + groups.length < count,
      };
      if (groups.length > 0) result.endCursor = encodeCursor(from + groups.length - 1, 'e');
      return result;
    },

    async cancel(caller, id, cancelOptions = {}) {
      await mustSee(caller, id);
      const state = await store.requestCancel(id);
      if (state === 'gone') throw new JobNotFoundError(id);
      if (state === 'pending') {
        await queue.remove(id);
        await endJob(deps, id, 'CANCELED', 'aborted', canceledPayload());
      }
      const job =
        state === 'processing'
          ? await waitForEnd(id, cancelOptions.waitMs ?? 5_000)
          : await store.get(id);
      if (!job) throw new JobNotFoundError(id);
      return toView(job, await store.coalesced(id));
    },

    async progress(caller, id, progressOptions = {}) {
      await mustSee(caller, id);
      return progressStream(store, id, progressPollMs, onError, progressOptions.signal);
    },

    counts: () => queue.counts(),
    ping: () => store.ping(),

    async close() {
      await queue.close();
      await store.close();
    },
  };
  // What callers ask for fails with one clear error while the store is unreachable.
  for (const name of ['start', 'get', 'results', 'errors', 'cancel', 'progress'] as const) {
    const call = service[name] as (...args: unknown[]) => Promise<unknown>;
    (service as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      try {
        return await call(...args);
      } catch (error) {
        throw asStoreFailure(error, store);
      }
    };
  }
  return service;
}

/**
 * The progress of one job as an async iterator: the state now, then each change. Only the latest
 * unread state is kept (a slow reader skips steps, never falls behind); a state older than one
 * already seen (messages can race) or equal to it is dropped. Ends after the job ended or
 * expired, or on abort. Messages can be lost (a failed publish, a reconnect), so a reader left
 * waiting re-reads the job every `pollMs`.
 */
async function progressStream(
  store: JobStore,
  id: string,
  pollMs: number,
  onError: (error: unknown) => void,
  signal?: AbortSignal,
): Promise<AsyncIterableIterator<JobProgress>> {
  let latest: JobProgress | undefined;
  let unread = false;
  let finished = false;
  let wake: (() => void) | undefined;
  const offer = (p: JobProgress) => {
    if (
      latest &&
      (isEnded(latest.status) ||
        p.done < latest.done ||
        (p.done === latest.done && p.status === latest.status))
    )
      return;
    latest = p;
    unread = true;
    wake?.();
  };
  const unsubscribe = await store.subscribe(id, offer);
  const finish = async () => {
    if (finished) return;
    finished = true;
    wake?.();
    signal?.removeEventListener('abort', onAbort);
    await unsubscribe();
  };
  const onAbort = () => void finish();
  signal?.addEventListener('abort', onAbort);
  const now = await store.get(id);
  if (now) offer(progressOf(now));
  else await finish();
  if (signal?.aborted) await finish();

  /** What pub/sub may have missed: the job as stored now (gone: the stream ends). */
  const reread = async () => {
    let job: JobRecord | undefined;
    try {
      job = await store.get(id);
    } catch (error) {
      onError(error);
      return;
    }
    if (!job) await finish();
    else offer(progressOf(job));
  };

  const iterator: AsyncIterableIterator<JobProgress> = {
    async next() {
      while (!finished && !unread) {
        let timer: NodeJS.Timeout | undefined;
        const woken = await new Promise<boolean>((resolve) => {
          wake = () => resolve(true);
          timer = setTimeout(() => resolve(false), pollMs);
        });
        clearTimeout(timer);
        if (!woken && !finished && !unread) await reread();
      }
      if (!unread || !latest) {
        await finish();
        return { done: true, value: undefined };
      }
      unread = false;
      const value = latest;
      if (isEnded(value.status)) await finish();
      return { done: false, value };
    },
    async return() {
      await finish();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
