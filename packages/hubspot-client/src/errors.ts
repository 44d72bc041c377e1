// Typed failures: a caller (the core's retry logic, the gateway) switches on these fields
// instead of parsing messages. None of them carries a credential.
import { redactString, redactValue } from '@campaigns/redact';
import type { RateLimitInfo } from './rate-limit.js';
import type { ErrorDetail, HubSpotError } from './types.js';

/**
 * A parsed JSON error body, read as untrusted (any field may be missing): HubSpot's `Error`
 * schema (a whole-request failure: 400, 401, 403, 404, 5xx), or a 429's body, whose fields
 * (`errorType`, `policyName`) are not in a schema HubSpot publishes and so are named here.
 */
export type HubSpotErrorBody = Partial<HubSpotError> & {
  status?: string;
  errorType?: string;
  policyName?: string;
  [key: string]: unknown;
};

/** Rate-limit policies HubSpot names in 429 bodies. */
export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY' | (string & {});

interface HubSpotApiErrorInit {
  status: number;
  method: string;
  path: string;
  body: HubSpotErrorBody | string | undefined;
  rateLimit: RateLimitInfo;
  retryAfterMs: number | undefined;
  /** From the request leaving to its answer, in ms (the client measures it). */
  roundTripMs?: number;
  secrets: readonly string[];
}

/**
 * HubSpot (or an edge in front of it) failed to serve the request, through no fault of the
 * request: 5xx and 408. The one place this is decided: the client's `retryable`, the core's
 * retries and the gateway's readiness all ask here.
 */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408;
}

/** A non-2xx answer from HubSpot, with its JSON body read once into typed fields. */
export class HubSpotApiError extends Error {
  override readonly name = 'HubSpotApiError';
  /** HTTP status. */
  readonly status: number;
  /** `category` of the body (`VALIDATION_ERROR`, `MISSING_SCOPES`, ...), or `RATE_LIMIT` for 429s. */
  readonly category: string | undefined;
  readonly subCategory: string | undefined;
  readonly correlationId: string | undefined;
  /** HubSpot's own `message` from a JSON body (redacted), when it sent one. */
  readonly hubspotMessage: string | undefined;
  /** The body's item details (`errors[]`: message, `in`, `context` naming ids or properties); `[]` when none. */
  readonly errors: ErrorDetail[];
  /** The body's `context` (e.g. `{ ids: [...] }`); `{}` when none. */
  readonly context: Record<string, string[]>;
  /** The body's `links`; `{}` when none. */
  readonly links: Record<string, string>;
  /** For 429s: which limit was hit. */
  readonly policyName: RateLimitPolicy | undefined;
  /** `Retry-After` in ms, when HubSpot sent it. */
  readonly retryAfterMs: number | undefined;
  /** HTTP method and path (relative to the API host, without query) of the failed request. */
  readonly method: string;
  readonly path: string;
  /**
   * Parsed body (JSON object, or text when not JSON), with any credential redacted. Its fields
   * are read into the ones above: use those.
   */
  readonly body: HubSpotErrorBody | string | undefined;
  /** Rate-limit headers of the failed response. */
  readonly rateLimit: RateLimitInfo;
  /** From the request leaving (token in hand) to this answer, in ms, when the client measured it. */
  readonly roundTripMs: number | undefined;
  /**
   * What may be shown to an end user: the status, the category and HubSpot's own JSON message,
   * never the path, the host or a non-JSON body (an edge's HTML page). `message` has all of it.
   */
  readonly summary: string;

