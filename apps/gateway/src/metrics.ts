// Prometheus metrics, one registry per gateway instance: what callers asked for, and what it
// took at HubSpot (fed by the engine's run events and the client's rate-limit headers). Labels
// carry operation names, statuses and codes only – never ids, subjects or credentials.
import type { RunEvent } from '@campaigns/core';
import type { RateLimitInfo } from '@campaigns/hubspot-client';
import type { JobCounts, JobEvent } from '@campaigns/jobs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type OperationOutcome =
  'complete' | 'partial' | 'failed' | 'canceled' | 'bad_input' | 'forbidden' | 'error';

export class GatewayMetrics {
  readonly registry = new Registry();

  readonly mutations = new Counter({
    name: 'gateway_mutations_total',
    help: 'updateCampaigns mutations by outcome (complete: every id succeeded; partial: some failed; failed: all failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly queries = new Counter({
    name: 'gateway_queries_total',
    help: 'campaigns queries by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly campaigns = new Counter({
    name: 'gateway_campaigns_total',
    help: 'Campaign ids processed, by operation and result.',
    labelNames: ['operation', 'result'] as const,
    registers: [this.registry],
  });
  readonly operationDuration = new Histogram({
    name: 'gateway_operation_duration_seconds',
    help: 'Duration of a whole bulk operation (all chunks), by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly hubspotRequests = new Counter({
    name: 'gateway_hubspot_requests_total',
    help: 'HTTP requests to HubSpot by operation, status (HTTP status, or "network" when none came back) and partial ("true" when a 2xx answer named item errors: a 207, or a date version\'s 200 with errors folded in).',
    labelNames: ['operation', 'status', 'partial'] as const,
    registers: [this.registry],
  });
  readonly hubspotRateLimited = new Counter({
    name: 'gateway_hubspot_rate_limited_total',
    help: '429 answers from HubSpot, by operation and policy.',
    labelNames: ['operation', 'policy'] as const,
    registers: [this.registry],
  });
  readonly hubspotRetries = new Counter({
    name: 'gateway_hubspot_retries_total',
    help: 'Chunk retries after a transient failure (429, 5xx, network), by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly hubspotIsolations = new Counter({
    name: 'gateway_hubspot_isolations_total',
    help: 'Chunks split to isolate invalid items after a 400, by operation and strategy.',
    labelNames: ['operation', 'strategy'] as const,
    registers: [this.registry],
  });
  readonly hubspotStops = new Counter({
    name: 'gateway_hubspot_run_stops_total',
    help: 'Runs stopped early, by operation and reason (aborted, deadline, auth, daily-limit).',
    labelNames: ['operation', 'reason'] as const,
    registers: [this.registry],
  });
  readonly chunkDuration = new Histogram({
    name: 'gateway_hubspot_chunk_duration_seconds',
    help: 'Latency of one HubSpot batch request (one chunk of up to 50), by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly rateLimitRemaining = new Gauge({
    name: 'gateway_hubspot_ratelimit_remaining',
    help: 'X-HubSpot-RateLimit-Remaining of the latest HubSpot answer.',
    registers: [this.registry],
  });
  readonly rateLimitMax = new Gauge({
    name: 'gateway_hubspot_ratelimit_max',
    help: 'X-HubSpot-RateLimit-Max of the latest HubSpot answer.',
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'HTTP requests to the gateway by route and status code.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly graphqlErrors = new Counter({
    name: 'gateway_graphql_errors_total',
    help: 'GraphQL errors sent to callers, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly inflight = new Gauge({
    name: 'gateway_inflight_graphql_requests',
    help: 'GraphQL requests being served right now.',
    registers: [this.registry],
  });
  readonly admissionRefusals = new Counter({
    name: 'gateway_admission_refusals_total',
    help: 'GraphQL requests refused with HTTP 429 by admission control, by reason (process: MAX_INFLIGHT_OPERATIONS; caller: MAX_INFLIGHT_PER_CALLER).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly hubspotUp = new Gauge({
    name: 'gateway_hubspot_up',
    help: '1 while HubSpot answers and accepts the credential, 0 while it counts as down (/readyz answers 503).',
    registers: [this.registry],
  });
  readonly hubspotDown = new Gauge({
    name: 'gateway_hubspot_down',
    help: '1 for the reason HubSpot counts as down (unreachable, credentials_refused), 0 for the others.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  // hubspotUp and hubspotDown are set by createUpstreamHealth (every reason, from the start).
  private queueCounts:
    { counts: () => Promise<JobCounts>; onError: (error: unknown) => void } | undefined;
  readonly jobsQueued: Gauge<'state'> = new Gauge({
    name: 'gateway_jobs_queue_depth',
    help: 'Jobs in the queue, read when scraped: waiting (for a worker) and active (being run, by any process on the same Redis).',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => this.collectQueue(),
  });
  readonly jobsRunning = new Gauge({
    name: 'gateway_jobs_running',
    help: 'Jobs this process is running right now.',
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'gateway_job_duration_seconds',
    help: 'Duration of a job, from its first start to its end, by final status (COMPLETE, CANCELED).',
    labelNames: ['status'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers: [this.registry],
  });
  readonly jobs = new Counter({
    name: 'gateway_jobs_total',
    help: 'Job lifecycle events in this process: queued, started, resumed, ended, interrupted (handed back at shutdown or a lost lock).',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  readonly budgetWait = new Histogram({
    name: 'gateway_budget_wait_seconds',
    help: 'Time a HubSpot request waited for the rate budget (shared through Redis when REDIS_URL is set), by path (sync: updateCampaigns and campaigns; job).',
    labelNames: ['path'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
  }

  /** Feeds the engine's `onEvent` hook. */
  readonly onRunEvent = (event: RunEvent): void => {
    const operation = event.operation;
    switch (event.type) {
      case 'response':
        this.hubspotRequests.inc({
          operation,
          status: String(event.status),
          partial: String(event.errors > 0),
        });
        this.chunkDuration.observe({ operation }, event.durationMs / 1000);
        break;
      case 'request-failed':
        this.hubspotRequests.inc({
          operation,
          status: event.status !== undefined ? String(event.status) : 'network',
          partial: 'false',
        });
        this.chunkDuration.observe({ operation }, event.durationMs / 1000);
        break;
      case 'rate-limited':
        this.hubspotRateLimited.inc({ operation, policy: event.policyName ?? 'unknown' });
        break;
      case 'retry':
        this.hubspotRetries.inc({ operation });
        break;
      case 'isolate':
        this.hubspotIsolations.inc({ operation, strategy: event.strategy });
        break;
      case 'stop':
        this.hubspotStops.inc({ operation, reason: event.reason });
        break;
      case 'request':
        break;
    }
  };

  /** The jobs this process runs now, by id. */
  private readonly runningJobs = new Set<string>();

  /** Feeds the job service's `onEvent` hook. */
  readonly onJobEvent = (event: JobEvent): void => {
    switch (event.type) {
      case 'job-queued':
        this.jobs.inc({ event: 'queued' });
        break;
      case 'job-started':
        this.jobs.inc({ event: event.resumed ? 'resumed' : 'started' });
        this.runningJobs.add(event.id);
        break;
      case 'job-ended':
        this.jobs.inc({ event: 'ended' });
        this.jobDuration.observe({ status: event.status }, event.durationMs / 1000);
        break;
      case 'job-interrupted':
        this.jobs.inc({ event: 'interrupted' });
        break;
    }
    // By id: a job can end here without having started here (canceled while PENDING).
    if (event.type === 'job-ended' || event.type === 'job-interrupted')
      this.runningJobs.delete(event.id);
    this.jobsRunning.set(this.runningJobs.size);
  };

  /** Where the queue depth is read from on every scrape (the job service's `counts`). */
  watchQueue(counts: () => Promise<JobCounts>, onError: (error: unknown) => void): void {
    this.queueCounts = { counts, onError };
  }

  private async collectQueue(): Promise<void> {
    const source = this.queueCounts;
    if (!source) return;
    try {
      const { waiting, active } = await source.counts();
      this.jobsQueued.set({ state: 'waiting' }, waiting);
      this.jobsQueued.set({ state: 'active' }, active);
    } catch (error) {
      source.onError(error);
    }
  }

  /** Feeds the HubSpot client's `onRateLimit` hook. */
  readonly onRateLimit = (info: RateLimitInfo): void => {
    if (info.remaining !== undefined) this.rateLimitRemaining.set(info.remaining);
    if (info.max !== undefined) this.rateLimitMax.set(info.max);
  };

  /** Records one finished bulk operation. */
  recordOperation(
    kind: 'mutation' | 'query',
    outcome: OperationOutcome,
    counts?: { operation: string; succeeded: number; failed: number; durationMs: number },
  ): void {
    (kind === 'mutation' ? this.mutations : this.queries).inc({ outcome });
    if (!counts) return;
    this.campaigns.inc({ operation: counts.operation, result: 'succeeded' }, counts.succeeded);
    this.campaigns.inc({ operation: counts.operation, result: 'failed' }, counts.failed);
    this.operationDuration.observe({ operation: counts.operation }, counts.durationMs / 1000);
  }
}
