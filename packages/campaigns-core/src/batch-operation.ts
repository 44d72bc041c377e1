// What the runner runs: a batch operation (how to send one chunk of items to HubSpot, how to
// pair its results with the items) over items that each have a key. update, read, create and
// archive (operations.ts) are four such operations; a new batch endpoint is one more.
import type { RateLimitInfo } from '@campaigns/hubspot-client';
import type { BatchItemError } from './api.js';

export interface RunnerItem<P> {
  /** Identifies the item in the outcome (the campaign id, or `#index` for creates). */
  key: string;
  payload: P;
}

/**
 * A run's items as the runner holds them: the key and the payload of each, by position (no
 * object per item: a 100,000-item run held 4 MB of `{ key, payload }` pairs for as long as it ran).
 * `RunnerItem`s are made for a chunk only where an operation asks for them (`match`).
 */
export interface RunItems<P> {
  readonly keys: ReadonlyArray<string>;
  readonly payloads: ReadonlyArray<P>;
}

/** HubSpot's successful answer to one chunk (200, 201, 204 or 207). */
export interface SentChunk<R> {
  status: number;
  results: R[];
  errors: BatchItemError[];
  requestedAt?: string;
  startedAt?: string;
  completedAt?: string;
  links?: Record<string, string>;
  /** The answer's rate-limit headers, as the client parsed them. */
  rateLimit: RateLimitInfo;
  /** From the request leaving to its answer, in ms, when the client measured it. */
  roundTripMs?: number;
}

export interface BatchOperation<P, R> {
  /** `update`, `read`, `create`, `archive`: used in events and messages. */
  name: string;
  /**
   * Whether sending a chunk twice leaves HubSpot as sending it once: an update sets the same
   * values again, an archive archives what is archived, a read reads. A create would create the
   * campaigns a second time, so a create that may have reached HubSpot is never sent again.
   */
  idempotent: boolean;
  /** Sends one chunk. Rejects (HubSpotApiError, HubSpotNetworkError, abort) when it failed. */
  send(payloads: P[], signal: AbortSignal): Promise<SentChunk<R>>;
  /** Pairs the results of a chunk with the keys of its items. */
  match(items: ReadonlyArray<RunnerItem<P>>, results: R[]): Array<[string, R]>;
}
