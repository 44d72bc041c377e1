// What a caller can watch while a run goes on: progress for people, events for metrics and logs.
import type { BudgetSnapshot } from './limiter.js';
import type { StopReason } from './outcome.js';

export interface ProgressEvent {
  operation: string;
  chunksDone: number;
  chunksTotal: number;
  idsDone: number;
  idsTotal: number;
  succeeded: number;
  failed: number;
  requests: number;
  retries: number;
  /** The shared rate budget right now. */
  budget: BudgetSnapshot;
}

/** Fine-grained events, e.g. for Prometheus counters or debug logs. Never carry credentials. */
export type RunEvent =
  | { type: 'request'; operation: string; size: number; attempt: number }
  | {
      type: 'response';
      operation: string;
      size: number;
      status: number;
      durationMs: number;
      /** Item errors the answer named: a 207's, or those a date version folds into its 200. */
      errors: number;
    }
  | {
      type: 'request-failed';
      operation: string;
      size: number;
      status?: number;
      kind: string;
      durationMs: number;
      message: string;
    }
  | {
      type: 'retry';
      operation: string;
      size: number;
      attempt: number;
      delayMs: number;
      reason: string;
    }
  | { type: 'rate-limited'; operation: string; policyName?: string; retryAfterMs?: number }
  | {
      type: 'isolate';
      operation: string;
      size: number;
      named: number;
      strategy: 'drop-named' | 'bisect';
    }
  | { type: 'stop'; operation: string; reason: StopReason; message: string };

export interface RunHooks {
  onProgress?: (event: ProgressEvent) => void;
  onEvent?: (event: RunEvent) => void;
}
