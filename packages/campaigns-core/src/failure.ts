// Sorts whatever a HubSpot call threw into what the runner can act on: retry, isolate, stop.
import {
  HubSpotApiError,
  HubSpotNetworkError,
  HubSpotTokenError,
  isTransientStatus,
} from '@campaigns/hubspot-client';
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
    if (isTransientStatus(error.status)) return { kind: 'transient', error };
    return { kind: 'rejected', error };
  }
  return { kind: 'unexpected', error };
}

/**
 * True for a failure after which HubSpot may have applied the request all the same: a network
 * error the client flags `mayHaveBeenProcessed` (the request went out in full before it timed out
 * or the connection failed, or an answer was cut). Sending it again is safe only where doing it
 * twice does no more than once.
 */
export function mayHaveBeenApplied(failure: Failure): boolean {
  return failure.error instanceof HubSpotNetworkError && failure.error.mayHaveBeenProcessed;
}

function msUntilUtcMidnight(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - now;
}

/** The most of a failure's detail kept in an outcome (its `detail` field). */
const MAX_DETAIL_LENGTH = 1000;

/**
 * A failure in two parts: `summary`, one line safe to show to whoever asked for the operation
 * (status, category, HubSpot's own JSON message; never a host, address, port, path, URL or
 * non-JSON body), and `detail`, everything known (for logs and internal tools). Neither
 * includes credentials: the client redacts them before any of this is built.
 */
export function describeFailure(error: unknown): { summary: string; detail: string } {
  const detail = (
    error instanceof Error ? error.message : typeof error === 'string' ? error : String(error)
  ).slice(0, MAX_DETAIL_LENGTH);
  if (
    error instanceof HubSpotApiError ||
    error instanceof HubSpotNetworkError ||
    error instanceof HubSpotTokenError
  )
    return { summary: error.summary, detail };
  // The core's own message: it names no address.
  if (error instanceof DailyLimitReachedError) return { summary: error.message, detail };
  const name = error instanceof Error && /^\w{1,64}$/.test(error.name) ? error.name : 'Error';
  return { summary: `an unexpected ${name} ended this request`, detail: `${name}: ${detail}` };
}
