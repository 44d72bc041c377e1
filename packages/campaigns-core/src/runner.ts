// runBatch: one run of a batch operation over any number of items. It splits the items into
// chunks of ≤50, lets the chunk loop send each under the shared rate budget (retries, isolation
// of bad items), and merges what every chunk came to into one outcome.
import { setMaxListeners } from 'node:events';
import type { Tracer } from '@opentelemetry/api';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import type { BatchOperation, RunItems, RunnerItem } from './batch-operation.js';
import type { RateBudget } from './budget.js';
import { checkChunkSize, HUBSPOT_BATCH_LIMIT } from './chunk.js';
import { sendChunk, type RunContext } from './chunk-loop.js';
import { RunLedger, type RunChunk } from './ledger.js';
import type { BatchOutcome, StopReason } from './outcome.js';
import { canceledPayload } from './payloads.js';
import type { RunEvent, RunHooks } from './progress.js';
import { Semaphore } from './semaphore.js';
import { traceRun, type ChunkTrace, type RunTrace } from './tracing.js';

export interface RunOptions<R = unknown> extends RunHooks {
  /** Items per request, 1–50. Default 50. */
  chunkSize?: number;
  /** Requests in flight at once for this run. Default `DEFAULT_MAX_CONCURRENCY` (50). */
  maxConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Give up on what is not done after this many ms: the outcome is CANCELED. */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** Random source for backoff jitter, for tests. */
  random?: () => number;
  /**
   * Called with each chunk's results as they arrive (in that chunk's input order), e.g. to write
   * them out as a long run goes on.
   */
  onResults?: (results: R[]) => void;
  /**
   * Keep every result in the outcome (default true). `false` leaves `outcome.results` empty: a
   * script updating millions of campaigns takes them from `onResults` and holds none. Errors,
   * counts and the accounting of every id stay the same.
   */
  keepResults?: boolean;
  /**
   * OpenTelemetry tracer: a span for the run (child of the active context), one per chunk, and
   * 429s, retries, waits and isolation as the chunk's events. Without one no tracing code runs.
   */
  tracer?: Tracer;
  /**
   * Whom this run is for (a caller's subject, a tenant, a job's owner): runs with different keys
   * take turns on the shared rate budget, runs with the same key share one turn. Default: one key
   * for every run, i.e. first come, first served. See the README's "Fair turns".
   */
  fairnessKey?: string;
  /** How an item's key is named in the outcome's errors (`ids`). Default: the key itself. */
  displayId?: (key: string) => string;
}

/**
 * Requests in flight per run by default: enough that the rate budget, not the number in flight,
 * paces a run at HubSpot's highest published limit (190 per 10 s at 80–200 ms a request: a
 * window's worth goes out in about half a second), so each window begins at full speed.
 */
export const DEFAULT_MAX_CONCURRENCY = 50;

/** Marker reason for the internal stop controller (auth failure or daily limit). */
const STOP = Symbol('stop');

/**
 * Runs `op` over `items` under `budget` (share a budget between runs by passing the same one)
 * and returns one outcome that names every item's key once.
 */
export async function runBatch<P, R>(
  op: BatchOperation<P, R>,
  items: ReadonlyArray<RunnerItem<P>>,
  budget: RateBudget,
  options: RunOptions<R> = {},
): Promise<BatchOutcome<R>> {
  return runItems(
    op,
    { keys: items.map((i) => i.key), payloads: items.map((i) => i.payload) },
    budget,
    options,
  );
}

/** {@link runBatch} over items held by position (what the operations pass: no object per item). */
export async function runItems<P, R>(
  op: BatchOperation<P, R>,
  items: RunItems<P>,
  budget: RateBudget,
  options: RunOptions<R> = {},
): Promise<BatchOutcome<R>> {
  const tracer = options.tracer;
  if (!tracer) return execute(op, items, budget, options);
  return traceRun(tracer, op.name, items.keys.length, (runTrace) =>
    execute(op, items, budget, options, runTrace),
  );
}