  constructor(init: HubSpotApiErrorInit) {
    const body = redactValue(init.body, init.secrets);
    const obj = typeof body === 'object' && body !== null ? body : undefined;
    const category =
      typeof obj?.category === 'string'
        ? obj.category
        : typeof obj?.errorType === 'string'
          ? obj.errorType
          : init.status === 429
            ? 'RATE_LIMIT'
            : undefined;
    const upstreamMessage =
      typeof obj?.message === 'string'
        ? obj.message
        : typeof body === 'string' && body.trim()
          ? body.trim().slice(0, 200)
          : 'no message';
    super(
      `HubSpot answered ${init.status}${category ? ` ${category}` : ''} to ${init.method} ${init.path}: ${redactString(upstreamMessage, init.secrets)}`,
    );
    this.status = init.status;
    this.category = category;
    this.subCategory = typeof obj?.subCategory === 'string' ? obj.subCategory : undefined;
    this.correlationId = typeof obj?.correlationId === 'string' ? obj.correlationId : undefined;
    this.policyName = typeof obj?.policyName === 'string' ? obj.policyName : undefined;
    this.hubspotMessage = typeof obj?.message === 'string' && obj.message ? obj.message : undefined;
    this.errors = Array.isArray(obj?.errors) ? obj.errors : [];
    this.context = isRecord(obj?.context) ? obj.context : {};
    this.links = isRecord(obj?.links) ? obj.links : {};
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.path = init.path;
    this.body = body;
    this.rateLimit = init.rateLimit;
    this.roundTripMs = init.roundTripMs;
    const jsonMessage =
      typeof obj?.message === 'string' && obj.message.trim() ? obj.message.trim() : undefined;
    this.summary = `HubSpot answered ${init.status}${category ? ` ${category}` : ''}${
      jsonMessage
        ? `: ${redactString(jsonMessage, init.secrets)}`
        : body === undefined
          ? ' with an empty body'
          : obj
            ? ''
            : ' with a non-JSON body'
    }`;
  }

  /** True for answers worth retrying as they are: 429 (except DAILY), 5xx and 408. */
  get retryable(): boolean {
    if (this.status === 429) return this.policyName !== 'DAILY';
    return isTransientStatus(this.status);
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      category: this.category,
      subCategory: this.subCategory,
      correlationId: this.correlationId,
      policyName: this.policyName,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      path: this.path,
      body: this.body,
      rateLimit: this.rateLimit,
      summary: this.summary,
    };
  }
}

function isRecord<T>(value: T): value is Extract<T, object> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type HubSpotNetworkErrorKind = 'timeout' | 'network';

/** No HTTP answer: the request timed out, or the connection failed or dropped. */
export class HubSpotNetworkError extends Error {
  override readonly name = 'HubSpotNetworkError';
  readonly kind: HubSpotNetworkErrorKind;
  readonly method: string;
  readonly path: string;
  /** For timeouts: the limit that was exceeded. */
  readonly timeoutMs: number | undefined;
  /**
   * True when HubSpot may have received the whole request and acted on it: the request went out
   * in full before the timeout or the failure, or an answer had started when the connection was
   * cut. False when the client knows it did not get that far (a refused connection, a reset
   * before the request was written). With an injected `fetch` the client cannot see the wire:
   * every timeout counts, no other failure does. A retry of such a request may apply it twice:
   * safe for an update or an archive, not for a create.
   */
  readonly mayHaveBeenProcessed: boolean;
  /** Sanitised description of the underlying error (name, message, code), never the original. */
  declare readonly cause: { name: string; message: string; code?: string } | undefined;
  /** What may be shown to an end user: no host, address, port, path or system error text. */
  readonly summary: string;

  constructor(init: {
    kind: HubSpotNetworkErrorKind;
    method: string;
    path: string;
    timeoutMs?: number;
    cause?: unknown;
    mayHaveBeenProcessed?: boolean;
    secrets: readonly string[];
  }) {
    const cause = describeCause(init.cause, init.secrets);
    const what =
      init.kind === 'timeout'
        ? `timed out after ${init.timeoutMs} ms`
        : `failed: ${cause?.message ?? 'network error'}${cause?.code ? ` (${cause.code})` : ''}`;
    super(`HubSpot request ${init.method} ${init.path} ${what}`, cause ? { cause } : undefined);
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    this.timeoutMs = init.timeoutMs;
    this.mayHaveBeenProcessed = init.mayHaveBeenProcessed ?? false;
    this.summary =
      init.kind === 'timeout'
        ? `HubSpot did not answer within ${init.timeoutMs} ms`
        : `HubSpot could not be reached (${networkReason(cause?.code)})`;
  }

