// A bulk update as a job: start it, follow its progress live (the event stream, or by reading the
// job when the stream is not available), then read its answers: what succeeded, what failed and
// why (HubSpot's reason), for a results table and a retry of the failed ones.
import {
  CampaignUpdateJobDocument,
  CampaignUpdateJobProgressDocument,
  CancelCampaignUpdateDocument,
  StartCampaignUpdateDocument,
} from '@campaigns/graphql';
import { GatewayError, type Gateway } from './api';
import type { UpdateInput } from './inputs';

export type JobStatus = 'PENDING' | 'PROCESSING' | 'COMPLETE' | 'CANCELED';

export interface JobProgress {
  id: string;
  status: JobStatus;
  stopReason: string | null;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
}

export function isEnded(job: Pick<JobProgress, 'status'>): boolean {
  return job.status === 'COMPLETE' || job.status === 'CANCELED';
}

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
    CampaignUpdateJobDocument,
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
      if (isEnded(last)) return last;
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
    if (isEnded(last)) return last;
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

/** The largest page of a job's results. */
const RESULTS_PAGE = 1_000;

/** Reads an ended job's answers: every result page, and its error groups. */
export async function readOutcome(gateway: Gateway, id: string): Promise<JobOutcome> {
  const succeeded: JobOutcomeRow[] = [];
  const failed: JobOutcomeRow[] = [];
  let after: string | null = null;
  let job: JobProgress | undefined;
  let errorCount = 0;
  let listedGroups = 0;
  for (;;) {
    const { campaignUpdateJob }: Awaited<ReturnType<typeof readPage>> = await readPage(
      gateway,
      id,
      after,
    );
    if (!campaignUpdateJob) throw new GatewayError('the job is gone', 'NOT_FOUND', 200);
    if (!job) {
      job = progressOf(campaignUpdateJob);
      errorCount = campaignUpdateJob.errorCount;
      listedGroups = campaignUpdateJob.errors.length;
      for (const group of campaignUpdateJob.errors)
        for (const failedId of group.ids)
          failed.push({
            id: failedId,
            ok: false,
            reason: group.message,
            category: group.category,
          });
    }
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

function readPage(gateway: Gateway, id: string, after: string | null) {
  return gateway.request(CampaignUpdateJobDocument, { id, first: RESULTS_PAGE, after });
}

/** The inputs of the failed ids, for a new job. */
export function retryInputs(inputs: readonly UpdateInput[], failedIds: readonly string[]) {
  const failed = new Set(failedIds);
  return inputs.filter((input) => failed.has(input.id));
}
