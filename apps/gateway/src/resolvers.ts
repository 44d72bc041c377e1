// Resolvers: check the caller's scope, turn GraphQL input into the engine's input, run the
// engine, and present its outcome. No batching logic lives here: chunking, rate limits, retries
// and merging are @campaigns/core's. Per-campaign failures stay in the payload's `errors`.
import {
  InvalidInputsError,
  readCampaigns,
  updateCampaigns,
  type BatchOutcome,
  type BulkOptions,
  type CampaignsClient,
  type RateBudget,
  type RunEvent,
  type StopReason as CoreStopReason,
} from '@campaigns/core';
import type { HubSpotClient } from '@campaigns/hubspot-client';
import type { Tracer } from '@opentelemetry/api';
import type { AuditLog } from './audit.js';
import { requireScope } from './auth.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import type { Resolvers, StopReason } from './generated/resolvers-types.js';
import { checkReadIds, checkUpdateInputs, type Checked } from './input.js';
import { createJobResolvers } from './job-resolvers.js';
import { campaignList, listQueryOf } from './list-resolvers.js';
import type { GatewayMetrics, OperationOutcome } from './metrics.js';
import type { BusinessUnitModel, CampaignModel } from './models.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';

export interface ResolverDeps {
  /** The process's one HubSpot client. */
  hubspot: CampaignsClient & Pick<HubSpotClient, 'GET'>;
  /**
   * The client for one request's calls, sending its id as X-Request-Id (see server.ts); default
   * `hubspot` itself.
   */
  hubspotFor?: (requestId: string) => CampaignsClient & Pick<HubSpotClient, 'GET'>;
  /** The rate budget of its token: every operation draws from this one. */
  budget: RateBudget;
  config: Pick<GatewayConfig, 'limits' | 'auth' | 'hubspot' | 'mutationDeadlineMs' | 'jobs'>;
  metrics: GatewayMetrics;
  /** Aborted when a shutdown's grace period is over: running operations stop and report CANCELED. */
  shutdownSignal: AbortSignal;
  /** The audit trail: one line per updateCampaigns that reached the engine. */
  audit?: AuditLog;
  /** OpenTelemetry tracer (tracing on): the engine's run and chunk spans. */
  tracer?: Tracer;
}

/** Payload errors whose technical `detail` is logged (at debug) per operation. */
const MAX_LOGGED_DETAILS = 20;

const STOP_REASONS: Record<CoreStopReason, StopReason> = {
  aborted: 'ABORTED',
  deadline: 'DEADLINE',
  auth: 'AUTH',
  'daily-limit': 'DAILY_LIMIT',
};

