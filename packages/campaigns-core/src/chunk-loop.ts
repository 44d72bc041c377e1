// One chunk's way through HubSpot: wait for a request slot and the rate budget, send, and act
// on what came back – book the answer, retry what is transient, isolate the bad items of a 400,
// stop the run on 401/403 or the daily limit – until every item of the chunk is booked.
import { setTimeout as wait } from 'node:timers/promises';
import { HubSpotApiError } from '@campaigns/hubspot-client';
import { backoffDelay, type RetryPolicy } from './backoff.js';
import type { BatchOperation, RunItems, RunnerItem, SentChunk } from './batch-operation.js';
import type { RateBudget, ServerStamps } from './budget.js';
import { bisect } from './chunk.js';
import { classifyFailure, describeFailure, mayHaveBeenApplied, type Failure } from './failure.js';
import { dropNamed } from './isolation.js';
import type { RunChunk, RunLedger } from './ledger.js';
import type { ChunkReport, ErrorPayload } from './merge.js';
import { CoreCategory, type StopReason } from './outcome.js';
import {
  apiErrorPayload,
  canceledPayload,
  corePayload,
  dailyPayload,
  exhaustedPayload,
  inFlightPayload,
  notSentAfterAuthPayload,
  standardErrorPayload,
  unexpectedPayload,
  type FailureText,
} from './payloads.js';
import type { RunEvent } from './progress.js';
import type { Semaphore } from './semaphore.js';
import type { ChunkTrace } from './tracing.js';

/** What every chunk of a run shares: set up by runBatch, used by the chunk loop. */
export interface RunContext<P, R> {
  op: BatchOperation<P, R>;
  /** The run's items; the chunk loop names them by position. */
  items: RunItems<P>;
  budget: RateBudget;
  policy: RetryPolicy;
  random: () => number;
  fairnessKey: string | undefined;
  deadlineMs: number | undefined;
  /** Caps the requests in flight for the run. */
  semaphore: Semaphore;
  ledger: RunLedger<R>;
  /** The caller's abort and the deadline: aborting it cancels requests in flight. */
  runSignal: AbortSignal;
  /** `runSignal`, or the run stopped itself (auth, daily limit): nothing more may be sent. */
  controlSignal: AbortSignal;
  /** Tells the caller (onEvent) and, when traced, the chunk's span (or the run's). */
  emit(event: RunEvent, chunkTrace?: ChunkTrace): void;
  /** Stops the run (the first reason wins): nothing more is sent. */
  stopRun(reason: StopReason, message: string, payload: ErrorPayload): void;
  /** Stops the run because the caller aborted or the deadline passed; returns which. */
  cancelRun(): StopReason;
}

/** A request slot and a grant of the rate budget for one attempt, or why there are none. */
type Admission =
  { release: () => void; grantedAt: number } | { stopped: true } | { error: unknown };

/** Waits for a request slot, then for the rate budget; the run may have stopped before. */
async function admit<P, R>(run: RunContext<P, R>): Promise<Admission> {
  if (run.ledger.stop || run.controlSignal.aborted) return { stopped: true };
  let release: (() => void) | undefined;
  try {
    release = await run.semaphore.acquire();
    return { release, grantedAt: await run.budget.acquire(run.controlSignal, run.fairnessKey) };
  } catch (error) {
    release?.();
    return { error };
  }
}

/**
 * Sends the run's `chunk` (or the `part` of it at those positions, being isolated) until all its
 * items are booked. The chunk's own coroutine starts once its first request may leave, and the
 * positions of a whole chunk are listed only then: a run queues its chunks ahead of their turn,
 * and a coroutine made then would sit in V8's old generation by the time its answer arrives,
 * keeping that answer (parsed results included) from dying young: a 100,000-item run promoted
 * nearly every answer it received.
 */
export function sendChunk<P, R>(
  run: RunContext<P, R>,
  chunk: RunChunk,
  part?: readonly number[],
  chunkTrace?: ChunkTrace,
  /** Called once the first admission is settled (a slot and a grant, or none): the next chunk may queue. */
  leftQueue?: () => void,
): Promise<void> {
  if ((part?.length ?? chunk.end - chunk.start) <= 0) {
    leftQueue?.();
    return Promise.resolve();
  }
  const waitStarted = chunkTrace ? performance.now() : 0;
  return admit(run).then((admission) => {
    leftQueue?.();
    return attempts(
      run,
      part ?? positionsOf(chunk),
      part !== undefined,
      chunkTrace,
      chunk,
      admission,
      waitStarted,
    );
  });
}

function positionsOf(chunk: RunChunk): number[] {
  const positions = new Array<number>(chunk.end - chunk.start);
  for (let p = chunk.start; p < chunk.end; p++) positions[p - chunk.start] = p;
  return positions;
}

