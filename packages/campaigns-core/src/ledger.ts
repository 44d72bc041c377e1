// The books of one run: what each chunk came to (results and errors by input position), the
// counters that progress and the outcome's stats report, and why the run stopped, if it did.
import type { RunItems } from './batch-operation.js';
import type { BudgetSnapshot } from './limiter.js';
import { ResultBook, type ChunkReport, type ErrorPayload, type MergedBatch } from './merge.js';
import type { RunStats, StopReason } from './outcome.js';
import type { ProgressEvent } from './progress.js';

/** Why a run stopped early, and the payload every item it then could not send gets. */
export interface RunStop {
  reason: StopReason;
  message: string;
  payload: ErrorPayload;
}

/**
 * One of the run's chunks: the positions `start` to `end` (exclusive) of the run's items. The
 * chunk loop books a part of one (positions) under it.
 */
export interface RunChunk {
  readonly start: number;
  readonly end: number;
}

export class RunLedger<R> {
  readonly stats: Omit<RunStats, 'durationMs' | 'mergeMs' | 'succeeded'>;
  /** Set once, by the first reason the run stopped for. */
  stop: RunStop | undefined;
  chunksDone = 0;
  idsDone = 0;
  succeeded = 0;
  /**
   * Each report is entered here as it comes and dropped: a 100,000-item run holds its results
   * once, by position, and no report, pair or key map per result until the merge.
   */
  private readonly book: ResultBook<R>;
  constructor(
    private readonly items: RunItems<unknown>,
    chunks: number,
    private readonly results: {
      onResults?: ((results: R[]) => void) | undefined;
      keepResults?: boolean | undefined;
    },
  ) {
    this.stats = {
      requests: 0,
      retries: 0,
      rateLimited: 0,
      chunks,
      isolationRequests: 0,
    };
    this.book = new ResultBook<R>(items.keys.length, results.keepResults !== false);
  }

  /**
   * Books what a chunk (or part of one) came to, handing its results to `onResults`. `chunk` is
   * the run's chunk the report's keys belong to.
   */
  report(chunk: RunChunk, r: ChunkReport<R>): void {
    const found = r.results;
    if (found.length > 0) this.results.onResults?.(found.map(([, value]) => value));
    const { keys } = this.items;
    // A chunk has at most 50 items: a scan finds a key's position without a map per run.
    this.book.record(r, (key) => {
      for (let p = chunk.start; p < chunk.end; p++) if (keys[p] === key) return p;
      return undefined;
    });
    this.idsDone += r.keys.length;
    this.succeeded += found.length;
  }

  /** Books the items at `positions` (of the run's `chunk`) as failed with `error`. */
  fail(chunk: RunChunk, positions: readonly number[], error: ErrorPayload): void {
    const keys = positions.map((p) => this.items.keys[p]!);
    this.report(chunk, { keys, results: [], errors: [{ keys, error }] });
  }

  /** The outcome's merged part, in input order (once, when every chunk is booked). */
  merge(
    fallback: { startedAt: string; completedAt: string },
    displayId?: (key: string) => string,
  ): MergedBatch<R> {
    return this.book.merge((position) => this.items.keys[position]!, fallback, displayId);
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
