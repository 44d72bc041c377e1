// The shape every bulk operation returns: HubSpot's batch response, widened to a whole run.
import type { BatchErrorDetail, BatchItemError } from './api.js';
import type { MergedBatch } from './merge.js';

export type OutcomeStatus = 'COMPLETE' | 'CANCELED';

/** Categories the core itself assigns (HubSpot's own categories pass through unchanged). */
export const CoreCategory = {
  /** The input failed validation before anything was sent. */
  INVALID_INPUT: 'INVALID_INPUT',
  /** The run was canceled or hit its deadline before this chunk was sent. */
  CANCELED: 'CANCELED',
  /** The run was canceled while this chunk was in flight: HubSpot may or may not have applied it. */
  CANCELED_IN_FLIGHT: 'CANCELED_IN_FLIGHT',
  /** HubSpot's daily request limit is used up; nothing more was sent. */
  DAILY_LIMIT_REACHED: 'DAILY_LIMIT_REACHED',
  /** A transient failure (429, 5xx, network, timeout) outlasted every retry. */
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  /** The run stopped after an authentication or scope failure; this chunk was not sent. */
  NOT_SENT_AFTER_AUTH_FAILURE: 'NOT_SENT_AFTER_AUTH_FAILURE',
  /** HubSpot's answer mentioned neither a result nor an error for this id. */
  MISSING_FROM_RESPONSE: 'MISSING_FROM_RESPONSE',
  /** Something unexpected (a bug, a token provider failure): see `detail`. */
  UNEXPECTED_ERROR: 'UNEXPECTED_ERROR',
} as const;

/**
 * One error of the merged outcome. HubSpot's `StandardError` shape, plus `ids` (the inputs it
 * covers, also in `context.ids`) and what the core knows of the HTTP exchange.
 */
export interface CampaignBatchError extends Omit<BatchItemError, 'subCategory'> {
  /** The input ids this error covers, in input order. Never empty. */
  ids: string[];
  subCategory?: string;
  /** HTTP status of the failed request, when there was one. */
  httpStatus?: number;
  correlationId?: string;
  /** For INVALID_INPUT: the positions of the offending inputs. */
  indices?: number[];
  /**
   * For failures the core saw itself (network errors, non-JSON answers, exhausted retries,
   * unexpected exceptions): the technical detail – method, path, upstream address, a body
   * excerpt – that `message` leaves out so it can be shown to end users. For logs and internal
   * tools; credentials are redacted. At most 1,000 characters.
   */
  detail?: string;
}

export interface RunStats {
  /** Ids that succeeded (equals `results.length` unless `keepResults: false`). */
  succeeded: number;
  /** HTTP requests sent, retries and isolation included. */
  requests: number;
  retries: number;
  /** 429s received (each is also a retry or a stop). */
  rateLimited: number;
  /** Chunks planned at the start. */
  chunks: number;
  /** Extra requests made to isolate bad items in a chunk that failed with 400. */
  isolationRequests: number;
  durationMs: number;
  /** Time spent merging chunk answers into the outcome, in ms (CPU-bound; reported by benchmarks). */
  mergeMs: number;
}

export type StopReason = 'aborted' | 'deadline' | 'auth' | 'daily-limit';

export interface BatchOutcome<R> extends MergedBatch<R> {
  status: OutcomeStatus;
  /** Why the run stopped early, when it did. */
  stopReason?: StopReason;
  stats: RunStats;
}

export interface CoalescedId {
  id: string;
  /** Positions of every occurrence in the input; later values won per property. */
  indices: number[];
}

export type CampaignBatchOutcome<R> = BatchOutcome<R> & {
  /** Ids given more than once, merged into one update. */
  coalesced: CoalescedId[];
};

/** One detail of an error: HubSpot's `ErrorDetail` as the batch answers type it. */
export type ErrorDetail = BatchErrorDetail;
