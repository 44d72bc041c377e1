// The books of one run: what each chunk came to (results and errors per key), the counters
// that progress and the outcome's stats report, and why the run stopped, if it did.
import type { RunnerItem } from './batch-operation.js';
import type { BudgetSnapshot } from './limiter.js';
import type { ChunkReport, ErrorPayload } from './merge.js';
import type { RunStats, StopReason } from './outcome.js';
import type { ProgressEvent } from './progress.js';

/** Why a run stopped early, and the payload every item it then could not send gets. */
export interface RunStop {
  reason: StopReason;
  message: string;
  payload: ErrorPayload;
}

export class RunLedger<R> {
  readonly stats: Omit<RunStats, 'durationMs' | 'mergeMs' | 'succeeded'>;
  readonly reports: ChunkReport<R>[] = [];
  /** Set once, by the first reason the run stopped for. */
  stop: RunStop | undefined;
  chunksDone = 0;
  idsDone = 0;
  succeeded = 0;

  constructor(
    chunks: number,
    private readonly results: {
      onResults?: ((results: R[]) => void) | undefined;
      keepResults?: boolean | undefined;
    },
  ) {
    this.stats = { requests: 0, retries: 0, rateLimited: 0, chunks, isolationRequests: 0 };
  }

  /** Books what a chunk (or part of one) came to, handing its results to `onResults`. */
  report(r: ChunkReport<R>): void {
    const found = r.results;
    if (found.length > 0) this.results.onResults?.(found.map(([, value]) => value));
    this.reports.push(
      this.results.keepResults === false && found.length > 0
        ? { ...r, results: [], succeeded: found.map(([key]) => key) }
        : r,
    );
    this.idsDone += r.keys.length;
    this.succeeded += found.length;
  }

  /** Books every item as failed with `error`. */
  fail<P>(items: ReadonlyArray<RunnerItem<P>>, error: ErrorPayload): void {
    const keys = items.map((i) => i.key);
    this.report({ keys, results: [], errors: [{ keys: [...keys], error }] });
  }

  /** Records why the run stopped; false when it had already stopped (the first reason stays). */
  stopWith(stop: RunStop): boolean {
    if (this.stop) return false;
    this.stop = stop;
    return true;
  }

  progress(operation: string, idsTotal: number, budget: BudgetSnapshot): ProgressEvent {
    return {
      operation,
      chunksDone: this.chunksDone,
      chunksTotal: this.stats.chunks,
      idsDone: this.idsDone,
      idsTotal,
      succeeded: this.succeeded,
      failed: this.idsDone - this.succeeded,
      requests: this.stats.requests,
      retries: this.stats.retries,
      budget,
    };
  }
}