export function createResolvers(deps: ResolverDeps): Resolvers {
  const { config, metrics } = deps;
  /** The HubSpot client for `ctx`'s request. */
  const hubspotOf = (ctx: GatewayContext) => deps.hubspotFor?.(ctx.requestId) ?? deps.hubspot;

  /** Engine options shared by every operation of this request. */
  const runOptions = (ctx: GatewayContext): BulkOptions => ({
    // The engine's rules validate the inputs, once (input.ts checks only the gateway's own limits).
    onInvalid: 'reject',
    budget: deps.budget,
    signal: deps.shutdownSignal,
    deadlineMs: config.mutationDeadlineMs,
    maxConcurrency: config.hubspot.maxConcurrency,
    retry: { maxAttempts: config.hubspot.maxAttempts },
    // Callers take turns on the shared HubSpot budget: one caller's backlog does not delay another's.
    fairnessKey: ctx.caller.subject,
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
    onEvent: (event: RunEvent) => {
      metrics.onRunEvent(event);
      ctx.log.debug({ event }, `hubspot ${event.type}`);
    },
  });

  /** Runs one engine call with the bookkeeping every operation needs. */
  async function run<O extends BatchOutcome<unknown>>(
    kind: 'mutation' | 'query',
    operation: string,
    ctx: GatewayContext,
    /** What the gateway accepted: the engine validates it (onInvalid: 'reject'), `refuse` words a refusal. */
    checked: Checked<unknown>,
    call: () => Promise<O>,
    /** Told how a call that reached HubSpot ended (not a refused input): the audit trail. */
    onSettled?: (settled: { outcome?: O; error?: unknown; durationMs: number }) => void,
  ): Promise<O> {
    const started = Date.now();
    const settle = (settled: { outcome?: O; error?: unknown }) => {
      try {
        onSettled?.({ ...settled, durationMs: Date.now() - started });
      } catch (error) {
        ctx.log.error({ err: error }, `${operation}: could not record the audit line`);
      }
    };
    let outcome: O;
    try {
      outcome = await call();
    } catch (error) {
      if (error instanceof InvalidInputsError) {
        metrics.recordOperation(kind, 'bad_input');
        throw checked.refuse(error.problems);
      }
      metrics.recordOperation(kind, 'error');
      settle({ error });
      throw error;
    }
    settle({ outcome });
    // Payload messages leave out upstream addresses, paths and non-JSON bodies; the detail is here.
    if (ctx.log.isLevelEnabled('debug')) {
      for (const error of outcome.errors.filter((e) => e.detail).slice(0, MAX_LOGGED_DETAILS)) {
        ctx.log.debug(
          {
            operation,
            category: error.category,
            ...(error.subCategory ? { subCategory: error.subCategory } : {}),
            ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}),
            ids: error.ids.length,
            detail: error.detail,
          },
          `${operation}: ${error.category} for ${error.ids.length} id${error.ids.length === 1 ? '' : 's'}`,
        );
      }
    }
    const failed = outcome.numErrors;
    const succeeded = outcome.results.length;
    const result: OperationOutcome =
      outcome.status === 'CANCELED'
        ? 'canceled'
        : failed === 0
          ? 'complete'
          : succeeded === 0
            ? 'failed'
            : 'partial';
    metrics.recordOperation(kind, result, {
      operation,
      succeeded,
      failed,
      durationMs: Date.now() - started,
    });
    ctx.log.info(
      {
        operation,
        ids: checked.inputs.length,
        status: outcome.status,
        succeeded,
        failed,
        ...(outcome.stopReason ? { stopReason: outcome.stopReason } : {}),
        categories: [...new Set(outcome.errors.map((e) => e.category))],
        requests: outcome.stats.requests,
        retries: outcome.stats.retries,
        rateLimited: outcome.stats.rateLimited,
        durationMs: outcome.stats.durationMs,
      },
      `${operation} finished: ${succeeded} succeeded, ${failed} failed`,
    );
    return outcome;
  }

  /** Wraps validation so refusals are counted too. */
  function validated<T>(kind: 'mutation' | 'query', check: () => T): T {
    try {
      return check();
    } catch (error) {
      metrics.recordOperation(kind, 'bad_input');
      throw error;
    }
  }

  function scoped(kind: 'mutation' | 'query', ctx: GatewayContext, scope: string, action: string) {
    try {
      requireScope(ctx.caller, scope, action);
    } catch (error) {
      metrics.recordOperation(kind, 'forbidden');
      throw error;
    }
  }

  const jobs = createJobResolvers({
    config,
    shutdownSignal: deps.shutdownSignal,
    stopReasons: STOP_REASONS,
    ...(deps.audit ? { audit: deps.audit } : {}),
  });

  const payloadFields = {
    stopReason: (parent: { stopReason?: CoreStopReason }) =>
      parent.stopReason ? STOP_REASONS[parent.stopReason] : null,
    links: (parent: { links: Record<string, string> }) => parent.links,
  };

  return {
    DateTime: DateTimeScalar,
    JSON: JSONScalar,

    Mutation: {
      async updateCampaigns(_parent, { inputs }, ctx) {
        scoped('mutation', ctx, config.auth.writeScope, 'updateCampaigns');
        const checked = validated('mutation', () => checkUpdateInputs(inputs, config.limits));
        const updates = checked.inputs;
        return run(
          'mutation',
          'update',
          ctx,
          checked,
          () => updateCampaigns(hubspotOf(ctx), updates, runOptions(ctx)),
          ({ outcome, error, durationMs }) =>
            deps.audit?.record({
              requestId: ctx.requestId,
              caller: ctx.caller,
              inputs: updates,
              ...(outcome ? { outcome } : { error }),
              durationMs,
            }),
        );
      },
      ...jobs.Mutation,
    },

    Query: {
      async campaigns(_parent, { ids, properties }, ctx) {
        scoped('query', ctx, config.auth.readScope, 'campaigns');
        const checked = validated('query', () => checkReadIds(ids, properties, config.limits));
        return run('query', 'read', ctx, checked, () =>
          readCampaigns(hubspotOf(ctx), checked.inputs, {
            ...runOptions(ctx),
            ...(properties?.length ? { properties: [...properties] } : {}),
          }),
        );
      },
      async campaignList(_parent, args, ctx) {
        scoped('query', ctx, config.auth.readScope, 'campaignList');
        const query = validated('query', () => listQueryOf(args));
        try {
          const page = await campaignList({ ...deps, hubspot: hubspotOf(ctx) }, query, ctx);
          metrics.recordOperation('query', 'complete');
          return page;
        } catch (error) {
          metrics.recordOperation('query', 'error');
          throw error;
        }
      },
      ...jobs.Query,
    },

    Subscription: jobs.Subscription,
    CampaignUpdateJob: jobs.CampaignUpdateJob,
    CampaignConnection: jobs.CampaignConnection,
    CampaignEdge: jobs.CampaignEdge,
    CampaignBatchErrorPage: jobs.CampaignBatchErrorPage,

    UpdateCampaignsPayload: payloadFields,
    CampaignsPayload: payloadFields,

    Campaign: {
      // Sorted by name (the default sort: UTF-16 code units, as `<`), one object per property.
      properties: (campaign: CampaignModel) => {
        const properties = campaign.properties ?? {};
        return Object.keys(properties)
          .sort()
          .map((name) => ({ name, value: properties[name] ?? null }));
      },
      // Own properties only: `__proto__`, `constructor` or `toString` must not reach Object.prototype.
      property: (campaign: CampaignModel, { name }) => {
        const properties = campaign.properties;
        if (!properties || !Object.hasOwn(properties, name)) return null;
        const value: unknown = properties[name];
        return typeof value === 'string' ? value : null;
      },
      // The core's lists are frozen (read-only); GraphQL's execution only reads them.
      businessUnits: (campaign: CampaignModel) =>
        (campaign.businessUnits ?? []) as BusinessUnitModel[],
    },

    BusinessUnit: {
      // int64 upstream: a decimal string keeps ids above 2^31 intact (GraphQL Int is 32-bit).
      id: (unit) => String(unit.id),
    },

    CampaignBatchError: {
      subCategory: (error) => error.subCategory ?? null,
      details: (error) => error.errors ?? [],
      context: (error) => error.context ?? null,
      links: (error) => error.links ?? null,
      httpStatus: (error) => error.httpStatus ?? null,
      correlationId: (error) => error.correlationId ?? null,
    },

    ErrorDetail: {
      subCategory: (detail) =>
        typeof detail.subCategory === 'string'
          ? detail.subCategory
          : detail.subCategory
            ? JSON.stringify(detail.subCategory)
            : null,
      context: (detail) => detail.context ?? null,
    },
  };
}
