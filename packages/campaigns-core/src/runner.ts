// The generic batch engine behind update, read, create and archive: chunks of ≤50 under one
// shared rate budget, retries with backoff, isolation of bad items, and one merged outcome.
import { setMaxListeners } from 'node:events';
import type { Tracer } from '@opentelemetry/api';
import type { RateLimitInfo, StandardError } from '@campaigns/hubspot-client';
import { HubSpotApiError, HubSpotTokenError } from '@campaigns/hubspot-client';
import { backoffDelay, DEFAULT_RETRY_POLICY, sleep, type RetryPolicy } from './backoff.js';
import { bisect, chunk, HUBSPOT_BATCH_LIMIT } from './chunk.js';
import { classifyFailure, describeFailure, type Failure } from './failure.js';
import type { RateLimitBudget } from './limiter.js';
import { mergeBatchResponses, type ChunkReport, type ErrorPayload } from './merge.js';
import { CoreCategory, type BatchOutcome, type RunStats, type StopReason } from './outcome.js';
import type { RunEvent, RunHooks } from './progress.js';
import { Semaphore } from './semaphore.js';
import { traceRun, type ChunkTrace, type RunTrace } from './tracing.js';

export interface RunnerItem<P> {
  /** Identifies the item in the outcome (the campaign id, or `#index` for creates). */
  key: string;
  payload: P;
}

/** HubSpot's successful answer to one chunk (200, 201, 204 or 207). */
export interface SentChunk<R> {
  status: number;
  results: R[];
  errors: StandardError[];
  requestedAt?: string;
  startedAt?: string;
  completedAt?: string;
  links?: Record<string, string>;
  rateLimit: RateLimitInfo;
}

export interface BatchOperation<P, R> {
  /** `update`, `read`, `create`, `archive`: used in events and messages. */
  name: string;
  /** Sends one chunk. Rejects (HubSpotApiError, HubSpotNetworkError, abort) when it failed. */
  send(payloads: P[], signal: AbortSignal): Promise<SentChunk<R>>;
  /** Pairs the results of a chunk with the keys of its items. */
  match(items: ReadonlyArray<RunnerItem<P>>, results: R[]): Array<[string, R]>;
}

export interface RunOptions<R = unknown> extends RunHooks {
  /** Items per request, 1–50. Default 50. */
  chunkSize?: number;
  /** Requests in flight at once for this run. Default 10. */
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
}

const DEFAULT_CONCURRENCY = 10;

/** Marker reason for the internal stop controller (auth failure or daily limit). */
const STOP = Symbol('stop');

export async function runBatch<P, R>(
  op: BatchOperation<P, R>,
  items: ReadonlyArray<RunnerItem<P>>,
  budget: RateLimitBudget,
  options: RunOptions<R> = {},
  displayId: (key: string) => string = (key) => key,
): Promise<BatchOutcome<R>> {
  const tracer = options.tracer;
  if (!tracer) return execute(op, items, budget, options, displayId);
  return traceRun(tracer, op.name, items.length, (runTrace) =>
    execute(op, items, budget, options, displayId, runTrace),
  );
}

