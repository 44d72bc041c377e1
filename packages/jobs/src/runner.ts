// One job on a worker: the ids without an answer yet go to the engine chunk by chunk, and every
// chunk's answers are stored as soon as the engine has them (the checkpoint). A worker that dies
// loses only the chunks it had in flight; the next one starts from what is stored.
import {
  CoreCategory,
  HUBSPOT_BATCH_LIMIT,
  updateCampaigns,
  type CampaignBatchOutcome,
  type StopReason,
  type UpdateInput,
  type UpdatedCampaign,
} from '@campaigns/core';
import { corePayload } from '@campaigns/core/internal';
import { groupErrors } from './error-groups.js';
import { progressOf, type Answer, type ErrorPayload, type JobStore } from './store.js';
import type { JobEvent, JobProgress, RunningJob, WorkerOptions } from './types.js';

/** Why a run gave a job back without ending it: the next worker resumes it. */
export type InterruptReason = 'shutdown' | 'lock-lost';

export type RunEnd = 'ended' | 'skipped' | { interrupted: InterruptReason };

export interface RunnerDeps {
  store: JobStore;
  worker: WorkerOptions;
  retentionMs: number;
  onEvent: (event: JobEvent) => void;
  onError: (error: unknown) => void;
}

/** Positions scanned per read of the pending ids. */
const PENDING_PAGE = 1_000;

/** What ids never handed to the engine get when a job is canceled. */
export const canceledPayload = (): ErrorPayload =>
  corePayload(CoreCategory.CANCELED, 'never sent: the job was canceled');

/** What the ids a job never ran get when it failed for good (its worker kept dying, a bug). */
export const failedPayload = (why: string): ErrorPayload =>
  corePayload(CoreCategory.UNEXPECTED_ERROR, `never sent: the job failed (${why})`);

/**
 * The engine's answer for each id of a chunk. Errors lose their `ids` (and `context.ids`, which
 * repeats them): the merge puts them back, grouped over the whole job.
 */
function answersOf(outcome: CampaignBatchOutcome<UpdatedCampaign>): Array<[string, Answer]> {
  const answers: Array<[string, Answer]> = outcome.results.map((result) => [result.id, { result }]);
  for (const { ids, context, ...rest } of outcome.errors) {
    const { ids: _ids, ...otherContext } = context ?? {};
    const error: ErrorPayload = { ...rest, context: otherContext };
    for (const id of ids) answers.push([id, { error }]);
  }
  return answers;
}

/** Why the rest of a job is not sent after the engine stopped a chunk for good. */
function stopOf(
  outcome: CampaignBatchOutcome<UpdatedCampaign>,
): { reason: StopReason; payload: ErrorPayload } | undefined {
  if (outcome.stopReason === 'daily-limit') {
    const daily = outcome.errors.find((e) => e.category === CoreCategory.DAILY_LIMIT_REACHED);
    const { ids: _ids, ...payload } = daily ?? {
      ids: [],
      ...corePayload(
        CoreCategory.DAILY_LIMIT_REACHED,
        "not sent: HubSpot's daily request limit is used up",
      ),
    };
    return { reason: 'daily-limit', payload: { ...payload, context: {} } };
  }
  if (outcome.stopReason === 'auth') {
    const refused = outcome.errors.find((e) => e.httpStatus === 401 || e.httpStatus === 403);
    return {
      reason: 'auth',
      payload: corePayload(
        CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE,
        `not sent: the job stopped when HubSpot refused the credentials${refused ? ` (${refused.httpStatus} ${refused.category})` : ''}`,
        refused ? { subCategory: refused.category } : {},
      ),
    };
  }
  return undefined;
}

/**
 * Runs (or resumes) job `id` until it ends, or until `interrupt` aborts: then no chunk starts
 * (`lock-lost` also aborts those in flight; `shutdown` lets them finish), what is final is
 * stored, and the job is left for the next worker.
 * Throws when the store fails (the queue retries the job).
 */
