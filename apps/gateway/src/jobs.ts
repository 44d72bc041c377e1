// Jobs and the rate budget of the gateway's HubSpot account. Without REDIS_URL: the core's
// in-memory budget and an in-process job queue (not durable: a restart loses the jobs, and the
// start-up log says so). With REDIS_URL: the budget is kept in Redis (RedisRateBudget), one for
// every process on the same account, and jobs run on BullMQ, in whichever process has the
// worker role. The synchronous updateCampaigns path and every job draw from the same budget, each
// with its caller as fairness key.
import { RateLimitBudget, type CampaignsClient, type RateBudget } from '@campaigns/core';
import { createJobService, type JobService } from '@campaigns/jobs';
import { accountKeyOf, RedisRateBudget } from '@campaigns/redis-budget';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuditLog } from './audit.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';

/** How long /readyz waits for Redis to answer a PING before calling it unreachable. */
export const REDIS_READY_TIMEOUT_MS = 2000;
/** How long closing waits for running jobs to be handed back before it gives up. */
export const CLOSE_TIMEOUT_MS = 10_000;

export interface GatewayJobs {
  readonly service: JobService;
  /** What the synchronous path draws from (jobs draw from the same one, measured apart). */
  readonly budget: RateBudget;
  /** Why the job store or the shared budget cannot serve (a reason without the URL), if so. */
  problem(): Promise<string | undefined>;
  /** Hands running jobs back (BullMQ: to another worker), closes the budget and Redis clients. */
  close(): Promise<void>;
}

export interface GatewayJobsDeps {
  config: Pick<GatewayConfig, 'jobs' | 'hubspot'>;
  hubspot: CampaignsClient;
  /** A client whose calls carry `requestId` as X-Request-Id (a job's: {@link jobRequestId}). */
  hubspotFor?: (requestId: string) => CampaignsClient;
  /**
   * The HubSpot token in use at start, when no portal id names the account: its hash (never the
   * token) keys the shared budget.
   */
  token: () => Promise<string>;
  logger: Logger;
  metrics: GatewayMetrics;
  /** The audit trail: a line for each job this process's workers end. */
  audit?: AuditLog;
}

/** The X-Request-Id a job's HubSpot calls carry, to match them to the job (`job:<id>`). */
function jobRequestId(jobId: string): string {
  return `job:${jobId}`;
}

/** The account the shared budget is kept for: the portal id if configured, else a credential's hash. */
export async function budgetAccountOf(
  config: Pick<GatewayConfig, 'hubspot'>,
  token: () => Promise<string>,
): Promise<string> {
  const { portalId, credentials } = config.hubspot;
  if (portalId) return `portal:${portalId}`;
  // OAuth access tokens change at every refresh; the refresh token names the installation.
  if (credentials.kind === 'oauth') return accountKeyOf(credentials.refreshToken);
  return accountKeyOf(await token());
}

