// One page of HubSpot's campaign list (GET /marketing/v3/campaigns), drawn from a rate budget and
// retried the way a chunk of the bulk operations is (the same failure classes and backoff): the
// one way the CLI's export and the gateway's campaignList read the list.
import { setTimeout as wait } from 'node:timers/promises';
import { HubSpotApiError, rateLimitOf, type HubSpotClient } from '@campaigns/hubspot-client';
import type { EveryVersionQuery, ListedCampaign, ListRequestQuery } from './api.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff.js';
import type { RateBudget } from './budget.js';
import { classifyFailure, describeFailure } from './failure.js';

/** HubSpot's largest page of the list (its `limit` is 1 to 100). */
export const MAX_LIST_PAGE_SIZE = 100;

/**
 * The properties to ask the list for when the caller names none: what an operator usually edits.
 * (Without `properties`, HubSpot's list returns every campaign with an empty `properties` map.)
 */
export const DEFAULT_LIST_PROPERTIES: readonly string[] = [
  'hs_name',
  'hs_campaign_status',
  'hs_start_date',
  'hs_end_date',
  'hs_owner',
  'hs_goal',
  'hs_audience',
  'hs_notes',
];

/** HubSpot's list query, as it documents it. */
export interface ListQuery {
  /** Page size, 1 to {@link MAX_LIST_PAGE_SIZE}; HubSpot's default is 50. */
  limit?: number;
  /** `paging.next.after` of the previous page, passed as it is. */
  after?: string;
  /** Only campaigns whose name contains this text. */
  name?: string;
  /** `hs_name`, `createdAt` or `updatedAt`, a leading `-` for descending; HubSpot's default `hs_name`. */
  sort?: string;
  properties?: readonly string[];
}

export interface ListPage {
  /** Campaigns matching in all. */
  total: number;
  results: ListedCampaign[];
  /** Pass as `after` for the next page; absent on the last page. */
  nextAfter?: string;
}

export interface ListPageOptions {
  /** The budget every HubSpot call of this token draws from. */
  budget: RateBudget;
  /** Whose turn this call takes on the budget (the caller). */
  fairnessKey?: string;
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  /** Told of each retry (after a failed attempt, before the backoff), e.g. to count them. */
  onRetry?: (event: { attempt: number; rateLimited: boolean; summary: string }) => void;
}

/** Why a page could not be read; `message` is safe to show (no host, path or body). */
export type ListFailure =
  /** HubSpot refused the credentials (401/403). */
  | 'auth'
  /** The daily request limit is used up (the budget refuses every call until it resets). */
  | 'daily-limit'
  /** `signal` was aborted. */
  | 'aborted'
  /** HubSpot refused the query (400: a bad `after`, `sort` or `limit`). */
  | 'invalid'
  /** Still failing after every attempt, or refused in a way no retry changes. */
  | 'failed';

export class ListPageError extends Error {
  override readonly name = 'ListPageError';
  constructor(
    readonly failure: ListFailure,
    message: string,
    /** HubSpot's HTTP status, when it answered. */
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Reads one page of the list: waits for the budget (taking `fairnessKey`'s turn), sends, tells
 * the budget how it went, and retries rate limits and transient failures with the core's backoff
 * up to `retry.maxAttempts`. Throws a {@link ListPageError} saying why it could not.
 */
export async function listCampaignsPage(
  client: Pick<HubSpotClient, 'GET'>,
  query: ListQuery,
  options: ListPageOptions,
): Promise<ListPage> {
  const { budget, fairnessKey, signal } = options;
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const { properties, ...rest } = query;
  // Typed as every version takes the list's query: a parameter renamed in one version fails here.
  const params: EveryVersionQuery<typeof rest & { properties?: string[] }, ListRequestQuery> = {
    ...rest,
    ...(properties ? { properties: [...properties] } : {}),
  };
  const aborted = () => new ListPageError('aborted', 'the list was canceled');
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw aborted();
    let grantedAt: number;
    try {
      grantedAt = await budget.acquire(signal, fairnessKey);
    } catch (error) {
      if (signal?.aborted) throw aborted();
      const failure = classifyFailure(error);
      throw new ListPageError(
        failure.kind === 'daily-limit' ? 'daily-limit' : 'failed',
        describeFailure(error).summary,
        undefined,
        { cause: error },
      );
    }
    const sentAt = Date.now();
    try {
      const { data, response } = await client.GET('/', {
        params: { query: params },
        ...(signal ? { signal } : {}),
      });
      const info = rateLimitOf(response);
      if (info) budget.observe(info, grantedAt, fairnessKey);
      budget.answered(grantedAt, fairnessKey, 'succeeded', Date.now() - sentAt);
      const page = data!;
      const nextAfter = page.paging?.next?.after;
      return {
        total: page.total,
        results: page.results,
        ...(nextAfter !== undefined ? { nextAfter } : {}),
      };
    } catch (error) {
      const answered = error instanceof HubSpotApiError;
      if (answered && error.rateLimit) budget.observe(error.rateLimit, grantedAt, fairnessKey);
      budget.answered(grantedAt, fairnessKey, 'failed', answered ? Date.now() - sentAt : undefined);
      if (signal?.aborted) throw aborted();
      const failure = classifyFailure(error);
      const summary = describeFailure(error).summary;
      const status = answered ? error.status : undefined;
      switch (failure.kind) {
        case 'auth':
          throw new ListPageError('auth', `HubSpot refused the credentials: ${summary}`, status, {
            cause: error,
          });
        case 'daily-limit':
          budget.exhaust(failure.resetsAt);
          throw new ListPageError('daily-limit', summary, status, { cause: error });
        case 'validation':
          throw new ListPageError('invalid', summary, status, { cause: error });
        case 'rate-limited':
          budget.penalize(failure.retryAfterMs, grantedAt);
          break;
        case 'transient':
          break;
        default:
          throw new ListPageError('failed', summary, status, { cause: error });
      }
      if (attempt >= policy.maxAttempts)
        throw new ListPageError(
          'failed',
          `gave up after ${attempt} attempts; last failure: ${summary}`,
          status,
          { cause: error },
        );
      options.onRetry?.({ attempt, rateLimited: failure.kind === 'rate-limited', summary });
      await wait(backoffDelay(attempt, policy), undefined, signal ? { signal } : {}).catch(
        () => undefined,
      );
    }
  }
}
