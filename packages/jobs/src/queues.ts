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
        .catch((error: unknown) =>
          endJob(this.deps, id, 'CANCELED', undefined, failedPayload(messageOf(error))),
        )
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
 * worker that dies leaves its job locked until `lockDurationMs` passes; another worker's stalled
 * check (every `stalledIntervalMs`) then puts it back in the queue, and whoever takes it resumes
 * from the store. A worker that is closed puts its jobs back at once.
 */
export class BullQueue implements JobQueue {
  readonly #queue: Queue<{ id: string }>;
  readonly #worker: Worker<{ id: string }> | undefined;
  readonly #running = new Map<string, AbortController>();

  constructor(
    private readonly deps: RunnerDeps,
    private readonly options: BullOptions,
  ) {
    const prefix = `${options.prefix}:bull`;
    this.#queue = new Queue(QUEUE_NAME, { connection: { url: options.url }, prefix });
    this.#queue.on('error', deps.onError);
    if (!options.work) return;
    this.#worker = new Worker<{ id: string }>(
      QUEUE_NAME,
      (job, token) => this.#process(job, token),
      {
        connection: { url: options.url, maxRetriesPerRequest: null },
        prefix,
        concurrency: options.concurrency,
        lockDuration: options.lockDurationMs,
        stalledInterval: options.stalledIntervalMs,
        maxStalledCount: options.maxStalledCount,
      },
    );
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

  async close(): Promise<void> {
    for (const interrupt of this.#running.values()) interrupt.abort('shutdown');
    await this.#worker?.close();
    await this.#queue.close();
  }
}
