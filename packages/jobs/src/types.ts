// What a job is, as callers see it: the shape the gateway's `CampaignUpdateJob` is built from.
import type {
  CampaignBatchError,
  CampaignsClient,
  CoalescedId,
  RateBudget,
  RunEvent,
  StopReason,
  UpdatedCampaign,
} from '@campaigns/core';

/** HubSpot's own batch vocabulary: PENDING → PROCESSING → COMPLETE | CANCELED. */
export type JobStatus = 'PENDING' | 'PROCESSING' | 'COMPLETE' | 'CANCELED';

/** Who asks. `id` is opaque (a JWT subject, `api-key:<name>`); an admin may see every job. */
export interface JobCaller {
  id: string;
  admin?: boolean;
}

/** One job, without its results and errors (read those with `results` and `errors`). */
export interface CampaignUpdateJob {
  /** Unguessable: 128 random bits, base64url (22 characters). */
  id: string;
  /** The caller that started it. */
  owner: string;
  status: JobStatus;
  /** Why a CANCELED job stopped: `aborted` (canceled by a caller), `auth`, `daily-limit`. */
  stopReason?: StopReason;
  /** Distinct campaign ids (after duplicates were merged). */
  total: number;
  /** Ids with a final answer so far (`succeeded + failed`). */
  done: number;
  succeeded: number;
  failed: number;
  /** ISO 8601. */
  requestedAt: string;
  startedAt?: string;
  completedAt?: string;
  /** Ids given more than once, merged into one update (later values won per property). */
  coalesced: CoalescedId[];
  /** A cancel was asked for and the job has not ended yet. */
  cancelRequested: boolean;
}

/** What a progress stream emits: after every checkpoint and at every status change. */
export type JobProgress = Pick<
  CampaignUpdateJob,
  'id' | 'status' | 'stopReason' | 'total' | 'done' | 'succeeded' | 'failed'
>;

/**
 * One page of a job's results: the succeeded campaigns, in input order. One call reads at most
 * 10,000 positions (`MAX_RESULTS_SCANNED`): past them, the page ends early, holding fewer than
 * `first` items (even none), with `hasNextPage` true and `endCursor` at the last position read.
 */
export interface JobResultsPage {
  items: Array<{ cursor: string; campaign: UpdatedCampaign }>;
  /**
   * Pass as `after` for the next page: the last item's cursor, or the last position read when the
   * page ended early.
   */
  endCursor?: string;
  /**
   * More results may exist after this page right now (a running job may add more later); when
   * the page ended early, the next one may hold none.
   */
  hasNextPage: boolean;
}

/**
 * One page of a job's errors: groups of equal errors (the engine's own grouping), in the input
 * order of their first id, each listing its ids in input order. A running job's groups can change
 * between calls (read them after it ended to page a fixed list).
 */
export interface JobErrorsPage {
  items: CampaignBatchError[];
  /** How many groups the job has in all (now: a running job's can grow). */
  count: number;
  /** The cursor of the last group (pass as `after` for the next page). */
  endCursor?: string;
  hasNextPage: boolean;
}

/** Lifecycle events, for metrics and logs (never carry inputs or results). */
export type JobEvent =
  | { type: 'job-queued'; id: string; owner: string; total: number }
  | { type: 'job-started'; id: string; owner: string; resumed: boolean; pending: number }
  | {
      type: 'job-ended';
      id: string;
      owner: string;
      status: JobStatus;
      stopReason?: StopReason;
      /** Distinct ids, and how many of them succeeded and failed (counts only, never ids). */
      total: number;
      succeeded: number;
      failed: number;
      /** From `startedAt` (the first start, if it was resumed) to the end. */
      durationMs: number;
    }
  /**
   * A run on this process stopped without ending the job: handed back (`shutdown`, `lock-lost`),
   * thrown by a store failure (`error`: the queue may retry it, here or elsewhere), or the job was
   * ended by someone else meanwhile (`ended-elsewhere`). Every `job-started` is followed by
   * exactly one `job-ended` or `job-interrupted` from the same process.
   */
  | {
      type: 'job-interrupted';
      id: string;
      owner: string;
      reason: 'shutdown' | 'lock-lost' | 'error' | 'ended-elsewhere';
    };

/** The job a worker is about to run, as the host's factories see it. */
export interface RunningJob {
  id: string;
  owner: string;
}

