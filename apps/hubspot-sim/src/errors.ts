// HubSpot's error bodies, built in one place so every failure the sim sends has the shape the
// client and the core parse: `Error` for whole requests, `StandardError` inside 207s.
import { randomUUID } from 'node:crypto';
import type { ErrorDetail, StandardError } from '@campaigns/hubspot-client';

/** A whole-request failure as HubSpot sends it (the spec's `Error` plus `status`). */
export interface HubSpotErrorBody {
  status: 'error';
  category: string;
  correlationId: string;
  message: string;
  subCategory?: string;
  errors?: ErrorDetail[];
  context?: Record<string, string[]>;
  links?: Record<string, string>;
}

/** What a 429 carries instead of a category. */
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
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE';

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

/** The category a status most often carries, for faults scripted by status alone. */
export function categoryForStatus(status: number): ErrorCategory {
  if (status === 401) return 'INVALID_AUTHENTICATION';
  if (status === 403) return 'MISSING_SCOPES';
  if (status === 404) return 'OBJECT_NOT_FOUND';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'VALIDATION_ERROR';
}
