// Who runs a queued job: BullMQ workers (any process on the same Redis), or this process.
import { Queue, WaitingError, Worker, type Job } from 'bullmq';
import { endJob, failedPayload, runJob, type RunnerDeps } from './runner.js';
import type { JobCounts } from './types.js';

/** The part of a queue the service uses. */
export interface JobQueue {
  add(id: string): Promise<void>;
  /** Best effort: takes a canceled PENDING job out of the queue (a worker would skip it anyway). */
  remove(id: string): Promise<void>;
  counts(): Promise<JobCounts>;
  close(): Promise<void>;
}

/** This process runs the jobs, `concurrency` at a time, first queued first. Not durable. */
export class InProcessQueue implements JobQueue {
  readonly #waiting: string[] = [];
  readonly #running = new Map<string, { interrupt: AbortController; done: Promise<void> }>();
  #closed = false;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly concurrency: number,
  ) {}

  async add(id: string): Promise<void> {
    if (this.#closed) throw new Error('the job service is closed');
    this.#waiting.push(id);
    this.#pump();
  }

  async remove(id: string): Promise<void> {
    const at = this.#waiting.indexOf(id);
    if (at >= 0) this.#waiting.splice(at, 1);
  }

  #pump(): void {
    while (!this.#closed && this.#running.size < this.concurrency && this.#waiting.length > 0) {
      const id = this.#waiting.shift()!;
      const interrupt = new AbortController();
      const done = runJob(this.deps, id, interrupt.signal)
        .then(() => {})
        // No retries in process: a job whose run failed ends, its unsent ids saying why.
        .catch(async (error: unknown) => {
          await endJob(this.deps, id, 'CANCELED', undefined, failedPayload(messageOf(error)));
        })
        .catch(this.deps.onError)
        .finally(() => {
          this.#running.delete(id);
          this.#pump();
        });
      this.#running.set(id, { interrupt, done });
    }
  }

  async counts(): Promise<JobCounts> {
    return { waiting: this.#waiting.length, active: this.#running.size };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    const running = [...this.#running.values()];
    for (const { interrupt } of running) interrupt.abort('shutdown');
    await Promise.all(running.map((r) => r.done));
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface BullOptions {
  url: string;
  prefix: string;
  retentionMs: number;
  /** Run jobs here (a Worker); else only enqueue and count. */
  work: boolean;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

const QUEUE_NAME = 'campaign-updates';
/** Tries of a run that threw (a store failure): after the last, the job ends as failed. */
const ATTEMPTS = 3;

/**
 * BullMQ over Redis. A job's BullMQ entry carries only its id; what it is lives in the store. A
 * worker that dies leaves its job locked until `lockDurationMs` passes (the lock is renewed every
 * half of it while the worker lives); another worker's stalled check (every `stalledIntervalMs`)
 * then puts it back in the queue, and whoever takes it resumes from the store. A worker that is
 * closed puts its jobs back at once.
 */
export class BullQueue implements JobQueue {
  readonly #queue: Queue<{ id: string }>;
  readonly #worker: TrackedWorker | undefined;
  readonly #running = new Map<string, AbortController>();
  #closing = false;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly options: BullOptions,
  ) {
    const prefix = `${options.prefix}:bull`;
    // Adds, removes and counts answer callers: a command fails after one reconnection attempt
    // while Redis is down rather than after 20 (the worker's blocking connection below keeps the
    // setting BullMQ requires). Not `enableOfflineQueue: false`: BullMQ's close then throws
    // unhandled while Redis is down.
    this.#queue = new Queue(QUEUE_NAME, {
      connection: { url: options.url, maxRetriesPerRequest: 1 },
      prefix,
    });
    this.#queue.on('error', deps.onError);
    if (!options.work) return;
    this.#worker = new TrackedWorker(QUEUE_NAME, (job, token) => this.#process(job, token), {
      connection: { url: options.url, maxRetriesPerRequest: null },
      prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: options.maxStalledCount,
    });
    this.#worker.on('error', deps.onError);
    this.#worker.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) this.#running.get(id)?.abort('lock-lost');
    });
    this.#worker.on('failed', (job, error) => {
      if (!job) return;
      const final =
        error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      if (final)
        endJob(deps, job.data.id, 'CANCELED', undefined, failedPayload(error.message)).catch(
          deps.onError,
        );
    });
  }

  async #process(job: Job<{ id: string }>, token: string | undefined): Promise<void> {
    const id = job.data.id;
    if (this.#closing && token) {
      // Taken while this worker closes (a fetch was already under way): straight back.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const interrupt = new AbortController();
    this.#running.set(id, interrupt);
    try {
      const end = await runJob(this.deps, id, interrupt.signal);
      if (typeof end !== 'object') return;
      if (end.interrupted === 'shutdown' && token) {
        // Back to the queue now, not after the lock expires: another worker resumes it.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw new Error('this worker lost its lock on the job; another one resumes it');
    } finally {
      this.#running.delete(id);
    }
  }

  async add(id: string): Promise<void> {
    await this.#queue.add(
      'update',
      { id },
      {
        jobId: id,
        removeOnComplete: true,
        removeOnFail: { age: Math.ceil(this.options.retentionMs / 1000) },
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: 1_000 },
      },
    );
  }

  async remove(id: string): Promise<void> {
    await this.#queue.remove(id).catch(() => {});
  }

  async counts(): Promise<JobCounts> {
    const counts = await this.#queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    return {
      waiting: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
    };
  }

  /**
   * Hands the running jobs back, then closes. Not BullMQ's graceful `close()`: that one interrupts
   * the worker's blocking fetch by disconnecting its connection and waits for ioredis' `end`
   * event, which never comes when that connection is between two reconnection attempts (as after
   * a Redis restart: ioredis then only clears its retry timer), so it would wait forever
   * (taskforcesh/bullmq#4656). Instead: take no new job and pause (nothing waited for), stop the
   * running jobs and wait until BullMQ has settled each of them and every fetch under way (here,
   * every job goes back to the queue), then close without waiting for the connections.
   */
  async close(): Promise<void> {
    this.#closing = true;
    const worker = this.#worker;
    if (worker) {
      worker.stopTaking();
      await worker.pause(true);
      for (const interrupt of this.#running.values()) interrupt.abort('shutdown');
      await worker.settled();
      await worker.close(true);
    }
    await this.#queue.close();
  }
}