export async function runJob(
  deps: RunnerDeps,
  id: string,
  interrupt: AbortSignal,
): Promise<RunEnd> {
  const { store, worker } = deps;
  const claim = await store.claim(id, new Date().toISOString());
  if (claim.kind === 'skip') return 'skipped';
  const job: RunningJob = { id, owner: claim.job.owner };
  // PENDING → PROCESSING is news for whoever watches.
  await store.publish(progressOf(claim.job)).catch(deps.onError);

  const cancel = new AbortController();
  const stopWatching = await store.onCancel((canceled) => {
    if (canceled === id) cancel.abort();
  });
  if (claim.job.cancelRequested) cancel.abort();
  // Pub/sub can miss a message (a reconnect): ask the store too, now and then.
  const poll = setInterval(() => {
    store.cancelRequested(id).then(
      (asked) => asked && cancel.abort(),
      () => {},
    );
  }, worker.cancelPollMs ?? 500);
  // What stops the engine mid-chunk: a cancel, or a lost lock (another worker has the job now).
  // A shutdown only stops new chunks: those in flight finish and are stored, so nothing is sent
  // twice when the next worker takes over.
  const lockLost = new AbortController();
  const onInterrupt = () => {
    if (interrupt.reason === 'lock-lost') lockLost.abort();
  };
  if (interrupt.aborted) onInterrupt();
  else interrupt.addEventListener('abort', onInterrupt, { once: true });
  const signal = AbortSignal.any([cancel.signal, lockLost.signal]);

  let stop: { reason: StopReason; payload: ErrorPayload } | undefined;
  let failure: { error: unknown } | undefined;
  let gone = false;
  /** `job-started` was announced: the run must announce how it stopped too. */
  let started = false;
  const stopped = () =>
    signal.aborted || interrupt.aborted || stop !== undefined || failure !== undefined || gone;
  const inFlight = new Set<Promise<void>>();

  try {
    const client = worker.client(job);
    const budget = worker.budget(job);
    const onRunEvent = worker.onRunEvent;
    const chunkConcurrency = Math.max(1, worker.chunkConcurrency ?? 8);

    const runChunk = async (updates: UpdateInput[]) => {
      try {
        const outcome = await updateCampaigns(client, updates, {
          budget,
          signal,
          fairnessKey: job.owner,
          ...(onRunEvent ? { onEvent: (event) => onRunEvent(event, job) } : {}),
        });
        let answers = answersOf(outcome);
        // The lock was lost: what the engine calls canceled is not final; the next worker
        // sends it.
        if (lockLost.signal.aborted)
          answers = answers.filter(
            ([, a]) => !('error' in a) || !CANCELED_CATEGORIES.has(a.error.category),
          );
        stop ??= stopOf(outcome);
        const progress = await store.record(id, answers);
        if (!progress) gone = true;
        else await store.publish(progress).catch(deps.onError);
      } catch (error) {
        failure ??= { error };
      }
    };

    const launch = async (updates: UpdateInput[]) => {
      while (inFlight.size >= chunkConcurrency) await Promise.race(inFlight);
      if (stopped()) return;
      const running: Promise<void> = runChunk(updates).finally(() => inFlight.delete(running));
      inFlight.add(running);
    };

    deps.onEvent({
      type: 'job-started',
      id,
      owner: job.owner,
      resumed: claim.resumed,
      pending: claim.job.total - claim.job.done,
    });
    started = true;
    let batch: UpdateInput[] = [];
    for (let from: number | undefined = 0; from !== undefined && !stopped();) {
      const page: Awaited<ReturnType<JobStore['pending']>> = await store.pending(
        id,
        from,
        PENDING_PAGE,
      );
      from = page.next;
      for (const { update } of page.updates) {
        batch.push(update);
        if (batch.length < HUBSPOT_BATCH_LIMIT) continue;
        await launch(batch);
        batch = [];
        if (stopped()) break;
      }
    }
    if (batch.length > 0 && !stopped()) await launch(batch);
    await Promise.all(inFlight);
  } catch (error) {
    failure ??= { error };
    await Promise.allSettled(inFlight);
  } finally {
    clearInterval(poll);
    interrupt.removeEventListener('abort', onInterrupt);
    await stopWatching().catch(() => {});
  }

  /** Announces a run that stops without this run ending the job (so gauges come back down). */
  const left = (reason: 'error' | 'ended-elsewhere') => {
    if (started) deps.onEvent({ type: 'job-interrupted', id, owner: job.owner, reason });
  };
  if (failure) {
    left('error');
    throw failure.error;
  }
  if (interrupt.aborted) {
    const reason: InterruptReason = interrupt.reason === 'lock-lost' ? 'lock-lost' : 'shutdown';
    deps.onEvent({ type: 'job-interrupted', id, owner: job.owner, reason });
    return { interrupted: reason };
  }
  if (gone) {
    left('ended-elsewhere');
    return 'skipped';
  }
  let announced: boolean;
  try {
    // A cancel that came after the last answers were stored has nothing left to cancel: the job
    // ends COMPLETE, unless some of its ids were canceled.
    if (cancel.signal.aborted)
      announced = await endJob(deps, id, 'CANCELED', 'aborted', canceledPayload(), {
        completeIfNothingCanceled: true,
      });
    else if (stop) announced = await endJob(deps, id, 'CANCELED', stop.reason, stop.payload);
    else
      announced = await endJob(
        deps,
        id,
        'COMPLETE',
        undefined,
        failedPayload('no answer was stored'),
      );
  } catch (error) {
    left('error');
    throw error;
  }
  // Another end won the race (a cancel, the queue's failure handler): it announced nothing here.
  if (!announced) left('ended-elsewhere');
  return 'ended';
}

