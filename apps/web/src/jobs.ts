// A bulk update as a job: start it, follow its progress live (the event stream, or by reading the
// job when the stream is not available), then read its answers: what succeeded, what failed and
// why (HubSpot's reason), for a results table and a retry of the failed ones.
import {
  CampaignUpdateJobErrorGroupsDocument,
  CampaignUpdateJobProgressDocument,
  CampaignUpdateJobResultsDocument,
  CancelCampaignUpdateDocument,
  StartCampaignUpdateDocument,
  isJobEnded,
  type JobProgress,
} from '@campaigns/graphql';
import { GatewayError, type Gateway } from './api';
import type { UpdateInput } from './inputs';

export type { JobProgress };

function progressOf(job: JobProgress): JobProgress {
  const { id, status, stopReason, total, done, succeeded, failed } = job;
  return { id, status, stopReason, total, done, succeeded, failed };
}

export async function startJob(gateway: Gateway, inputs: UpdateInput[]): Promise<JobProgress> {
  const { startCampaignUpdate } = await gateway.request(StartCampaignUpdateDocument, { inputs });
  return progressOf(startCampaignUpdate);
}

export async function cancelJob(gateway: Gateway, id: string): Promise<JobProgress> {
  const { cancelCampaignUpdate } = await gateway.request(CancelCampaignUpdateDocument, { id });
  return progressOf(cancelCampaignUpdate);
}

async function readJob(gateway: Gateway, id: string, signal?: AbortSignal) {
  const { campaignUpdateJob } = await gateway.request(
    CampaignUpdateJobResultsDocument,
    { id, first: 1 },
    signal,
  );
  if (!campaignUpdateJob) throw new GatewayError('the job is gone', 'NOT_FOUND', 200);
  return campaignUpdateJob;
}

export interface FollowOptions {
  onProgress(progress: JobProgress, via: 'stream' | 'polling'): void;
  /** Ends the following (not the job). */
  signal: AbortSignal;
  /** How often to read the job when the stream is not available (default 1 s). */
  pollMs?: number;
}

/**
 * Calls `onProgress` with each state of the job until it ended, and resolves with the last.
 * Live from the event stream; when the stream cannot be used (a network failure, a proxy that
 * refuses it) by reading the job every `pollMs`. GraphQL errors (the job is gone) are thrown.
 */
export async function followJob(
  gateway: Gateway,
  id: string,
  options: FollowOptions,
): Promise<JobProgress> {
  let last: JobProgress | undefined;
  const stream = gateway.subscribe(CampaignUpdateJobProgressDocument, { id });
  const stopStream = () => stream.stop();
  options.signal.addEventListener('abort', stopStream, { once: true });
  try {
    for await (const { campaignUpdateJobProgress } of stream.events) {
      last = progressOf(campaignUpdateJobProgress);
      options.onProgress(last, 'stream');
      if (isJobEnded(last)) return last;
    }
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    // The stream failed as a transport: read the job instead.
  } finally {
    options.signal.removeEventListener('abort', stopStream);
  }
  for (;;) {
    options.signal.throwIfAborted();
    last = progressOf(await readJob(gateway, id, options.signal));
    options.onProgress(last, 'polling');
    if (isJobEnded(last)) return last;
    await sleep(options.pollMs ?? 1_000, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

export interface JobOutcomeRow {
  id: string;
  ok: boolean;
  /** For a failure: HubSpot's reason (its message) and category. */
  reason?: string;
  category?: string;
}

export interface JobOutcome {
  job: JobProgress;
  /** Failed ids first (in the order of their error groups), then succeeded ones (input order). */
  rows: JobOutcomeRow[];
  failedIds: string[];
  /** Error groups the job has in all; more than were read when `errorCount > listedGroups`. */
  errorCount: number;
  listedGroups: number;
}

/** The largest page of a job's results, and of its error groups. */
export const RESULTS_PAGE = 1_000;

/**
 * Reads an ended job's answers: its error groups once, page by page (`errorGroups`), then every
 * page of its results (without the errors: they are not downloaded again with each page).
 */
export async function readOutcome(gateway: Gateway, id: string): Promise<JobOutcome> {
  const failed: JobOutcomeRow[] = [];
  let errorCount = 0;
  let listedGroups = 0;
  let groupsAfter: string | null = null;
  for (;;) {
    const { campaignUpdateJob }: Awaited<ReturnType<typeof readErrorGroups>> =
      await readErrorGroups(gateway, id, groupsAfter);
    if (!campaignUpdateJob) throw new GatewayError('the job is gone', 'NOT_FOUND', 200);
    const page = campaignUpdateJob.errorGroups;
    errorCount = page.totalCount;
    listedGroups += page.groups.length;
    for (const group of page.groups)
      for (const failedId of group.ids)
        failed.push({ id: failedId, ok: false, reason: group.message, category: group.category });
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
    groupsAfter = page.pageInfo.endCursor;
  }

  const succeeded: JobOutcomeRow[] = [];
  let after: string | null = null;
  let job: JobProgress | undefined;
  for (;;) {
    const { campaignUpdateJob }: Awaited<ReturnType<typeof readResults>> = await readResults(
      gateway,
      id,
      after,
    );
    if (!campaignUpdateJob) throw new GatewayError('the job is gone', 'NOT_FOUND', 200);
    job ??= progressOf(campaignUpdateJob);
    for (const edge of campaignUpdateJob.results.edges)
      succeeded.push({ id: edge.node.id, ok: true });
    const { hasNextPage, endCursor } = campaignUpdateJob.results.pageInfo;
    if (!hasNextPage || !endCursor) break;
    after = endCursor;
  }
  return {
    job,
    rows: [...failed, ...succeeded],
    failedIds: failed.map((row) => row.id),
    errorCount,
    listedGroups,
  };
}

function readResults(gateway: Gateway, id: string, after: string | null) {
  return gateway.request(CampaignUpdateJobResultsDocument, { id, first: RESULTS_PAGE, after });
}

function readErrorGroups(gateway: Gateway, id: string, after: string | null) {
  return gateway.request(CampaignUpdateJobErrorGroupsDocument, { id, first: RESULTS_PAGE, after });
}

/** One run's outcomes (a job per part) as one. */
export function combineOutcomes(outcomes: readonly JobOutcome[], job: JobProgress): JobOutcome {
  const failed = outcomes.flatMap((o) => o.rows.filter((row) => !row.ok));
  const succeeded = outcomes.flatMap((o) => o.rows.filter((row) => row.ok));
  return {
    job,
    rows: [...failed, ...succeeded],
    failedIds: outcomes.flatMap((o) => o.failedIds),
    errorCount: outcomes.reduce((sum, o) => sum + o.errorCount, 0),
    listedGroups: outcomes.reduce((sum, o) => sum + o.listedGroups, 0),
  };
}

/** The inputs of the failed ids, for a new job. */
export function retryInputs(inputs: readonly UpdateInput[], failedIds: readonly string[]) {
  const failed = new Set(failedIds);
  return inputs.filter((input) => failed.has(input.id));
}