export interface WorkerOptions {
  /**
   * The HubSpot client for a job (called when a worker starts or resumes it). The token stays in
   * the host: nothing of the client is stored.
   */
  client: (job: RunningJob) => CampaignsClient;
  /**
   * The rate budget a job draws from: pass the process's shared one. Called once per run of a
   * job (its start, and each resume), never per chunk: every chunk of a run shares it.
   */
  budget: (job: RunningJob) => RateBudget;
  /** Jobs one process runs at once. Default 2. */
  concurrency?: number;
  /**
   * Chunks of one job in flight at once (each a run of the engine over ≤50 ids). Default 8. At
   * most this many × 50 ids can be sent twice after a crash.
   */
  chunkConcurrency?: number;
  /** The engine's events (requests, retries, 429s), for metrics. */
  onRunEvent?: (event: RunEvent, job: RunningJob) => void;
  /**
   * BullMQ: how long a worker's lock on a job lasts unrenewed; it is renewed every half of it.
   * A dead worker's job waits this long at most before another worker can take it over. Default
   * 10,000 ms.
   */
  lockDurationMs?: number;
  /**
   * BullMQ: how often workers look for jobs whose worker died (one check per queue, whichever
   * worker runs it). Default half of `lockDurationMs`: a dead worker's job is resumed within
   * `lockDurationMs + stalledIntervalMs`.
   */
  stalledIntervalMs?: number;
  /** BullMQ: how many times a job may lose its worker and resume; one more and it fails. Default 10. */
  maxStalledCount?: number;
  /** How often a running job checks for a cancel it missed on pub/sub. Default 500 ms. */
  cancelPollMs?: number;
}

export interface JobServiceOptions {
  /** `redis://…`: jobs run on BullMQ and survive restarts. Without: an in-process queue. */
  redisUrl?: string;
  /**
   * `api` enqueues and reads, `worker` runs jobs, `both` does both (default). Without Redis only
   * `both` makes sense (nothing else could run the jobs) and is required.
   */
  role?: 'api' | 'worker' | 'both';
  /** Needed by the `worker` and `both` roles. */
  worker?: WorkerOptions;
  /** Prefix of every Redis key and channel. Default `campaigns`. */
  prefix?: string;
  /** How long results and errors stay readable after a job ended. Default 24 h. */
  retentionMs?: number;
  /** Inputs (rows, before duplicates are merged) one job may have. Default 100,000. */
  maxCampaignsPerJob?: number;
  /** Jobs one owner may have PENDING or PROCESSING at once. Default 10. */
  maxQueuedJobsPerOwner?: number;
  /**
   * How often a progress stream with no news re-reads its job, in case a message was lost (a
   * failed publish, a reconnect, an expiry): it then ends if the job ended or is gone. Default
   * 5,000 ms.
   */
  progressPollMs?: number;
  onEvent?: (event: JobEvent) => void;
  /** Unexpected background failures (a lost Redis connection, a failed checkpoint). */
  onError?: (error: unknown) => void;
}

export interface JobCounts {
  /** Jobs waiting for a worker (BullMQ: waiting + delayed). */
  waiting: number;
  /** Jobs a worker is running. */
  active: number;
}

export interface JobService {
  /** False for the in-process queue: jobs are lost when the process ends. Log it. */
  readonly durable: boolean;
  readonly backend: 'bullmq' | 'in-process';
  readonly role: 'api' | 'worker' | 'both';
  /**
   * Validates and coalesces `inputs` exactly as `updateCampaigns` does, then queues them.
   * Throws `InvalidInputsError` (every problem, nothing queued) or `JobLimitError`.
   */
  start(caller: JobCaller, inputs: ReadonlyArray<unknown>): Promise<CampaignUpdateJob>;
  /** Undefined when there is no such job, it expired, or it is another owner's. */
  get(caller: JobCaller, id: string): Promise<CampaignUpdateJob | undefined>;
  /**
   * Succeeded campaigns in input order, `first` (an integer from 1 to 1,000, default 100; else
   * `RangeError`) after `after`. Reads at most 10,000 positions per call (see `JobResultsPage`).
   */
  results(
    caller: JobCaller,
    id: string,
    page?: { first?: number; after?: string },
  ): Promise<JobResultsPage | undefined>;
  /**
   * Every failed id, once, grouped like the engine's outcome (ids in input order), `first` groups
   * (an integer from 1 to 1,000, default 100; else `RangeError`) after `after`, and how many
   * groups there are. An ended job's groups are computed once when it ends and stored with it; a
   * running job's are computed on each call (one read of its answers), and a job without a failed
   * id reads none.
   */
  errors(
    caller: JobCaller,
    id: string,
    page?: { first?: number; after?: string },
  ): Promise<JobErrorsPage | undefined>;
  /**
   * Cancels: a PENDING job ends at once; a PROCESSING one stops within about a second. Resolves
   * with the job once it ended, or as it is after `waitMs` (default 5,000). Throws
   * `JobNotFoundError` for a job the caller cannot see.
   */
  cancel(caller: JobCaller, id: string, options?: { waitMs?: number }): Promise<CampaignUpdateJob>;
  /**
   * Progress of one job: the current state first, then each change (a slow reader gets the
   * latest, never a backlog); ends after the job ended or when `signal` aborts. Throws
   * `JobNotFoundError`.
   */
  progress(
    caller: JobCaller,
    id: string,
    options?: { signal?: AbortSignal },
  ): Promise<AsyncIterableIterator<JobProgress>>;
  counts(): Promise<JobCounts>;
  /** Resolves when the store answers (Redis PING); rejects otherwise. For readiness probes. */
  ping(): Promise<void>;
  /**
   * Stops taking jobs; running ones stop at their next chunk and (BullMQ) go back to the queue
   * for another worker; closes connections.
   */
  close(): Promise<void>;
}
