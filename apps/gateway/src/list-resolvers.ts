// campaignList: one page of HubSpot's campaign list, read by the core's listCampaignsPage through
// the process's one HubSpot client and rate budget, the caller's turn on it like any operation.
// Arguments are checked here (bounds, the cursor's shape, property names) before anything is
// sent; HubSpot's cursor goes back and forth as it is.
import {
  checkPropertyName,
  DEFAULT_LIST_PROPERTIES,
  listCampaignsPage,
  ListPageError,
  MAX_LIST_PAGE_SIZE,
  type ListQuery,
  type RateBudget,
} from '@campaigns/core';
import type { HubSpotClient, PublicCampaign } from '@campaigns/hubspot-client';
import { GraphQLError } from 'graphql';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import type { CampaignSort, QueryCampaignListArgs } from './generated/resolvers-types.js';
import { badUserInput } from './input.js';
import type { CampaignConnectionModel } from './models.js';

/** `first` when not given: HubSpot's own default page. */
export const DEFAULT_LIST_FIRST = 50;
/**
 * The longest `after` passed on to HubSpot, and the characters it may hold: HubSpot's cursors are
 * opaque, and its documented ones are percent-encoded base64 ("NTI1Cg%3D%3D"), so letters,
 * digits, `%` and base64's and URLs' safe punctuation, nothing that could change the query.
 */
export const MAX_CURSOR_LENGTH = 256;
const CURSOR = /^[A-Za-z0-9%=._~+/-]+$/;
/** The longest `name` filter: HubSpot's `hs_name` is at most 255 characters. */
export const MAX_NAME_FILTER_LENGTH = 255;
/** Property names one page may ask for. */
export const MAX_LIST_PROPERTIES = 100;

const SORTS: Record<CampaignSort, string> = {
  NAME: 'hs_name',
  NAME_DESC: '-hs_name',
  CREATED_AT: 'createdAt',
  CREATED_AT_DESC: '-createdAt',
  UPDATED_AT: 'updatedAt',
  UPDATED_AT_DESC: '-updatedAt',
};

function refuse(argument: string, message: string, extra: Record<string, unknown> = {}) {
  return badUserInput(`campaignList: ${message}`, { argument, ...extra });
}

/** The HubSpot query for these arguments, or BAD_USER_INPUT naming the argument. */
export function listQueryOf(args: QueryCampaignListArgs): ListQuery {
  const first = args.first ?? DEFAULT_LIST_FIRST;
  if (first < 1 || first > MAX_LIST_PAGE_SIZE)
    throw refuse(
      'first',
      `first must be from 1 to ${MAX_LIST_PAGE_SIZE} (HubSpot's largest page), got ${first}`,
      { limit: { argument: 'first', max: MAX_LIST_PAGE_SIZE, actual: first } },
    );
  const query: ListQuery = { limit: first, sort: SORTS[args.sort ?? 'NAME'] };
  if (args.after !== null && args.after !== undefined) {
    const { after } = args;
    if (after.length === 0 || after.length > MAX_CURSOR_LENGTH || !CURSOR.test(after))
      throw refuse(
        'after',
        `after must be a page's endCursor (1 to ${MAX_CURSOR_LENGTH} letters, digits or %=._~+/-)`,
      );
    query.after = after;
  }
  // An empty filter (a cleared search box) is no filter.
  if (args.name) {
    if (args.name.length > MAX_NAME_FILTER_LENGTH)
      throw refuse(
        'name',
        `name is ${args.name.length} characters, more than a campaign name has (${MAX_NAME_FILTER_LENGTH})`,
      );
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(args.name))
      throw refuse('name', 'name must not contain control characters');
    query.name = args.name;
  }
  const properties = args.properties?.length ? args.properties : DEFAULT_LIST_PROPERTIES;
  if (properties.length > MAX_LIST_PROPERTIES)
    throw refuse(
      'properties',
      `at most ${MAX_LIST_PROPERTIES} properties, got ${properties.length}`,
    );
  const problems = properties.flatMap((name, i) => {
    const message = checkPropertyName(name);
    return message ? [{ index: i, field: `properties[${i}]`, message }] : [];
  });
  if (problems.length > 0)
    throw refuse('properties', `${problems[0]!.field}: ${problems[0]!.message}`, { problems });
  query.properties = [...new Set(properties)];
  return query;
}

/**
 * Why HubSpot's list could not be read, as a GraphQL error (the message is safe to show). A
 * refusal (HubSpot's 400) is blamed on `after` only when the query sent one.
 */
export function listFailure(error: unknown, query: Pick<ListQuery, 'after'> = {}): unknown {
  if (!(error instanceof ListPageError)) return error;
  switch (error.failure) {
    case 'invalid':
      // Everything else was checked here: a cursor sent is the likeliest cause, not one of its own.
      return query.after !== undefined
        ? refuse('after', `HubSpot refused the query: ${error.message}`)
        : badUserInput(`campaignList: HubSpot refused the query: ${error.message}`, {
            source: 'HUBSPOT',
            ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}),
          });
    case 'aborted':
      return new GraphQLError('campaignList: the gateway is shutting down', {
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      });
    default:
      return new GraphQLError(`campaignList: HubSpot's list could not be read: ${error.message}`, {
        extensions: {
          code: 'HUBSPOT_UNAVAILABLE',
          reason: { auth: 'AUTH', 'daily-limit': 'DAILY_LIMIT', failed: 'FAILED' }[error.failure],
          ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}),
        },
      });
  }
}

/**
 * One page as a connection. HubSpot's cursors mark pages, not campaigns: every edge carries the
 * page's cursor (`pageInfo.endCursor`, empty on the last page).
 */
export function connectionOf(page: {
  total: number;
  results: PublicCampaign[];
  nextAfter?: string;
}): CampaignConnectionModel & { totalCount: number } {
  const cursor = page.nextAfter ?? '';
  return {
    items: page.results.map((campaign) => ({ cursor, campaign })),
    ...(page.nextAfter !== undefined ? { endCursor: page.nextAfter } : {}),
    hasNextPage: page.nextAfter !== undefined,
    totalCount: page.total,
  };
}

export interface ListDeps {
  hubspot: Pick<HubSpotClient, 'GET'>;
  budget: RateBudget;
  config: Pick<GatewayConfig, 'hubspot'>;
  shutdownSignal: AbortSignal;
}

/** Reads the page for `args` on `ctx`'s caller's turn. */
export async function campaignList(
  deps: ListDeps,
  query: ListQuery,
  ctx: GatewayContext,
): Promise<CampaignConnectionModel & { totalCount: number }> {
  try {
    const page = await listCampaignsPage(deps.hubspot, query, {
      budget: deps.budget,
      fairnessKey: ctx.caller.subject,
      signal: deps.shutdownSignal,
      retry: { maxAttempts: deps.config.hubspot.maxAttempts },
    });
    return connectionOf(page);
  } catch (error) {
    throw listFailure(error, query);
  }
}
