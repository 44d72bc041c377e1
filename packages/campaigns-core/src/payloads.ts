// The error payloads a run puts in its outcome, built from what failed: HubSpot's own errors
// (passed through) and the core's categories (CANCELED, RETRIES_EXHAUSTED, ...). Pure functions.
import { HubSpotApiError, HubSpotTokenError } from '@campaigns/hubspot-client';
import type { BatchItemError } from './api.js';
import { describeFailure, type Failure } from './failure.js';
import type { ErrorPayload } from './merge.js';
import { CoreCategory, type StopReason } from './outcome.js';

/** A failure's two texts: `summary` for the outcome's message, `detail` for logs. */
export type FailureText = ReturnType<typeof describeFailure>;

/** An item error of a 207 (or a 2xx naming errors), with the status it came with. */
export function standardErrorPayload(error: BatchItemError, httpStatus: number): ErrorPayload {
  const { subCategory, ...rest } = error;
  return {
    ...rest,
    errors: error.errors ?? [],
    context: { ...(error.context ?? {}) },
    links: error.links ?? {},
    httpStatus,
    ...(typeof subCategory === 'string' ? { subCategory } : {}),
  };
}

/** A whole-request failure HubSpot answered, with the details the client read from its body. */
export function apiErrorPayload(error: HubSpotApiError): ErrorPayload {
  return {
    status: 'error',
    category: categoryOf(error),
    ...(error.subCategory ? { subCategory: error.subCategory } : {}),
    // HubSpot's own JSON message, else the summary: never the path or a non-JSON body.
    message: error.hubspotMessage ?? error.summary,
    detail: describeFailure(error).detail,
    errors: error.errors,
    context: { ...error.context },
    links: error.links,
    httpStatus: error.status,
    ...(error.correlationId ? { correlationId: error.correlationId } : {}),
  };
}

/** The category HubSpot filed an answered failure under, else `HTTP_<status>`. */
function categoryOf(error: HubSpotApiError): string {
  return error.category ?? `HTTP_${error.status}`;
}

/** What an answered failure adds to a payload of the core's own: its status and correlation id. */
function answerFields(api: HubSpotApiError | undefined): Partial<ErrorPayload> {
  return {
    ...(api ? { httpStatus: api.status } : {}),
    ...(api?.correlationId ? { correlationId: api.correlationId } : {}),
  };
}

/** An error of the core's own making: HubSpot's StandardError shape with empty details. */
/** An error payload of the core's own (no HubSpot answer behind it). */
export function corePayload(
  category: string,
  message: string,
  extra: Partial<ErrorPayload> = {},
): ErrorPayload {
  return { status: 'error', category, message, errors: [], context: {}, links: {}, ...extra };
}

export function exhaustedPayload(attempts: number, failure: Failure): ErrorPayload {
  const error = failure.error;
  const api = error instanceof HubSpotApiError ? error : undefined;
  const { summary, detail } = describeFailure(error);
  return corePayload(
    CoreCategory.RETRIES_EXHAUSTED,
    `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}; last failure: ${summary}`,
    {
      detail,
      subCategory: api ? categoryOf(api) : error instanceof HubSpotTokenError ? 'TOKEN' : 'NETWORK',
      ...answerFields(api),
    },
  );
}

export function dailyPayload(error: unknown): ErrorPayload {
  const api = error instanceof HubSpotApiError ? error : undefined;
  const { summary, detail } = describeFailure(error);
  return corePayload(CoreCategory.DAILY_LIMIT_REACHED, `not sent: ${summary}`, {
    detail,
    ...answerFields(api),
  });
}

export function notSentAfterAuthPayload(error: HubSpotApiError): ErrorPayload {
  return corePayload(
    CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE,
    `not sent: the run stopped when HubSpot refused the credentials (${error.status} ${error.category ?? ''})`.trim(),
    { subCategory: categoryOf(error) },
  );
}

export function canceledPayload(
  reason: StopReason,
  deadlineMs?: number,
  lastFailure?: FailureText,
): ErrorPayload {
  const why =
    reason === 'deadline' ? `the deadline of ${deadlineMs} ms passed` : 'the run was canceled';
  return corePayload(
    CoreCategory.CANCELED,
    `never sent: ${why}${lastFailure ? ` (an earlier attempt failed: ${lastFailure.summary})` : ''}`,
    lastFailure ? { detail: lastFailure.detail } : {},
  );
}

export function inFlightPayload(reason: StopReason): ErrorPayload {
  return corePayload(
    CoreCategory.CANCELED_IN_FLIGHT,
    `${reason === 'deadline' ? 'the deadline passed' : 'the run was canceled'} while this request was in flight: HubSpot may or may not have applied it`,
  );
}

export function unexpectedPayload(error: unknown): ErrorPayload {
  const { summary, detail } = describeFailure(error);
  return corePayload(CoreCategory.UNEXPECTED_ERROR, summary, { detail });
}
