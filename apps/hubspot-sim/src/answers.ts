// Every answer the simulator sends that is not a success, built in one place so each failure has
// the shape the client and the core parse: HubSpot's `Error` for whole requests (typed by the
// spec's generated types), `StandardError` inside 207s (or folded into a 200), and the 429 body.
import { randomUUID } from 'node:crypto';
import type { ErrorDetail, HubSpotError, StandardError } from '@campaigns/hubspot-client';
import type { PropertyViolation } from './properties.js';
import type { RateLimitPolicyName } from './rate-limit.js';

/** What one call answers: a status, a JSON body (a string is sent as it is) and headers. */
export interface ApiAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A whole-request failure as HubSpot sends it: the spec's `Error` plus `status`. */
export type HubSpotErrorBody = HubSpotError & { status: 'error' };

/**
 * What a 429 carries instead of a category. Hand-written, as in the client: `RateLimitError` is
 * not one of HubSpot's published component names, so HubSpot's own spec file can replace ours.
 */
export interface RateLimitErrorBody {
  status: 'error';
  message: string;
  errorType: 'RATE_LIMIT';
  correlationId: string;
  policyName: string;
}

export type ErrorCategory =
  | 'VALIDATION_ERROR'
  | 'INVALID_AUTHENTICATION'
  | 'MISSING_SCOPES'
  | 'OBJECT_NOT_FOUND'
  | 'RESOURCE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_IMPLEMENTED'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE';

// Error bodies.

export function errorBody(
  category: ErrorCategory,
  message: string,
  extras: Pick<HubSpotErrorBody, 'errors' | 'context' | 'links' | 'subCategory'> = {},
): HubSpotErrorBody {
  return { status: 'error', category, correlationId: randomUUID(), message, ...extras };
}

export function rateLimitErrorBody(policyName: string, message: string): RateLimitErrorBody {
  return {
    status: 'error',
    message,
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName,
  };
}

/** The item error of a 207: every id that failed for one reason, in `context.ids`. */
export function objectsNotFound(ids: readonly string[]): StandardError {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message:
      'Could not get some CAMPAIGN objects, they may be deleted or not exist. Check that ids are valid.',
    context: { ids: [...ids] },
    errors: [],
    links: {},
  };
}

/** The item errors of campaigns refused by `sim.refuse`: one per reason, naming its ids. */
export function refusedItems(
  refused: ReadonlyMap<string, { category: string; message: string }>,
): StandardError[] {
  const byReason = new Map<string, StandardError>();
  for (const [id, { category, message }] of refused) {
    const key = JSON.stringify([category, message]);
    const item = byReason.get(key);
    if (item) item.context.ids!.push(id);
    else
      byReason.set(key, {
        status: 'error',
        category,
        message,
        context: { ids: [id] },
        errors: [],
        links: {},
      });
  }
  return [...byReason.values()];
}

/** The category a status most often carries, for faults scripted by status alone. */
export function categoryForStatus(status: number): ErrorCategory {
  if (status === 401) return 'INVALID_AUTHENTICATION';
  if (status === 403) return 'MISSING_SCOPES';
  if (status === 404) return 'OBJECT_NOT_FOUND';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'VALIDATION_ERROR';
}

// Refusals before an operation runs, in the order the pipeline judges a call.

export function unauthorized(reason: 'missing' | 'unknown'): ApiAnswer {
  const message =
    reason === 'missing'
      ? 'Authentication credentials not found. This API supports OAuth 2.0 and private app access tokens sent as Authorization: Bearer <token>.'
      : 'The access token is not valid for this account: it is unknown, expired or revoked.';
  return { status: 401, body: errorBody('INVALID_AUTHENTICATION', message) };
}

export function tooManyRequests(
  policyName: RateLimitPolicyName,
  retryAfterSeconds: number,
): ApiAnswer {
  const message =
    policyName === 'DAILY'
      ? 'You have reached your daily limit.'
      : 'You have reached your ten_secondly_rolling limit.';
  return {
    status: 429,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    body: rateLimitErrorBody(policyName, message),
  };
}

/** An answer injected by a fault: 502 and 504 from HubSpot's edge as HTML, the rest as JSON. */
export function injectedAnswer(action: {
  status: number;
  policyName?: string;
  retryAfterSeconds?: number;
}): ApiAnswer {
  const headers: Record<string, string> =
    action.retryAfterSeconds === undefined
      ? {}
      : { 'Retry-After': String(action.retryAfterSeconds) };
  if (action.status === 429) {
    const policyName = action.policyName ?? 'TEN_SECONDLY_ROLLING';
    return {
      status: 429,
      headers,
      body: rateLimitErrorBody(
        policyName,
        `You have reached your ${policyName.toLowerCase()} limit.`,
      ),
    };
  }
  if (action.status === 502 || action.status === 504) {
    const title = action.status === 502 ? '502 Bad Gateway' : '504 Gateway Timeout';
    return {
      status: action.status,
      headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' },
      body: `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`,
    };
  }
  return {
    status: action.status,
    headers,
    body: errorBody(categoryForStatus(action.status), `Injected ${action.status} from hubspot-sim`),
  };
}

export function routeNotFound(pathname: string): ApiAnswer {
  return {
    status: 404,
    body: errorBody('RESOURCE_NOT_FOUND', `No Campaigns API endpoint at ${pathname}`),
  };
}

export function methodNotAllowed(routeKey: string, allowed: readonly string[]): ApiAnswer {
  return {
    status: 405,
    headers: { Allow: allowed.join(', ') },
    body: errorBody(
      'METHOD_NOT_ALLOWED',
      `${routeKey} is not allowed; use ${allowed.join(' or ')}`,
    ),
  };
}

