// The job API: startCampaignUpdate, cancelCampaignUpdate, campaignUpdateJob and the
// campaignUpdateJobProgress subscription, over the job service on the context (`ctx.jobs`). The
// caller is `ctx.jobCaller`: its subject owns what it starts, and only the owner or a holder of
// AUTH_ADMIN_SCOPE sees a job; anyone else is told NOT_FOUND, exactly as for an id that never
// existed, so ids cannot be probed. Input is checked as updateCampaigns checks it (input.ts, then
// the engine's rules inside the job service), and refused the same way.
import type { StopReason as CoreStopReason } from '@campaigns/core';
import {
  InvalidInputsError,
  JobLimitError,
  JobNotFoundError,
  JobStoreUnavailableError,
  MAX_PAGE,
  type CampaignUpdateJob,
  type JobErrorsPage,
  type JobLimitName,
  type JobResultsPage,
} from '@campaigns/jobs';
import { GraphQLError } from 'graphql';
import type { AuditLog } from './audit.js';
import { requireScope } from './auth.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import type { Resolvers, StopReason } from './generated/resolvers-types.js';
import { badUserInput, checkUpdateInputs, tooMany } from './input.js';
import type { CampaignUpdateJobModel } from './models.js';

export interface JobResolverDeps {
  config: Pick<GatewayConfig, 'limits' | 'auth' | 'jobs'>;
  /** Aborted when a shutdown's grace period is over: progress streams end. */
  shutdownSignal: AbortSignal;
  stopReasons: Record<CoreStopReason, StopReason>;
  /** The audit trail: a line per job queued and per cancel asked for. */
  audit?: AuditLog;
}

/** The settings behind the job service's limits, as a refusal names them. */
const LIMIT_SETTINGS: Record<JobLimitName, string> = {
  maxCampaignsPerJob: 'MAX_CAMPAIGNS_PER_JOB',
  maxQueuedJobsPerOwner: 'MAX_QUEUED_JOBS_PER_CALLER',
};

/** The same answer for a job that never existed, expired, or is another caller's. */
export function jobNotFound(id: string): GraphQLError {
  const shown = id.length > 40 ? `${id.slice(0, 40)}…` : id;
  return new GraphQLError(
    `no job ${JSON.stringify(shown)}: it does not exist, has expired, or was started by another caller`,
    { extensions: { code: 'NOT_FOUND' } },
  );
}

/** Error groups the `errors` field lists at most (`errorCount` tells how many there are). */
export const MAX_ERROR_GROUPS = MAX_PAGE;

/**
 * A start past a job limit: nothing was queued. Too many campaigns is the same BAD_USER_INPUT the
 * gateway's own check before the service gives (input.ts), whichever of the two refused it.
 */
function jobLimitExceeded(error: JobLimitError): GraphQLError {
  const setting = LIMIT_SETTINGS[error.limit];
  if (error.limit === 'maxCampaignsPerJob')
    return tooMany('startCampaignUpdate', setting, error.max, error.actual);
  const message = `at most ${error.max} jobs per caller may be pending or running at once (${setting}); wait for one to end, or cancel one, then start again`;
  return new GraphQLError(message, {
    extensions: {
      code: 'JOB_LIMIT_EXCEEDED',
      limit: { setting, max: error.max, actual: error.actual },
    },
  });
}

/** A job as it was when queued, whatever a worker has done with it since. */
function asQueued(job: CampaignUpdateJob): CampaignUpdateJob {
  const {
    startedAt: _startedAt,
    completedAt: _completedAt,
    stopReason: _stopReason,
    ...queued
  } = job;
  return { ...queued, status: 'PENDING', done: 0, succeeded: 0, failed: 0, cancelRequested: false };
}

/** The job store (Redis) is down: one coded error, without its address or credentials. */
export function jobStoreUnavailable(what: 'start' | 'read'): GraphQLError {
  return new GraphQLError(
    what === 'start'
      ? 'the job store (Redis) is unreachable: nothing was queued; retry shortly'
      : 'the job store (Redis) is unreachable; retry shortly',
    { extensions: { code: 'JOB_STORE_UNAVAILABLE' } },
  );
}

/**
 * Runs a job service call, turning its "not yours or not there" into NOT_FOUND and an unreachable
 * store into JOB_STORE_UNAVAILABLE.
 */