async function attempts<P, R>(
  run: RunContext<P, R>,
  initial: readonly number[],
  isolating: boolean,
  chunkTrace: ChunkTrace | undefined,
  chunk: RunChunk,
  firstAdmission: Admission,
  firstWaitStarted: number,
): Promise<void> {
  const { op, budget, ledger, controlSignal, runSignal } = run;
  let current = initial;
  let attempt = 0;
  let lastFailure: FailureText | undefined;
  let next: Admission | undefined = firstAdmission;
  while (current.length > 0) {
    attempt++;
    const waitStarted = next ? firstWaitStarted : chunkTrace ? performance.now() : 0;
    const admission: Admission = next ?? (await admit(run));
    next = undefined;
    if ('stopped' in admission) return notSent(run, chunk, current, lastFailure);
    if ('error' in admission) {
      const failure = classifyFailure(admission.error);
      if (failure.kind === 'daily-limit') {
        run.stopRun('daily-limit', failure.error.message, dailyPayload(failure.error));
        return ledger.fail(chunk, current, ledger.stop!.payload);
      }
      return notSent(run, chunk, current, lastFailure);
    }
    const { release, grantedAt } = admission;

    chunkTrace?.waited(performance.now() - waitStarted);
    // The run may have stopped while the grant was on its way (or in a `request` listener):
    // then nothing leaves, the slot goes back, and the items are never-sent, not in flight.
    const unsent = () => {
      release();
      budget.answered(grantedAt, run.fairnessKey, 'not-sent');
      return notSent(run, chunk, current, lastFailure);
    };
    if (ledger.stop || controlSignal.aborted) return unsent();
    run.emit({ type: 'request', operation: op.name, size: current.length, attempt }, chunkTrace);
    if (ledger.stop || controlSignal.aborted) return unsent();
    ledger.stats.requests++;
    if (isolating) ledger.stats.isolationRequests++;
    const sentAt = Date.now();
    let sent: SentChunk<R> | undefined;
    let thrown: unknown;
    // A signal per request, linked to the run's for as long as the request lasts: fetch hangs
    // listeners on the signal it gets, and on the run's own they would pile up chunk after chunk.
    // Even where they are taken off again (the client's default transport), what a request hangs
    // on the run's signal, long in V8's old generation by then, was promoted with it: giving the
    // run's signal as it is measured 11 MB more old space at 100,000 updates.
    const requestAbort = new AbortController();
    const forward = () => requestAbort.abort(runSignal.reason);
    runSignal.addEventListener('abort', forward, { once: true });
    try {
      sent = await op.send(
        current.map((p) => run.items.payloads[p]!),
        requestAbort.signal,
      );
    } catch (error) {
      thrown = error;
    } finally {
      runSignal.removeEventListener('abort', forward);
      release();
      // Headers first, while the grant is still unanswered (see `RateBudget.observe`).
      // HubSpot answered it (a response, whatever its status) or not (timeout, broken connection).
      const rateLimit =
        sent?.rateLimit ?? (thrown instanceof HubSpotApiError ? thrown.rateLimit : undefined);
      if (rateLimit) budget.observe(rateLimit, grantedAt, run.fairnessKey);
      // HubSpot counted it by now at the latest: keep it in the budget's window from here.
      budget.answered(
        grantedAt,
        run.fairnessKey,
        sent ? 'succeeded' : 'failed',
        rateLimit ? measuredRoundTrip(sent, thrown, sentAt) : undefined,
        rateLimit ? serverStamps(sent) : undefined,
      );
    }
    const durationMs = Date.now() - sentAt;

    if (sent) {
      run.emit(
        {
          type: 'response',
          operation: op.name,
          size: current.length,
          status: sent.status,
          durationMs,
          errors: sent.errors.length,
        },
        chunkTrace,
      );
      return ledger.report(chunk, chunkReport(op, run.items, current, sent));
    }
    if (runSignal.aborted) return ledger.fail(chunk, current, inFlightPayload(run.cancelRun()));

    const failure = classifyFailure(thrown);
    run.emit(
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
        ledger.stats.rateLimited++;
        run.stopRun('daily-limit', failure.error.message, dailyPayload(failure.error));
        return ledger.fail(chunk, current, ledger.stop!.payload);
      case 'auth':
        run.stopRun('auth', failure.error.message, notSentAfterAuthPayload(failure.error));
        return ledger.fail(chunk, current, apiErrorPayload(failure.error));
      case 'validation': {
        const dropped = dropNamed(failure.error, current, run.items.keys);
        if (dropped) {
          ledger.report(chunk, dropped.report);
          if (dropped.rest.length > 0)
            run.emit(
              {
                type: 'isolate',
                operation: op.name,
                size: current.length,
                named: dropped.named,
                strategy: 'drop-named',
              },
              chunkTrace,
            );
          current = dropped.rest;
          attempt = 0;
          isolating = true;
          continue;
        }
        if (current.length === 1)
          return ledger.fail(chunk, current, apiErrorPayload(failure.error));
        run.emit(
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
          sendChunk(run, chunk, left, chunkTrace),
          sendChunk(run, chunk, right, chunkTrace),
        ]);
        return;
      }
      case 'rate-limited':
        ledger.stats.rateLimited++;
        budget.penalize(failure.retryAfterMs, grantedAt);
        run.emit(
          {
            type: 'rate-limited',
            operation: op.name,
            ...(failure.error.policyName ? { policyName: failure.error.policyName } : {}),
            ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
          },
          chunkTrace,
        );
        if (!willRetry(run, chunk, current, attempt, failure, 0, lastFailure.detail, chunkTrace))
          return;
        continue; // the budget itself waits out the pause
      case 'transient': {
        if (!op.idempotent && mayHaveBeenApplied(failure))
          return ledger.fail(chunk, current, mayHaveBeenAppliedPayload(op, attempt, failure));
        const delayMs = backoffDelay(attempt, run.policy, run.random);
        if (
          !willRetry(run, chunk, current, attempt, failure, delayMs, lastFailure.detail, chunkTrace)
        )
          return;
        try {
          await wait(delayMs, undefined, { signal: controlSignal });
        } catch {
          return notSent(run, chunk, current, lastFailure);
        }
        continue;
      }
      case 'rejected':
        return ledger.fail(chunk, current, apiErrorPayload(failure.error));
      case 'unexpected':
        return ledger.fail(chunk, current, unexpectedPayload(failure.error));
    }
  }
}