/** 501: the spec declares the operation, but the simulator does not model what it does. */
export function notImplemented(routeKey: string, operationId: string): ApiAnswer {
  return {
    status: 501,
    body: errorBody(
      'NOT_IMPLEMENTED',
      `hubspot-sim does not model ${operationId} (${routeKey}): the spec declares it, the simulator has no handler for it`,
      { context: { operationId: [operationId], operation: [routeKey] } },
    ),
  };
}

export function missingScopesAnswer(missing: string[], required: string[]): ApiAnswer {
  return {
    status: 403,
    body: errorBody(
      'MISSING_SCOPES',
      `This app hasn't been granted all required scopes to make this call. Missing: ${missing.join(', ')}. Read more about required scopes here: https://developers.hubspot.com/scopes.`,
      {
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { missingScopes: missing, requiredScopes: required },
          },
        ],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
      },
    ),
  };
}

export function unsupportedMediaType(contentType: string | undefined): ApiAnswer {
  return {
    status: 415,
    body: errorBody(
      'UNSUPPORTED_MEDIA_TYPE',
      `Send the body as JSON with Content-Type: application/json, not ${contentType ?? 'no content type'}`,
    ),
  };
}

export function validationFailed(message: string, errors: ErrorDetail[]): ApiAnswer {
  return { status: 400, body: errorBody('VALIDATION_ERROR', message, { errors }) };
}

// The operations' own refusals and batch results.

/**
 * The spec's `maxItems` (`maxInputs`, of the spec being served) already refuses more than the
 * limit; this keeps it even if the schema check is loosened. An empty batch is refused too: it is
 * always a caller's bug.
 */
export function batchSizeProblem(count: number, maxInputs?: number): ApiAnswer | undefined {
  if (count === 0) {
    return validationFailed('inputs must not be empty', [
      { message: 'inputs must not be empty', code: 'MIN_ITEMS', in: 'inputs' },
    ]);
  }
  if (maxInputs !== undefined && count > maxInputs) {
    const message = `Batch of ${count} inputs is too large: at most ${maxInputs} inputs are allowed per request`;
    return validationFailed(message, [{ message, code: 'MAX_ITEMS', in: 'inputs' }]);
  }
  return undefined;
}

export function duplicateIds(duplicates: readonly string[]): ApiAnswer {
  return validationFailed(
    `Duplicate ids in inputs: ${duplicates.join(', ')}. Each campaign may appear once per request.`,
    duplicates.map((id) => ({
      message: `Campaign ${id} appears more than once in inputs`,
      code: 'DUPLICATE_ID',
      context: { ids: [id] },
    })),
  );
}

/**
 * 200/201 when every id was found. Else one `OBJECT_NOT_FOUND` error naming them all (and the
 * item errors given), in a 207 where the operation declares one, or folded into the 200/201 as
 * `errors` and `numErrors` where it does not (`multiStatus`, from the spec served).
 */
export function batchAnswer(
  { arrivedAt, multiStatus }: { arrivedAt: number; multiStatus: boolean },
  okStatus: number,
  results: unknown[],
  missingIds: string[],
  itemErrors: readonly StandardError[] = [],
): ApiAnswer {
  const times = {
    requestedAt: new Date(arrivedAt).toISOString(),
    startedAt: new Date(arrivedAt).toISOString(),
    completedAt: new Date().toISOString(),
  };
  if (missingIds.length === 0 && itemErrors.length === 0)
    return { status: okStatus, body: { status: 'COMPLETE', results, ...times } };
  const errors: StandardError[] = [
    ...(missingIds.length === 0 ? [] : [objectsNotFound(missingIds)]),
    ...itemErrors,
  ];
  return {
    status: multiStatus ? 207 : okStatus,
    body: { status: 'COMPLETE', results, numErrors: errors.length, errors, ...times },
  };
}

export interface LocatedViolation {
  violation: PropertyViolation;
  /** Where in the body, e.g. `inputs[3].properties.hs_start_date`. */
  in: string;
  /** The campaign, when the error may name it. */
  id?: string;
}

/** One 400 naming every offending property (and campaign), not just the first. */
export function invalidProperties(violations: LocatedViolation[]): ApiAnswer {
  const describe = ({ violation, id }: LocatedViolation) =>
    id === undefined ? violation.reason : `${violation.reason} (campaign ${id})`;
  const errors: ErrorDetail[] = violations.map((v) => ({
    message: describe(v),
    code: v.violation.code,
    in: v.in,
    context: {
      propertyName: [v.violation.propertyName],
      ...(v.id === undefined ? {} : { ids: [v.id] }),
    },
  }));
  return validationFailed(
    `Property values were not valid: ${violations.map(describe).join('; ')}`,
    errors,
  );
}

export function invalidParameter(name: string, message: string): ApiAnswer {
  return validationFailed(message, [{ message, code: 'INVALID_PARAMETER', in: name }]);
}

export function campaignNotFound(id: string): ApiAnswer {
  return {
    status: 404,
    body: errorBody('OBJECT_NOT_FOUND', `Campaign ${id} does not exist`, {
      context: { ids: [id] },
    }),
  };
}

// The admin endpoints' refusals.

export function adminMethodNotAllowed(allowed: string): ApiAnswer {
  return {
    status: 405,
    headers: { Allow: allowed },
    body: errorBody('METHOD_NOT_ALLOWED', `Use ${allowed} for this admin endpoint`),
  };
}

export function adminRouteNotFound(method: string, pathname: string): ApiAnswer {
  return {
    status: 404,
    body: errorBody('RESOURCE_NOT_FOUND', `No admin endpoint ${method} ${pathname}`),
  };
}

export function invalidSetting(message: string): ApiAnswer {
  return { status: 400, body: errorBody('VALIDATION_ERROR', message) };
}
