// Sorts whatever a HubSpot call threw into what the runner can act on: retry, isolate, stop.
import { HubSpotApiError, HubSpotNetworkError, HubSpotTokenError } from '@campaigns/hubspot-client';
import { DailyLimitReachedError } from './limiter.js';

export type Failure =
  | { kind: 'rate-limited'; error: HubSpotApiError; retryAfterMs: number | undefined }
  | { kind: 'daily-limit'; error: HubSpotApiError | DailyLimitReachedError; resetsAt: number }
  | { kind: 'auth'; error: HubSpotApiError }
  | { kind: 'validation'; error: HubSpotApiError }
  | { kind: 'transient'; error: HubSpotApiError | HubSpotNetworkError | HubSpotTokenError }
  | { kind: 'rejected'; error: HubSpotApiError }
  | { kind: 'unexpected'; error: unknown };

export function classifyFailure(error: unknown, now: number = Date.now()): Failure {
  if (error instanceof DailyLimitReachedError)
    return { kind: 'daily-limit', error, resetsAt: error.resetsAt };
  // A token refresh that failed is as transient as a dropped connection: nothing reached HubSpot.
  if (error instanceof HubSpotNetworkError || error instanceof HubSpotTokenError)
    return { kind: 'transient', error };
  if (error instanceof HubSpotApiError) {
    if (error.status === 429) {
      if (error.policyName === 'DAILY') {
        return {
          kind: 'daily-limit',
          error,
          resetsAt: now + (error.retryAfterMs ?? msUntilUtcMidnight(now)),
        };
      }
      return { kind: 'rate-limited', error, retryAfterMs: error.retryAfterMs };
    }
    if (error.status === 401 || error.status === 403) return { kind: 'auth', error };
    if (error.status === 400) return { kind: 'validation', error };
    if (error.status >= 500 || error.status === 408) return { kind: 'transient', error };
    return { kind: 'rejected', error };
  }
  return { kind: 'unexpected', error };
}

function msUntilUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - now;
}

/** A one-line description of a failure for error messages (never includes credentials). */