async function visible<T>(id: string, call: () => Promise<T | undefined>): Promise<T> {
  let found: T | undefined;
  try {
    found = await call();
  } catch (error) {
    if (error instanceof JobNotFoundError) throw jobNotFound(id);
    if (error instanceof JobStoreUnavailableError) throw jobStoreUnavailable('read');
    throw error;
  }
  if (found === undefined) throw jobNotFound(id);
  return found;
}

export function createJobResolvers(deps: JobResolverDeps) {
  const { config, stopReasons } = deps;

  /** Every job operation needs the write scope: the admin scope widens whose jobs, not what. */
  const authorize = (ctx: GatewayContext, action: string) =>
    requireScope(ctx.caller, config.auth.writeScope, action);

  /**
   * The whole record behind a job model: itself when it is one, else (a progress message) read
   * once per message, when a field the message lacks is selected.
   */
  const records = new WeakMap<object, Promise<CampaignUpdateJob>>();
  function record(job: CampaignUpdateJobModel, ctx: GatewayContext): Promise<CampaignUpdateJob> {
    if (job.requestedAt !== undefined) return Promise.resolve(job as CampaignUpdateJob);
    let read = records.get(job);
    if (!read) {
      read = visible(job.id, () => ctx.jobs.get(ctx.jobCaller, job.id));
      records.set(job, read);
    }
    return read;
  }

  /**
   * The first page of a job's error groups, read once per job model (so `errors`, `errorCount`
   * and aliases of them share one call of the service, which groups a running job's errors once).
   */
  const firstPages = new WeakMap<object, Promise<JobErrorsPage>>();
  function firstErrors(job: CampaignUpdateJobModel, ctx: GatewayContext): Promise<JobErrorsPage> {
    let read = firstPages.get(job);
    if (!read) {
      read = visible(job.id, () =>
        ctx.jobs.errors(ctx.jobCaller, job.id, { first: MAX_ERROR_GROUPS }),
      );
      firstPages.set(job, read);
    }
    return read;
  }

  const Mutation = {
    async startCampaignUpdate(
      _parent: unknown,
      { inputs }: { inputs: Parameters<typeof checkUpdateInputs>[0] },
      ctx: GatewayContext,
    ): Promise<CampaignUpdateJobModel> {
      authorize(ctx, 'startCampaignUpdate');
      const checked = checkUpdateInputs(inputs, config.limits, {
        operation: 'startCampaignUpdate',
        setting: 'MAX_CAMPAIGNS_PER_JOB',
        max: config.jobs.maxCampaignsPerJob,
      });
      let job: CampaignUpdateJob;
      try {
        job = await ctx.jobs.start(ctx.jobCaller, checked.inputs);
      } catch (error) {
        if (error instanceof InvalidInputsError) throw checked.refuse(error.problems);
        if (error instanceof JobLimitError) throw jobLimitExceeded(error);
        if (error instanceof JobStoreUnavailableError) throw jobStoreUnavailable('start');
        throw error;
      }
      ctx.log.info(
        { job: job.id, total: job.total, coalesced: job.coalesced.length },
        `job ${job.id} queued: ${job.total} campaigns`,
      );
      deps.audit?.recordJob({
        kind: 'start',
        requestId: ctx.requestId,
        caller: ctx.caller,
        job,
        inputs: checked.inputs,
      });
      // The answer is the job as it was queued: PENDING, nothing done yet. A worker may have
      // taken it in the meantime (in this process, at once); campaignUpdateJob tells.
      return asQueued(job);
    },

    async cancelCampaignUpdate(
      _parent: unknown,
      { id }: { id: string },
      ctx: GatewayContext,
    ): Promise<CampaignUpdateJobModel> {
      authorize(ctx, 'cancelCampaignUpdate');
      const job = await visible(id, () => ctx.jobs.cancel(ctx.jobCaller, id));
      ctx.log.info(
        { job: job.id, status: job.status, owner: job.owner },
        `job ${job.id} cancel asked: ${job.status}`,
      );
      deps.audit?.recordJob({ kind: 'cancel', requestId: ctx.requestId, caller: ctx.caller, job });
      return job;
    },
  };

  const Query = {
    async campaignUpdateJob(
      _parent: unknown,
      { id }: { id: string },
      ctx: GatewayContext,
    ): Promise<CampaignUpdateJobModel> {
      authorize(ctx, 'campaignUpdateJob');
      return visible(id, () => ctx.jobs.get(ctx.jobCaller, id));
    },
  };

  const Subscription = {
    campaignUpdateJobProgress: {
      // The job's state now, then each checkpoint and status change; ends once the job ended.
      async subscribe(_parent: unknown, { id }: { id: string }, ctx: GatewayContext) {
        authorize(ctx, 'campaignUpdateJobProgress');
        return visible(id, () =>
          ctx.jobs.progress(ctx.jobCaller, id, { signal: deps.shutdownSignal }),
        );
      },
      resolve: (progress: CampaignUpdateJobModel) => progress,
    },
  };

  const CampaignUpdateJob = {
    stopReason: (job: CampaignUpdateJobModel) =>
      job.stopReason ? stopReasons[job.stopReason] : null,
    requestedAt: async (job: CampaignUpdateJobModel, _args: unknown, ctx: GatewayContext) =>
      (await record(job, ctx)).requestedAt,
    startedAt: async (job: CampaignUpdateJobModel, _args: unknown, ctx: GatewayContext) =>
      (await record(job, ctx)).startedAt ?? null,
    completedAt: async (job: CampaignUpdateJobModel, _args: unknown, ctx: GatewayContext) =>
      (await record(job, ctx)).completedAt ?? null,
    coalesced: async (job: CampaignUpdateJobModel, _args: unknown, ctx: GatewayContext) =>
      (await record(job, ctx)).coalesced,
    async results(
      job: CampaignUpdateJobModel,
      { first, after }: { first?: number | null; after?: string | null },
      ctx: GatewayContext,
    ) {
      if (first !== undefined && first !== null && (first < 1 || first > MAX_PAGE))
        throw badUserInput(`results: first must be between 1 and ${MAX_PAGE}, got ${first}`);
      try {
        return await visible(job.id, () =>
          ctx.jobs.results(ctx.jobCaller, job.id, {
            ...(first != null ? { first } : {}),
            ...(after != null ? { after } : {}),
          }),
        );
      } catch (error) {
        if (error instanceof RangeError)
          throw badUserInput(`results: after is not a cursor of this job's results`);
        throw error;
      }
    },
    // The first MAX_ERROR_GROUPS groups: one call of the service (a running job's errors are
    // grouped once per call; `errorGroups` pages past them).
    errors: async (job: CampaignUpdateJobModel, _args: unknown, ctx: GatewayContext) =>
      (await firstErrors(job, ctx)).items,
    errorCount: async (job: CampaignUpdateJobModel, _args: unknown, ctx: GatewayContext) =>
      (await firstErrors(job, ctx)).count,
    async errorGroups(
      job: CampaignUpdateJobModel,
      { first, after }: { first?: number | null; after?: string | null },
      ctx: GatewayContext,
    ) {
      if (first !== undefined && first !== null && (first < 1 || first > MAX_PAGE))
        throw badUserInput(`errorGroups: first must be between 1 and ${MAX_PAGE}, got ${first}`);
      try {
        return await visible(job.id, () =>
          ctx.jobs.errors(ctx.jobCaller, job.id, {
            ...(first != null ? { first } : {}),
            ...(after != null ? { after } : {}),
          }),
        );
      } catch (error) {
        if (error instanceof RangeError)
          throw badUserInput(`errorGroups: after is not a cursor of this job's errors`);
        throw error;
      }
    },
  };

  const CampaignBatchErrorPage = {
    groups: (page: JobErrorsPage) => page.items,
    totalCount: (page: JobErrorsPage) => page.count,
    pageInfo: (page: JobErrorsPage) => ({
      endCursor: page.endCursor ?? null,
      hasNextPage: page.hasNextPage,
    }),
  };

  const CampaignConnection = {
    edges: (page: JobResultsPage) => page.items,
    pageInfo: (page: JobResultsPage) => ({
      endCursor: page.endCursor ?? null,
      hasNextPage: page.hasNextPage,
    }),
  };

  const CampaignEdge = {
    node: (edge: JobResultsPage['items'][number]) => edge.campaign,
  };

  return {
    Mutation,
    Query,
    Subscription,
    CampaignUpdateJob,
    CampaignConnection,
    CampaignEdge,
    CampaignBatchErrorPage,
  } satisfies Partial<Resolvers>;
}