/**
 * A BullMQ worker that keeps what it has under way: each job it is processing (from the call of
 * our processor to the end of BullMQ's bookkeeping after it) and each fetch of a job, so a close
 * can wait for exactly those; and that can stop taking jobs at once.
 */
class TrackedWorker extends Worker<{ id: string }> {
  readonly inFlight = new Set<Promise<unknown>>();
  #taking = true;

  /**
   * Takes no more jobs: a fetch from now on finds none. (Pausing alone is not enough: a fetch
   * already waiting for a job, woken by one handed back, would still take it.)
   */
  stopTaking(): void {
    this.#taking = false;
  }

  /** Resolves once nothing is under way (checked again after pending callbacks ran). */
  async settled(): Promise<void> {
    do {
      await Promise.allSettled([...this.inFlight]);
      await new Promise((resolve) => setImmediate(resolve));
    } while (this.inFlight.size > 0);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    const forget = () => this.inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  override processJob(...args: Parameters<Worker<{ id: string }>['processJob']>) {
    return this.#track(super.processJob(...args));
  }

  protected override moveToActive(
    ...args: Parameters<Worker<{ id: string }>['moveToActive']>
  ): ReturnType<Worker<{ id: string }>['moveToActive']> {
    // BullMQ's own fetch answers undefined when there is no job.
    if (!this.#taking) return Promise.resolve(undefined as unknown as Job<{ id: string }>);
    return this.#track(super.moveToActive(...args));
  }
}