export async function createGatewayJobs(deps: GatewayJobsDeps): Promise<GatewayJobs> {
  const { config, logger, metrics } = deps;
  const log = logger.child({ component: 'jobs' });
  const { redisUrl } = config.jobs;

  let redis: Redis | undefined;
  let shared: RedisRateBudget | undefined;
  let budget: RateBudget;
  if (redisUrl) {
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    // ioredis reconnects by itself; say so once per outage, without the URL.
    let down = false;
    redis.on('error', (error: Error) => {
      if (down) return;
      down = true;
      log.error({ err: { message: error.message } }, 'Redis (rate budget) unreachable; retrying');
    });
    redis.on('ready', () => {
      if (down) log.info('Redis (rate budget) reachable again');
      down = false;
    });
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new Error(`cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
    }
    const account = await budgetAccountOf(config, deps.token);
    shared = new RedisRateBudget({
      redis,
      account,
      onError: (error) => log.warn({ err: error }, 'rate budget: a shared update failed'),
    });
    budget = shared;
  } else {
    budget = new RateLimitBudget();
  }

  const syncBudget = measured(budget, (s) => metrics.budgetWait.observe({ path: 'sync' }, s));
  const jobBudget = measured(budget, (s) => metrics.budgetWait.observe({ path: 'job' }, s));
  const service = createJobService({
    ...(redisUrl ? { redisUrl } : {}),
    role: config.jobs.role,
    retentionMs: config.jobs.retentionMs,
    maxCampaignsPerJob: config.jobs.maxCampaignsPerJob,
    maxQueuedJobsPerOwner: config.jobs.maxQueuedJobsPerCaller,
    ...(config.jobs.role === 'api'
      ? {}
      : {
          worker: {
            client: (job) => deps.hubspotFor?.(jobRequestId(job.id)) ?? deps.hubspot,
            budget: () => jobBudget,
            onRunEvent: (event) => metrics.onRunEvent(event),
            lockDurationMs: config.jobs.lockMs,
          },
        }),
    onEvent: (event) => {
      metrics.onJobEvent(event);
      // The owner is a subject (safe to log, as in the request log); never inputs or results.
      log.info(event, `job ${event.type.slice('job-'.length)}`);
      if (event.type === 'job-ended')
        deps.audit?.recordJob({
          kind: 'end',
          job: event,
          durationMs: event.durationMs,
        });
    },
    onError: (error) => log.warn({ err: error }, 'jobs: a background operation failed'),
  });
  metrics.watchQueue(
    () => service.counts(),
    (error) => log.debug({ err: error }, 'could not read the queue depth'),
  );

  if (service.durable) {
    log.info(
      { role: service.role, backend: service.backend, budget: 'shared through Redis' },
      `jobs run on BullMQ over Redis (role ${service.role}); the rate budget is shared with every process on this account`,
    );
  } else {
    log.warn(
      { role: service.role, backend: service.backend },
      'jobs are NOT durable: without REDIS_URL they run in this process and are lost when it stops; the rate budget is this process’s own',
    );
  }

  return {
    service,
    budget: syncBudget,
    async problem() {
      if (!redisUrl) return undefined;
      const pings = [service.ping(), ...(redis ? [redis.ping()] : [])];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), REDIS_READY_TIMEOUT_MS);
      });
      try {
        await Promise.race([Promise.all(pings), late]);
        return undefined;
      } catch {
        return 'Redis unreachable';
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        // Bounded: with Redis gone, handing jobs back cannot finish (their locks expire instead,
        // and another worker resumes them from their last checkpoint).
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), CLOSE_TIMEOUT_MS);
        });
        if ((await Promise.race([service.close(), late])) === 'late')
          log.error(
            `the job service did not close within ${CLOSE_TIMEOUT_MS} ms (Redis unreachable?); stopping anyway`,
          );
      } finally {
        clearTimeout(timer);
        shared?.close();
        if (redis?.status === 'ready') await redis.quit().catch(() => redis?.disconnect());
        else redis?.disconnect();
      }
    },
  };
}

/** The same budget, timing each wait for a grant (`gateway_budget_wait_seconds`). */
export function measured(budget: RateBudget, onWait: (seconds: number) => void): RateBudget {
  return {
    async acquire(signal, fairnessKey) {
      const started = performance.now();
      const grantedAt = await budget.acquire(signal, fairnessKey);
      onWait((performance.now() - started) / 1000);
      return grantedAt;
    },
    answered: (grantedAt, fairnessKey, outcome, roundTripMs) =>
      budget.answered(grantedAt, fairnessKey, outcome, roundTripMs),
    observe: (info, grantedAt, fairnessKey) => budget.observe(info, grantedAt, fairnessKey),
    penalize: (retryAfterMs, grantedAt) => budget.penalize(retryAfterMs, grantedAt),
    exhaust: (resetsAt) => budget.exhaust(resetsAt),
    snapshot: () => budget.snapshot(),
  };
}