async function execute<P, R>(
  op: BatchOperation<P, R>,
  items: RunItems<P>,
  budget: RateBudget,
  options: RunOptions<R>,
  runTrace?: RunTrace,
): Promise<BatchOutcome<R>> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a positive integer, got ${policy.maxAttempts}`);
  }
  const chunkSize = options.chunkSize ?? HUBSPOT_BATCH_LIMIT;
  checkChunkSize(chunkSize);
  const total = items.keys.length;
  const chunkCount = Math.ceil(total / chunkSize);

  const started = Date.now();
  const deadline =
    options.deadlineMs !== undefined ? AbortSignal.timeout(options.deadlineMs) : undefined;
  const runSignal = anySignal([options.signal, deadline]);
  const stopController = new AbortController();
  const controlSignal = anySignal([runSignal, stopController.signal]);
  // One listener per request in flight and per waiter on the budget: more than 10 is not a leak.
  setMaxListeners(0, runSignal, controlSignal);

  const ledger = new RunLedger<R>(items, chunkCount, options);
  const run: RunContext<P, R> = {
    op,
    items,
    budget,
    policy,
    random: options.random ?? Math.random,
    fairnessKey: options.fairnessKey,
    deadlineMs: options.deadlineMs,
    semaphore: new Semaphore(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY, controlSignal),
    ledger,
    runSignal,
    controlSignal,
    emit(event: RunEvent, chunkTrace?: ChunkTrace) {
      options.onEvent?.(event);
      (chunkTrace ?? runTrace)?.record(event);
    },
    stopRun(reason, message, payload) {
      if (!ledger.stopWith({ reason, message, payload })) return;
      run.emit({ type: 'stop', operation: op.name, reason, message });
      stopController.abort(STOP);
    },
    cancelRun() {
      const reason: StopReason = deadline?.aborted ? 'deadline' : 'aborted';
      const message =
        reason === 'deadline'
          ? `deadline of ${options.deadlineMs} ms passed`
          : 'the run was canceled';
      run.stopRun(reason, message, canceledPayload(reason, options.deadlineMs));
      return reason;
    },
  };

  // Chunks are queued in order, but no more at once than the run has request slots: the next one
  // is queued as one leaves the queue (admitted, or not sent), so a slot that frees always has a
  // chunk waiting for it. A 100,000-item run queued all its 2,000 chunks at the start, each with
  // its coroutine, promises and waiter held (and promoted to V8's old generation) until its turn.
  const waiting = run.semaphore.limit;
  await new Promise<void>((resolve, reject) => {
    let queued = 0;
    const queueNext = (): void => {
      if (queued >= chunkCount) return;
      const index = queued++;
      const c: RunChunk = {
        start: index * chunkSize,
        end: Math.min(total, (index + 1) * chunkSize),
      };
      (runTrace
        ? runTrace.chunk(index, c.end - c.start, (chunkTrace) =>
            sendChunk(run, c, undefined, chunkTrace, queueNext),
          )
        : sendChunk(run, c, undefined, undefined, queueNext)
      )
        .then(() => {
          ledger.chunksDone++;
          // A caller's onProgress that throws fails the run, as any other error of a chunk does.
          options.onProgress?.(ledger.progress(op.name, total, budget.snapshot()));
          if (ledger.chunksDone === chunkCount) resolve();
        })
        .catch(reject);
    };
    if (chunkCount === 0) resolve();
    for (let i = 0; i < Math.min(waiting, chunkCount); i++) queueNext();
  });

  const completed = Date.now();
  const mergeStarted = performance.now();
  const merged = ledger.merge(
    { startedAt: new Date(started).toISOString(), completedAt: new Date(completed).toISOString() },
    options.displayId,
  );
  const stop = ledger.stop;
  return {
    status: stop ? 'CANCELED' : 'COMPLETE',
    ...merged,
    ...(stop ? { stopReason: stop.reason } : {}),
    stats: {
      ...ledger.stats,
      succeeded: total - merged.numErrors,
      durationMs: completed - started,
      mergeMs: performance.now() - mergeStarted,
    },
  };
}

function anySignal(signals: Array<AbortSignal | undefined>): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return new AbortController().signal;
  if (present.length === 1) return present[0]!;
  return AbortSignal.any(present);
}
