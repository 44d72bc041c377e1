// Where jobs live: one interface, kept in memory (the in-process backend) or in Redis (BullMQ).
// The runner and the service speak only to this, so both backends behave the same.
import type {
  CampaignBatchError,
  CoalescedId,
  StopReason,
  UpdateInput,
  UpdatedCampaign,
} from '@campaigns/core';
import type { ErrorPayload } from '@campaigns/core/internal';
import type { CampaignUpdateJob, JobProgress, JobStatus } from './types.js';

/** An error as stored for one id: the engine's error without the ids it covered. */
export type { ErrorPayload };

/** One id's final answer. */
export type Answer = { result: UpdatedCampaign } | { error: ErrorPayload };

/**
 * The stored record of a job: the job as callers see it, without `coalesced` (which can be long,
 * so it is read apart, by `coalesced`, only when a caller asks for it).
 */
export type JobRecord = Omit<CampaignUpdateJob, 'coalesced'>;

export interface NewJob {
  id: string;
  owner: string;
  requestedAt: string;
  updates: UpdateInput[];
  coalesced: CoalescedId[];
}

/** What a worker may do with a job it was handed. */
export type Claim =
  | { kind: 'run'; job: JobRecord; resumed: boolean }
  /** Ended already, or expired: nothing to do. */
  | { kind: 'skip' };

export interface JobStore {
  readonly durable: boolean;
  /**
   * Records a new PENDING job, unless its owner already has `maxActive` jobs pending or running
   * (then throws JobLimitError). Until `confirm`, the record is provisional (Redis: it expires
   * by itself if the process dies before the job was queued).
   */
  create(job: NewJob, maxActive: number): Promise<void>;
  /** The job was queued: it stays until it ends. */
  confirm(id: string): Promise<void>;
  /** Queuing failed: forget the job. */
  discard(id: string, owner: string): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  /** The job's merged ids (empty when none, or the job is gone). */
  coalesced(id: string): Promise<CoalescedId[]>;
  /** PENDING → PROCESSING (first start), or PROCESSING again (a resume); ended → skip. */
  claim(id: string, now: string): Promise<Claim>;
  /** Updates from `from` (a position in input order) with no answer yet, at most `limit` positions scanned. */
  pending(
    id: string,
    from: number,
    limit: number,
  ): Promise<{ updates: Array<{ position: number; update: UpdateInput }>; next?: number }>;
  /**
   * Stores final answers. An id that already has one keeps it (so a repeat, e.g. by a worker
   * that lost its lock, neither changes an answer nor counts twice). No-op on an ended job.
   * Resolves with the job's progress after the write, or undefined when it ended or expired.
   */
  record(id: string, answers: Array<[string, Answer]>): Promise<JobProgress | undefined>;
  /**
   * Gives every id still without an answer `payload` (a job that stops early). Resolves with how
   * many ids it gave it (0 when every id had an answer, or the job had ended).
   */
  fill(id: string, payload: ErrorPayload): Promise<number>;
  /**
   * Ends a job (status, stop reason, completion time, its grouped `errors` kept for reading),
   * starts its retention clock and frees its owner's slot. False when it had already ended (the
   * first end wins; a later one stores nothing).
   */
  finish(
    id: string,
    end: {
      status: 'COMPLETE' | 'CANCELED';
      stopReason?: StopReason;
      completedAt: string;
      errors: CampaignBatchError[];
    },
    retentionMs: number,
  ): Promise<boolean>;
  /** Marks a cancel; says what the job was doing. */
  requestCancel(id: string): Promise<'pending' | 'processing' | 'ended' | 'gone'>;
  cancelRequested(id: string): Promise<boolean>;
  /** Answers of positions `from`..`from+limit-1` in input order (undefined: none yet). */
  answers(
    id: string,
    from: number,
    limit: number,
  ): Promise<Array<{ position: number; campaignId: string; answer?: Answer }>>;
  /**
   * The ids that failed among positions `from`..`from+limit-1`, with their errors; successes are
   * skipped without being read. `next`: where the following positions start, if any.
   */
  errorAnswers(
    id: string,
    from: number,
    limit: number,
  ): Promise<{
    errors: Array<{ position: number; campaignId: string; error: ErrorPayload }>;
    next?: number;
  }>;
  /**
   * Error groups `from`..`from+limit-1` of an ended job, as `finish` stored them, and how many it
   * has; undefined when none were stored (the job has not ended, or expired).
   */
  errorGroups(
    id: string,
    from: number,
    limit: number,
  ): Promise<{ groups: CampaignBatchError[]; count: number } | undefined>;
  /** Announces progress to `subscribe`rs of the job, in this process or any other. */
  publish(progress: JobProgress): Promise<void>;
  subscribe(id: string, listener: (progress: JobProgress) => void): Promise<() => Promise<void>>;
  /** Cancels asked for anywhere, by job id (workers listen). */
  onCancel(listener: (id: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  /** False while the store's connection is down (a failed call then means "unreachable"). */
  reachable(): boolean;
  close(): Promise<void>;
}

/** Positions read per round trip when scanning a job's answers (results, errors). */
export const SCAN = 1_000;

export const isEnded = (status: JobStatus): boolean =>
  status === 'COMPLETE' || status === 'CANCELED';

export function progressOf(job: JobRecord): JobProgress {
  return {
    id: job.id,
    status: job.status,
    ...(job.stopReason ? { stopReason: job.stopReason } : {}),
    total: job.total,
    done: job.done,
    succeeded: job.succeeded,
    failed: job.failed,
  };
}