const CANCELED_CATEGORIES: ReadonlySet<string> = new Set([
  CoreCategory.CANCELED,
  CoreCategory.CANCELED_IN_FLIGHT,
]);

/**
 * Ends a job: every id still without an answer gets `fill`, its errors are grouped and stored
 * with it, then the status, the retention clock and a last progress message. Safe to repeat (and
 * to race): the first end wins. With `completeIfNothingCanceled` (a cancel), a job where `fill`
 * found no id without an answer and no id was answered canceled ends COMPLETE instead. Resolves
 * true when this call ended the job (and announced `job-ended`).
 */
export async function endJob(
  deps: Pick<RunnerDeps, 'store' | 'retentionMs' | 'onEvent' | 'onError'>,
  id: string,
  status: 'COMPLETE' | 'CANCELED',
  stopReason: StopReason | undefined,
  fill: ErrorPayload,
  options: { completeIfNothingCanceled?: boolean } = {},
): Promise<boolean> {
  const { store } = deps;
  const filled = await store.fill(id, fill);
  // Every id has its final answer now (answers never change), so any end computes these alike.
  const errors = await groupErrors(store, id);
  if (
    options.completeIfNothingCanceled &&
    filled === 0 &&
    !errors.some((e) => CANCELED_CATEGORIES.has(e.category))
  ) {
    status = 'COMPLETE';
    stopReason = undefined;
  }
  const completedAt = new Date().toISOString();
  const ended = await store.finish(
    id,
    { status, ...(stopReason ? { stopReason } : {}), completedAt, errors },
    deps.retentionMs,
  );
  const job = await store.get(id);
  if (!job) return false;
  await store.publish(progressOf(job) satisfies JobProgress).catch(deps.onError);
  if (!ended) return false;
  deps.onEvent({
    type: 'job-ended',
    id,
    owner: job.owner,
    status: job.status,
    ...(job.stopReason ? { stopReason: job.stopReason } : {}),
    total: job.total,
    succeeded: job.succeeded,
    failed: job.failed,
    durationMs: Date.parse(completedAt) - Date.parse(job.startedAt ?? job.requestedAt),
  });
  return true;
}