async function execute<P, R>(
  op: BatchOperation<P, R>,
  items: ReadonlyArray<RunnerItem<P>>,
  budget: RateLimitBudget,
  options: RunOptions<R>,
  displayId: (key: string) => string,
  runTrace?: RunTrace,
): Promise<BatchOutcome<R>> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a positive integer, got ${policy.maxAttempts}`);
  }
  const chunkSize = options.chunkSize ?? HUBSPOT_BATCH_LIMIT;
  const chunks = chunk(items, chunkSize);
  const random = options.random ?? Math.random;
  /** Tells the caller (onEvent) and, when traced, the chunk's span (or the run's). */
  const emit = (event: RunEvent, chunkTrace?: ChunkTrace) => {
    options.onEvent?.(event);
    (chunkTrace ?? runTrace)?.record(event);
  };

  const started = Date.now();
  const deadline =
    options.deadlineMs !== undefined ? AbortSignal.timeout(options.deadlineMs) : undefined;
  const runSignal = anySignal([options.signal, deadline]);
  const stopController = new AbortController();
  const controlSignal = anySignal([runSignal, stopController.signal]);
  // One listener per request in flight and per waiter on the budget: more than 10 is not a leak.
  setMaxListeners(0, runSignal, controlSignal);
  const semaphore = new Semaphore(options.maxConcurrency ?? DEFAULT_CONCURRENCY, controlSignal);

  const stats: Omit<RunStats, 'durationMs' | 'mergeMs' | 'succeeded'> = {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    chunks: chunks.length,
    isolationRequests: 0,
  };
  const reports: ChunkReport<R>[] = [];
  let stop: { reason: StopReason; message: string; payload: ErrorPayload } | undefined;
  let chunksDone = 0;
  let idsDone = 0;
  let succeeded = 0;

  const report = (r: ChunkReport<R>) => {
    const found = r.results;
    if (found.length > 0) options.onResults?.(found.map(([, value]) => value));
    reports.push(
      options.keepResults === false && found.length > 0
        ? { ...r, results: [], succeeded: found.map(([key]) => key) }
        : r,
    );
    idsDone += r.keys.length;
    succeeded += found.length;
  };
  const fail = (chunkItems: ReadonlyArray<RunnerItem<P>>, error: ErrorPayload) =>
    report({
      keys: chunkItems.map((i) => i.key),
      results: [],
      errors: [{ keys: chunkItems.map((i) => i.key), error }],
    });

  const stopRun = (reason: StopReason, message: string, payload: ErrorPayload) => {
    if (stop) return;
    stop = { reason, message, payload };
    emit({ type: 'stop', operation: op.name, reason, message });
    stopController.abort(STOP);
  };

  /** Why a chunk could not be sent: an earlier stop, the deadline or the caller's abort. */
  /** Stops the run because the caller aborted or the deadline passed; returns which. */
  const cancelRun = (): StopReason => {
    const reason: StopReason = deadline?.aborted ? 'deadline' : 'aborted';
    const message =
      reason === 'deadline'
        ? `deadline of ${options.deadlineMs} ms passed`
        : 'the run was canceled';
    stopRun(reason, message, canceledPayload(reason, options.deadlineMs));
    return reason;
  };

  const notSent = (chunkItems: ReadonlyArray<RunnerItem<P>>, lastFailure?: FailureText) => {
    if (!stop) cancelRun();
    const { reason, payload } = stop!;
    const canceled = reason === 'deadline' || reason === 'aborted';
    fail(
      chunkItems,
      canceled && lastFailure ? canceledPayload(reason, options.deadlineMs, lastFailure) : payload,
    );
  };

  /** Counts and announces one more attempt, or reports the chunk as out of attempts (false). */
  const willRetry = (
    chunkItems: ReadonlyArray<RunnerItem<P>>,
    attempt: number,
    failure: Failure,
    delayMs: number,
    reason: string,
    chunkTrace?: ChunkTrace,
  ): boolean => {
    if (attempt >= policy.maxAttempts) {
      fail(chunkItems, exhaustedPayload(attempt, failure));
      return false;
    }
    stats.retries++;
    emit(
      {
        type: 'retry',
        operation: op.name,
        size: chunkItems.length,
        attempt: attempt + 1,
        delayMs,
        reason,
      },
      chunkTrace,
    );
    return true;
  };

  async function processChunk(
    initial: ReadonlyArray<RunnerItem<P>>,
    isolating: boolean,
    chunkTrace?: ChunkTrace,
  ): Promise<void> {
    let current = initial;
    let attempt = 0;
    let lastFailure: FailureText | undefined;
    while (current.length > 0) {
      attempt++;
      if (stop || controlSignal.aborted) return notSent(current, lastFailure);
      const waitStarted = chunkTrace ? performance.now() : 0;
      let release: (() => void) | undefined;
      let grantedAt: number;
      try {
        release = await semaphore.acquire();
        grantedAt = await budget.acquire(controlSignal, options.fairnessKey);
      } catch (error) {
        release?.();
        const failure = classifyFailure(error);
        if (failure.kind === 'daily-limit') {
          stopRun('daily-limit', failure.error.message, dailyPayload(failure.error));
          return fail(current, stop!.payload);
        }
        return notSent(current, lastFailure);
      }

      chunkTrace?.waited(performance.now() - waitStarted);
      stats.requests++;
      if (isolating) stats.isolationRequests++;
      emit({ type: 'request', operation: op.name, size: current.length, attempt }, chunkTrace);
      const sentAt = Date.now();
      let sent: SentChunk<R> | undefined;
      let thrown: unknown;
      // A signal per request, linked to the run's for as long as the request lasts: fetch hangs
      // listeners on the signal it gets, and on the run's own they would pile up chunk after chunk.
      const requestAbort = new AbortController();
      const forward = () => requestAbort.abort(runSignal.reason);
      runSignal.addEventListener('abort', forward, { once: true });
      if (runSignal.aborted) forward(); // aborted between the check above and now
      try {
        sent = await op.send(
          current.map((i) => i.payload),
          requestAbort.signal,
        );
      } catch (error) {
        thrown = error;
      } finally {
        runSignal.removeEventListener('abort', forward);
        release();
        // HubSpot counted it by now at the latest: keep it in the budget's window from here.
        budget.answered(grantedAt, options.fairnessKey);
      }
      const durationMs = Date.now() - sentAt;

      if (sent) {
        budget.observe(sent.rateLimit);
        emit(
          {
            type: 'response',
            operation: op.name,
            size: current.length,
            status: sent.status,
            durationMs,
          },
          chunkTrace,
        );
        return report(chunkReport(op, current, sent));
      }
      if (runSignal.aborted) {
        return fail(current, inFlightPayload(cancelRun()));
      }

      const failure = classifyFailure(thrown);
      if (failure.error instanceof HubSpotApiError) budget.observe(failure.error.rateLimit);
      emit(
        {
          type: 'request-failed',
          operation: op.name,
          size: current.length,
          ...(failure.error instanceof HubSpotApiError ? { status: failure.error.status } : {}),
          kind: failure.kind,
          durationMs,
          message: failure.error instanceof Error ? failure.error.message : String(failure.error),
        },
        chunkTrace,
      );
      lastFailure = describeFailure(failure.error);

      switch (failure.kind) {
        case 'daily-limit':
          budget.exhaust(failure.resetsAt);
          stats.rateLimited++;
          stopRun('daily-limit', failure.error.message, dailyPayload(failure.error));
          return fail(current, stop!.payload);
        case 'auth':
          stopRun('auth', failure.error.message, notSentAfterAuthPayload(failure.error));
          return fail(current, apiErrorPayload(failure.error));
        case 'validation': {
          const named = namedKeys(failure.error, current);
          if (named.size > 0) {
            const rest = current.filter((i) => !named.has(i.key));
            report({
              keys: current.filter((i) => named.has(i.key)).map((i) => i.key),
              results: [],
              errors: [...named].map(([key, error]) => ({ keys: [key], error })),
            });
            if (rest.length > 0)
              emit(
                {
                  type: 'isolate',
                  operation: op.name,
                  size: current.length,
                  named: named.size,
                  strategy: 'drop-named',
                },
                chunkTrace,
              );
            current = rest;
            attempt = 0;
            isolating = true;
            continue;
          }
          if (current.length === 1) return fail(current, apiErrorPayload(failure.error));
          emit(
            {
              type: 'isolate',
              operation: op.name,
              size: current.length,
              named: 0,
              strategy: 'bisect',
            },
            chunkTrace,
          );
          const [left, right] = bisect(current);
          await Promise.all([
            processChunk(left, true, chunkTrace),
            processChunk(right, true, chunkTrace),
          ]);
          return;
        }
        case 'rate-limited':
          stats.rateLimited++;
          budget.penalize(failure.retryAfterMs);
          emit(
            {
              type: 'rate-limited',
              operation: op.name,
              ...(failure.error.policyName ? { policyName: failure.error.policyName } : {}),
              ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
            },
            chunkTrace,
          );
          if (!willRetry(current, attempt, failure, 0, lastFailure.detail, chunkTrace)) return;
          continue; // the budget itself waits out the pause
        case 'transient': {
          const delayMs = backoffDelay(attempt, policy, random);
          if (!willRetry(current, attempt, failure, delayMs, lastFailure.detail, chunkTrace))
            return;
          try {
            await sleep(delayMs, controlSignal);
          } catch {
            return notSent(current, lastFailure);
          }
          continue;
        }
        case 'rejected':
          return fail(current, apiErrorPayload(failure.error));
        case 'unexpected':
          return fail(current, unexpectedPayload(failure.error));
      }
    }
  }

  await Promise.all(
    chunks.map(async (c, index) => {
      await (runTrace
        ? runTrace.chunk(index, c.length, (chunkTrace) => processChunk(c, false, chunkTrace))
        : processChunk(c, false));
      chunksDone++;
      options.onProgress?.({
        operation: op.name,
        chunksDone,
        chunksTotal: chunks.length,
        idsDone,
        idsTotal: items.length,
        succeeded,
        failed: idsDone - succeeded,
        requests: stats.requests,
        retries: stats.retries,
        budget: budget.snapshot(),
      });
    }),
  );

  const completed = Date.now();
  const mergeStarted = performance.now();
  const merged = mergeBatchResponses(
    items.map((i) => i.key),
    reports,
    { startedAt: new Date(started).toISOString(), completedAt: new Date(completed).toISOString() },
    displayId,
  );
  return {
    status: stop ? 'CANCELED' : 'COMPLETE',
    ...merged,
    ...(stop ? { stopReason: stop.reason } : {}),
    stats: {
      ...stats,
      succeeded: items.length - merged.numErrors,
      durationMs: completed - started,
      mergeMs: performance.now() - mergeStarted,
    },
  };
}

function chunkReport<P, R>(
  op: BatchOperation<P, R>,
  items: ReadonlyArray<RunnerItem<P>>,
  sent: SentChunk<R>,
): ChunkReport<R> {
  const keys = new Set(items.map((i) => i.key));
  const errors = sent.errors.map((error) => ({
    keys: (error.context?.ids ?? []).filter((id) => keys.has(id)),
    error: standardErrorPayload(error, sent.status),
  }));
  return {
    keys: [...keys],
    results: op.match(items, sent.results),
    errors: errors.filter((e) => e.keys.length > 0),
    ...(sent.requestedAt ? { requestedAt: sent.requestedAt } : {}),
    ...(sent.startedAt ? { startedAt: sent.startedAt } : {}),
    ...(sent.completedAt ? { completedAt: sent.completedAt } : {}),
    ...(sent.links ? { links: sent.links } : {}),
  };
}

/**
 * Keys a 400 names, each with the detail that names it: ids in `errors[].context`
 * (`ids`, `id`, `objectId`, `campaignGuid`), in the top-level context, or quoted in a message.
 */
export function namedKeys<P>(
  error: HubSpotApiError,
  items: ReadonlyArray<RunnerItem<P>>,
): Map<string, ErrorPayload> {
  const keys = new Set(items.map((i) => i.key));
  const named = new Map<string, ErrorPayload>();
  const body = typeof error.body === 'object' && error.body !== null ? error.body : undefined;
  const base = apiErrorPayload(error);
  const idsIn = (context: Record<string, unknown> | undefined, message: string | undefined) => {
    const found = new Set<string>();
    for (const field of ['ids', 'id', 'objectId', 'objectIds', 'campaignGuid', 'campaignGuids']) {
      const value = context?.[field];
      for (const v of Array.isArray(value) ? value : value !== undefined ? [value] : []) {
        if (typeof v === 'string' && keys.has(v)) found.add(v);
      }
    }
    if (message)
      for (const key of keys) if (key.length >= 8 && message.includes(key)) found.add(key);
    return found;
  };
  for (const detail of body?.errors ?? []) {
    for (const key of idsIn(detail.context, detail.message)) {
      if (!named.has(key))
        named.set(key, {
          ...base,
          message: detail.message || base.message,
          errors: [detail],
          context: { ...(detail.context ?? {}) },
        });
    }
  }
  for (const key of idsIn(body?.context, body?.message)) if (!named.has(key)) named.set(key, base);
  return named;
}

function standardErrorPayload(error: StandardError, httpStatus: number): ErrorPayload {
  const { subCategory, ...rest } = error;
  return {
    ...rest,
    errors: error.errors ?? [],
    context: { ...(error.context ?? {}) },
    links: error.links ?? {},
    httpStatus,
    ...(typeof subCategory === 'string' ? { subCategory } : {}),
  };
}

/** A failure's two texts: `summary` for the outcome's message, `detail` for logs. */
type FailureText = ReturnType<typeof describeFailure>;

function apiErrorPayload(error: HubSpotApiError): ErrorPayload {
  const body = typeof error.body === 'object' && error.body !== null ? error.body : undefined;
  return {
    status: 'error',
    category: error.category ?? `HTTP_${error.status}`,
    ...(error.subCategory ? { subCategory: error.subCategory } : {}),
    // HubSpot's own JSON message, else the summary: never the path or a non-JSON body.
    message: typeof body?.message === 'string' && body.message ? body.message : error.summary,
    detail: describeFailure(error).detail,
    errors: body?.errors ?? [],
    context: { ...(body?.context ?? {}) },
    links: body?.links ?? {},
    httpStatus: error.status,
    ...(error.correlationId ? { correlationId: error.correlationId } : {}),
  };
}

/** An error of the core's own making: HubSpot's StandardError shape with empty details. */
function corePayload(
  category: string,
  message: string,
  extra: Partial<ErrorPayload> = {},
): ErrorPayload {
  return { status: 'error', category, message, errors: [], context: {}, links: {}, ...extra };
}

function exhaustedPayload(attempts: number, failure: Failure): ErrorPayload {
  const error = failure.error;
  const api = error instanceof HubSpotApiError ? error : undefined;
  const { summary, detail } = describeFailure(error);
  return corePayload(
    CoreCategory.RETRIES_EXHAUSTED,
    `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}; last failure: ${summary}`,
    {
      detail,
      subCategory: api
        ? (api.category ?? `HTTP_${api.status}`)
        : error instanceof HubSpotTokenError
          ? 'TOKEN'
          : 'NETWORK',
      ...(api ? { httpStatus: api.status } : {}),
      ...(api?.correlationId ? { correlationId: api.correlationId } : {}),
    },
  );
}

function dailyPayload(error: unknown): ErrorPayload {
  const api = error instanceof HubSpotApiError ? error : undefined;
  const { summary, detail } = describeFailure(error);
  return corePayload(CoreCategory.DAILY_LIMIT_REACHED, `not sent: ${summary}`, {
    detail,
    ...(api ? { httpStatus: api.status } : {}),
    ...(api?.correlationId ? { correlationId: api.correlationId } : {}),
  });
}

function notSentAfterAuthPayload(error: HubSpotApiError): ErrorPayload {
  return corePayload(
    CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE,
    `not sent: the run stopped when HubSpot refused the credentials (${error.status} ${error.category ?? ''})`.trim(),
    { subCategory: error.category ?? `HTTP_${error.status}` },
  );
}

function canceledPayload(
  reason: StopReason,
  deadlineMs?: number,
  lastFailure?: FailureText,
): ErrorPayload {
  const why =
    reason === 'deadline' ? `the deadline of ${deadlineMs} ms passed` : 'the run was canceled';
  return corePayload(
    CoreCategory.CANCELED,
    `never sent: ${why}${lastFailure ? ` (an earlier attempt failed: ${lastFailure.summary})` : ''}`,
    lastFailure ? { detail: lastFailure.detail } : {},
  );
}

function inFlightPayload(reason: StopReason): ErrorPayload {
  return corePayload(
    CoreCategory.CANCELED_IN_FLIGHT,
    `${reason === 'deadline' ? 'the deadline passed' : 'the run was canceled'} while this request was in flight: HubSpot may or may not have applied it`,
  );
}

function unexpectedPayload(error: unknown): ErrorPayload {
  const { summary, detail } = describeFailure(error);
  return corePayload(CoreCategory.UNEXPECTED_ERROR, summary, { detail });
}

function anySignal(signals: Array<AbortSignal | undefined>): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return new AbortController().signal;
  if (present.length === 1) return present[0]!;
  return AbortSignal.any(present);
}