  /** Timeouts and dropped connections are transient. */
  get retryable(): boolean {
    return true;
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      method: this.method,
      path: this.path,
      timeoutMs: this.timeoutMs,
      mayHaveBeenProcessed: this.mayHaveBeenProcessed,
      cause: this.cause,
      summary: this.summary,
    };
  }
}

/**
 * HubSpot's answer was larger than the default transport reads (`MAX_ANSWER_BYTES`): it
 * was dropped unread. HubSpot did answer (and may have applied the request), so a retry would
 * only fetch the same answer again: not retryable. The core books it as an unexpected error.
 */
export class HubSpotAnswerTooLargeError extends Error {
  override readonly name = 'HubSpotAnswerTooLargeError';
  readonly method: string;
  readonly path: string;
  /** The answer's HTTP status. */
  readonly status: number;
  /** The most the transport reads, in bytes. */
  readonly limitBytes: number;
  /** What may be shown to an end user. */
  readonly summary: string;

  constructor(init: { method: string; path: string; status: number; limitBytes: number }) {
    super(
      `HubSpot answered ${init.status} to ${init.method} ${init.path} with more than ${init.limitBytes} bytes: not read`,
    );
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.limitBytes = init.limitBytes;
    this.summary = `HubSpot's answer was larger than ${init.limitBytes} bytes and was not read`;
  }

  get retryable(): boolean {
    return false;
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      method: this.method,
      path: this.path,
      status: this.status,
      limitBytes: this.limitBytes,
      summary: this.summary,
    };
  }
}

/**
 * The token provider failed (e.g. an OAuth refresh could not reach its endpoint) or gave no
 * token. Nothing was sent to HubSpot. Retryable: a refresh that failed may well work next time.
 */
export class HubSpotTokenError extends Error {
  override readonly name = 'HubSpotTokenError';
  declare readonly cause: { name: string; message: string; code?: string } | undefined;
  /** What may be shown to an end user: not the token endpoint's address nor its error text. */
  readonly summary: string;

  constructor(init: { method: string; path: string; cause?: unknown; reason?: string }) {
    const cause = describeCause(init.cause, []);
    super(
      `no HubSpot token for ${init.method} ${init.path}: ${init.reason ?? `the token provider failed: ${cause?.message ?? 'unknown error'}`}`,
      cause ? { cause } : undefined,
    );
    // A provider's error may say what is safe to show in its own `summary` (as ours do).
    const given = (init.cause as { summary?: unknown } | undefined)?.summary;
    this.summary = `no HubSpot access token: ${
      init.reason ??
      (typeof given === 'string' && given.trim()
        ? redactString(given.trim().slice(0, 200), [])
        : 'the token provider failed')
    }`;
  }

  get retryable(): boolean {
    return true;
  }

  toJSON() {
    return { name: this.name, message: this.message, cause: this.cause, summary: this.summary };
  }
}

/** A network failure in words, from its system or undici code; never an address. */
function networkReason(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'connection dropped';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS lookup failed';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return code && /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code)
        ? 'TLS failure'
        : 'network error';
  }
}

function describeCause(error: unknown, secrets: readonly string[]) {
  if (error === undefined) return undefined;
  // undici wraps socket errors: the useful code sits on error.cause.
  const inner = (error as { cause?: unknown })?.cause;
  const code =
    (error as { code?: unknown })?.code ?? (inner as { code?: unknown } | undefined)?.code;
  const name = error instanceof Error ? error.name : 'Error';
  const message =
    error instanceof Error
      ? inner instanceof Error && inner.message
        ? `${error.message}: ${inner.message}`
        : error.message
      : String(error);
  return {
    name,
    message: redactString(message, secrets),
    ...(typeof code === 'string' ? { code: redactString(code, secrets) } : {}),
  };
}

export function isHubSpotApiError(error: unknown): error is HubSpotApiError {
  return error instanceof HubSpotApiError;
}

export function isHubSpotNetworkError(error: unknown): error is HubSpotNetworkError {
  return error instanceof HubSpotNetworkError;
}