/** A request of an operation that is not idempotent, not sent again: it may have been applied. */
function mayHaveBeenAppliedPayload<P, R>(
  op: BatchOperation<P, R>,
  attempt: number,
  failure: Failure,
): ErrorPayload {
  const { summary, detail } = describeFailure(failure.error);
  return corePayload(
    CoreCategory.RETRIES_EXHAUSTED,
    `not retried after attempt ${attempt}: HubSpot may have applied this ${op.name} before the request failed (${summary}); check HubSpot before sending it again`,
    { detail, subCategory: 'NETWORK' },
  );
}

/** Books items the run could not send: it stopped (or is canceled now). */
function notSent<P, R>(
  run: RunContext<P, R>,
  chunk: RunChunk,
  items: readonly number[],
  lastFailure: FailureText | undefined,
): void {
  if (!run.ledger.stop) run.cancelRun();
  const { reason, payload } = run.ledger.stop!;
  const canceled = reason === 'deadline' || reason === 'aborted';
  run.ledger.fail(
    chunk,
    items,
    canceled && lastFailure ? canceledPayload(reason, run.deadlineMs, lastFailure) : payload,
  );
}

/** Counts and announces one more attempt, or books the items as out of attempts (false). */
function willRetry<P, R>(
  run: RunContext<P, R>,
  chunk: RunChunk,
  items: readonly number[],
  attempt: number,
  failure: Failure,
  delayMs: number,
  reason: string,
  chunkTrace?: ChunkTrace,
): boolean {
  if (attempt >= run.policy.maxAttempts) {
    run.ledger.fail(chunk, items, exhaustedPayload(attempt, failure));
    return false;
  }
  run.ledger.stats.retries++;
  run.emit(
    {
      type: 'retry',
      operation: run.op.name,
      size: items.length,
      attempt: attempt + 1,
      delayMs,
      reason,
    },
    chunkTrace,
  );
  return true;
}

/**
 * What a 2xx answer says of the items at `positions`: results paired by the operation (handed
 * `RunnerItem`s made here, which die with the answer), errors by `context.ids`.
 */
function chunkReport<P, R>(
  op: BatchOperation<P, R>,
  runItems: RunItems<P>,
  positions: readonly number[],
  sent: SentChunk<R>,
): ChunkReport<R> {
  const items: Array<RunnerItem<P>> = positions.map((p) => ({
    key: runItems.keys[p]!,
    payload: runItems.payloads[p]!,
  }));
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
 * How long an answered request took from leaving to its answer: as the client measured it (from
 * when the token was in hand), else from just before the send.
 */
function measuredRoundTrip(
  sent: SentChunk<unknown> | undefined,
  thrown: unknown,
  sentAt: number,
): number {
  const measured =
    sent?.roundTripMs ?? (thrown instanceof HubSpotApiError ? thrown.roundTripMs : undefined);
  return measured ?? Date.now() - sentAt;
}

/**
 * HubSpot's own startedAt and completedAt of a batch answer, in epoch ms of its clock, when it
 * has both and they parse (see the top of limiter.ts for what the budget makes of them).
 */
function serverStamps(sent: SentChunk<unknown> | undefined): ServerStamps | undefined {
  if (!sent?.startedAt || !sent.completedAt) return undefined;
  const startedAt = Date.parse(sent.startedAt);
  const completedAt = Date.parse(sent.completedAt);
  return Number.isFinite(startedAt) && Number.isFinite(completedAt)
    ? { startedAt, completedAt }
    : undefined;
}
