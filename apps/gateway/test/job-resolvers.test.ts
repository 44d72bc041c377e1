// The job resolvers over a stand-in job service: what they ask of it (reading `errors` is one
// call of the service per job, whatever asks: `errors`, `errorCount`, aliases) and how its
// refusals read (too many campaigns is the gateway's own BAD_USER_INPUT; an unreachable store is
// JOB_STORE_UNAVAILABLE without an address).
import {
  JobLimitError,
  JobStoreUnavailableError,
  type CampaignUpdateJob,
  type JobErrorsPage,
  type JobService,
} from '@campaigns/jobs';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import type { GatewayContext } from '../src/context.js';
import { createJobResolvers, MAX_ERROR_GROUPS } from '../src/job-resolvers.js';

const config = loadConfig({});
const resolvers = createJobResolvers({
  config,
  shutdownSignal: new AbortController().signal,
  stopReasons: {
    aborted: 'ABORTED',
    deadline: 'DEADLINE',
    auth: 'AUTH',
    'daily-limit': 'DAILY_LIMIT',
  },
});

const job: CampaignUpdateJob = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  owner: 'anonymous',
  status: 'PROCESSING',
  total: 100_000,
  done: 50_000,
  succeeded: 0,
  failed: 50_000,
  requestedAt: new Date().toISOString(),
  coalesced: [],
  cancelRequested: false,
};

function contextWith(jobs: Partial<JobService>): GatewayContext {
  return {
    requestId: 'r1',
    caller: { subject: 'anonymous', scopes: new Set([config.auth.writeScope]), method: 'none' },
    log: pino({ level: 'silent' }),
    jobs: jobs as JobService,
    jobCaller: { id: 'anonymous' },
  };
}

/** How a resolver's call failed. */
async function failure(call: Promise<unknown>): Promise<GraphQLError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  return error as GraphQLError;
}

describe('errors of a job', () => {
  it('asks the service once per job for errors, errorCount and their aliases, at most MAX_ERROR_GROUPS', async () => {
    const groups = 40_000;
    const errors = vi.fn(
      async (
        _caller: unknown,
        _id: string,
        page: { first?: number } = {},
      ): Promise<JobErrorsPage> => ({
        items: Array.from({ length: Math.min(page.first ?? 100, groups) }, (_, i) => ({
          ids: [String(i)],
          category: 'VALIDATION_ERROR',
          message: `bad value ${i}`,
          status: 'error',
          context: {},
          errors: [],
          links: {},
        })) as unknown as JobErrorsPage['items'],
        count: groups,
        hasNextPage: true,
        endCursor: 'x',
      }),
    );
    const ctx = contextWith({ errors });
    const parent = { ...job };
    const fields = resolvers.CampaignUpdateJob;
    // `errors`, an alias of it, and `errorCount` on the same job.
    const [first, alias, count] = await Promise.all([
      fields.errors(parent, {}, ctx),
      fields.errors(parent, {}, ctx),
      fields.errorCount(parent, {}, ctx),
    ]);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![2]).toEqual({ first: MAX_ERROR_GROUPS });
    expect(first).toHaveLength(MAX_ERROR_GROUPS);
    expect(alias).toBe(first);
    expect(count).toBe(groups);
  });
});

describe('refusals of the job service', () => {
  const start = (jobs: Partial<JobService>) =>
    resolvers.Mutation.startCampaignUpdate(
      {},
      { inputs: [{ id: '1', properties: [{ name: 'hs_notes', value: 'x' }] }] },
      contextWith(jobs),
    );

  it('reads too many campaigns the same whichever check found it', async () => {
    const max = config.jobs.maxCampaignsPerJob;
    const fromService = await failure(
      start({
        start: async () => {
          throw new JobLimitError('maxCampaignsPerJob', max, max + 1);
        },
      }),
    );
    expect(fromService.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: { setting: 'MAX_CAMPAIGNS_PER_JOB', max, actual: max + 1 },
    });
    const tooMany = Array.from({ length: max + 1 }, (_, i) => ({
      id: String(i + 1),
      properties: [{ name: 'hs_notes', value: 'x' }],
    }));
    const fromGateway = await failure(
      resolvers.Mutation.startCampaignUpdate({}, { inputs: tooMany }, contextWith({})),
    );
    expect(fromService.message).toBe(fromGateway.message);
    expect(fromService.extensions).toEqual(fromGateway.extensions);
  });

  it('says JOB_STORE_UNAVAILABLE, without the store address, when Redis is unreachable', async () => {
    const down = new JobStoreUnavailableError(
      new Error('connect ECONNREFUSED 10.1.2.3:6379 (redis://:hunter2@10.1.2.3:6379)'),
    );
    const started = await failure(
      start({
        start: async () => {
          throw down;
        },
      }),
    );
    expect(started.extensions.code).toBe('JOB_STORE_UNAVAILABLE');
    expect(started.message).toContain('nothing was queued');
    const read = await failure(
      resolvers.Query.campaignUpdateJob(
        {},
        { id: job.id },
        contextWith({ get: async () => Promise.reject(down) }),
      ),
    );
    expect(read.extensions.code).toBe('JOB_STORE_UNAVAILABLE');
    for (const error of [started, read])
      expect(error.message).not.toMatch(/10\.1\.2\.3|hunter2|6379/);
  });
});
