// createHubSpotClient: openapi-fetch typed by our generated `paths`, plus what every HubSpot
// call needs – the bearer token, a User-Agent, timeouts, rate-limit headers and typed errors.
import type { Tracer } from '@opentelemetry/api';
import { checkSecretLength, MIN_SECRET_LENGTH } from '@campaigns/redact';
import createClient, { type Client } from 'openapi-fetch';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import type { paths } from './generated/campaigns.js';
import {
  HubSpotApiError,
  HubSpotNetworkError,
  HubSpotTokenError,
  type HubSpotErrorBody,
} from './errors.js';
import { parseRateLimitHeaders, parseRetryAfter, type RateLimitInfo } from './rate-limit.js';
import { tracedSend } from './tracing.js';
import { campaignsApiRoot, CLIENT_VERSION, DEFAULT_BASE_URL, type ApiVersion } from './version.js';

/**
 * Where the bearer token comes from: a fixed private-app token, or a function asked before
 * every request (an OAuth provider that refreshes by TTL plugs in here).
 */
export type TokenProvider = string | (() => string | Promise<string>);

export interface RateLimitEvent {
  method: string;
  /** Path relative to the API host, without query. */
  path: string;
  status: number;
}

/** How one HTTP call to HubSpot ended, as the client knows it (see `onCall`). */
export interface HubSpotCall {
  method: string;
  /** Path relative to the API host, without query. */
  path: string;
  /**
   * `answered`: HubSpot sent a status (any, 2xx to 5xx); `timeout`: no answer within `timeoutMs`;
   * `network`: the connection failed; `canceled`: the caller's own signal stopped it.
   */
  outcome: 'answered' | 'timeout' | 'network' | 'canceled';
  status?: number;
}

export interface HubSpotClientOptions {
  /** Private-app token or token provider. Never logged, never put in an error. */
  token: TokenProvider;
  /** API host. Default `https://api.hubapi.com`; point it at the simulator in tests. */
  baseUrl?: string;
  /** `v3` (default) or a date version such as `2026-03`; changes the path prefix only. */
  apiVersion?: ApiVersion;
  /**
   * fetch implementation. Default: the client's own lean transport (undici's `request` over a
   * keep-alive connection pool, the answer read once), which allocates a fraction of what WHATWG
   * `fetch` does per call. Any `fetch` given here is used as it is.
   */
  fetch?: (request: Request) => Promise<Response>;
  /** Per-request timeout in ms, from sending to the end of the answer. Default 30 000; 0 disables. */
  timeoutMs?: number;
  /** User-Agent header. Default `campaigns-hubspot-client/<version>`. */
  userAgent?: string;
  /** Called with the parsed rate-limit headers of every response, successful or not. */
  onRateLimit?: (info: RateLimitInfo, event: RateLimitEvent) => void;
  /**
   * Called once for every HTTP call that was sent (not when the token provider failed), with how
   * it ended: health checks and metrics without wrapping `fetch` or guessing timeouts.
   */
  onCall?: (call: HubSpotCall) => void;
  /** Extra headers sent with every request. `Authorization` here is ignored. */
  headers?: Record<string, string>;
  /**
   * OpenTelemetry tracer: one CLIENT span per HTTP request, a child of the active context, with
   * `traceparent` injected by the global propagator. Without one, no tracing code runs at all.
   */
  tracer?: Tracer;
}

/**
 * Marks a client made by {@link createHubSpotClient}, i.e. one that keeps this package's contract:
 * a non-2xx answer rejects with {@link HubSpotApiError} (never resolves with `error`), and every
 * answer's rate-limit headers are parsed once, on the error (`rateLimit`) or for a 2xx through
 * {@link rateLimitOf}. A plain openapi-fetch client has no such mark, so code that relies on the
 * contract (`@campaigns/core`) can refuse one in its types and at run time.
 */
export const HUBSPOT_CLIENT: unique symbol = Symbol('@campaigns/hubspot-client');

export type HubSpotClient = Client<paths, 'application/json'> & {
  /** The URL generated paths are relative to, e.g. `https://api.hubapi.com/marketing/v3/campaigns`. */
  readonly apiRoot: string;
  readonly apiVersion: ApiVersion;
  readonly [HUBSPOT_CLIENT]: true;
};

/** True for a client made by {@link createHubSpotClient} (see {@link HUBSPOT_CLIENT}). */
export function isHubSpotClient(value: unknown): value is HubSpotClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [HUBSPOT_CLIENT]?: unknown })[HUBSPOT_CLIENT] === true
  );
}

/** The rate-limit headers of every 2xx answer a client of this package received, parsed once. */
const answeredRateLimits = new WeakMap<Response, RateLimitInfo>();

/**
 * The `X-HubSpot-RateLimit-*` headers of a 2xx `response` (from `{ data, response }`) as the
 * client parsed them when it arrived (the same object `onRateLimit` got); undefined for a
 * response no client of this package received. A failure carries them as `error.rateLimit`.
 */
export function rateLimitOf(response: Response): RateLimitInfo | undefined {
  return answeredRateLimits.get(response);
}

export { CLIENT_VERSION };
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_USER_AGENT = `campaigns-hubspot-client/${CLIENT_VERSION}`;

/**
 * A typed HubSpot Campaigns client. Non-2xx answers reject with {@link HubSpotApiError};
 * timeouts and connection failures reject with {@link HubSpotNetworkError}; a failing token
 * provider rejects with {@link HubSpotTokenError} (nothing sent); a caller's own
 * `signal` aborting rejects with that signal's reason.
 */
export function createHubSpotClient(options: HubSpotClientOptions): HubSpotClient {
  const apiVersion = options.apiVersion ?? 'v3';
  const apiRoot = campaignsApiRoot(options.baseUrl ?? DEFAULT_BASE_URL, apiVersion);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new TypeError(`timeoutMs must be a non-negative number, got ${timeoutMs}`);
  }
  if (typeof options.token !== 'string' && typeof options.token !== 'function') {
    throw new TypeError('token must be a string or a function returning the token');
  }
  // Every error redacts the token whatever its length; one too short to redact safely is refused.
  if (typeof options.token === 'string') checkSecretLength(options.token, 'token');
  const innerFetch = options.fetch ?? leanFetch;
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const extraHeaders = Object.entries(options.headers ?? {}).filter(
    ([name]) => name.toLowerCase() !== 'authorization',
  );
  const tracer = options.tracer;
  const apiPath = new URL(apiRoot).pathname.replace(/\/+$/, '');
  /** The OpenAPI path template of each request in flight (`/batch/update`, `/{campaignGuid}`), when traced. */
  const templates = tracer ? new WeakMap<Request, string>() : undefined;

  async function hubspotFetch(input: Request): Promise<Response> {
    const url = new URL(input.url);
    const method = input.method;
    const path = url.pathname;
    const token = await resolveToken(options.token, method, path);
    const secrets = [token];

    const headers = new Headers(input.headers);
    for (const [name, value] of extraHeaders) headers.set(name, value);
    headers.set('Authorization', `Bearer ${token}`);
    headers.set('User-Agent', userAgent);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');

    const callerSignal = input.signal;
    const timeout = timeoutMs > 0 ? requestTimeout(callerSignal, timeoutMs) : undefined;
    const request = new Request(input, { headers, signal: timeout?.signal ?? callerSignal });

    /** What a send or a body read that threw comes to: the caller's abort, a timeout, or a network failure. */
    const failed = (error: unknown): { outcome: HubSpotCall['outcome']; thrown: unknown } => {
      if (callerSignal.aborted) return { outcome: 'canceled', thrown: callerSignal.reason };
      if (timeout?.timedOut)
        return {
          outcome: 'timeout',
          thrown: new HubSpotNetworkError({ kind: 'timeout', method, path, timeoutMs, secrets }),
        };
      return {
        outcome: 'network',
        thrown: new HubSpotNetworkError({ kind: 'network', method, path, cause: error, secrets }),
      };
    };

    let response: Response;
    try {
      response = await (tracer
        ? tracedSend(tracer, request, templateOf(input), innerFetch)
        : innerFetch(request));
    } catch (error) {
      const { outcome, thrown } = failed(error);
      options.onCall?.({ method, path, outcome });
      throw thrown;
    }

    options.onCall?.({ method, path, outcome: 'answered', status: response.status });
    const rateLimit = parseRateLimitHeaders(response.headers);
    options.onRateLimit?.(rateLimit, {
      method,
      path,
      status: response.status,
    });
    if (response.ok) {
      answeredRateLimits.set(response, rateLimit);
      return response;
    }

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw failed(error).thrown;
    }
    throw new HubSpotApiError({
      status: response.status,
      method,
      path,
      body: parseBody(text),
      rateLimit,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      secrets,
    });
  }

  function templateOf(input: Request): string | undefined {
    const template = templates?.get(input);
    return template === undefined ? undefined : `${apiPath}${template}`;
  }

  const client = createClient<paths, 'application/json'>({ baseUrl: apiRoot, fetch: hubspotFetch });
  if (templates)
    client.use({
      onRequest({ request, schemaPath }) {
        templates.set(request, schemaPath);
      },
    });
  return Object.assign(client, { apiRoot, apiVersion, [HUBSPOT_CLIENT]: true as const });
}

let sharedAgent: Agent | undefined;
/** One keep-alive connection pool for every client on the default transport, made on first use. */
function defaultDispatcher(): Dispatcher {
  return (sharedAgent ??= new Agent({ keepAliveTimeout: 4_000 }));
}

/**
 * The default transport: `request` as a fetch would send it (method, headers, body, signal;
 * no redirects, which HubSpot's API does not use), through undici's `request` on a shared
 * keep-alive pool. The answer is read as text once, inside the request's signal (so the
 * timeout bounds the body too), and handed back as a {@link BufferedResponse}: no web streams,
 * no second copy of the body.
 */
async function leanFetch(request: Request): Promise<Response> {
  const body = request.body === null ? undefined : await request.text();
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const answer = await undiciRequest(request.url, {
    method: request.method as Dispatcher.HttpMethod,
    headers,
    body,
    signal: request.signal,
    dispatcher: defaultDispatcher(),
  });
  const text = await answer.body.text();
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
    else if (value !== undefined) responseHeaders.set(name, value);
  }
  return new BufferedResponse(text, answer.statusCode, responseHeaders);
}

/**
 * A `Response` whose body was already read as text: `text()` and `json()` return it without
 * another stream or decode (a 50-campaign answer is parsed once, from this one string); `body`
 * and `clone()` still work for code that wants them.
 */
export class BufferedResponse extends Response {
  readonly #text: string;
  #used = false;

  constructor(text: string, status: number, headers: Headers) {
    super(null, { status, headers });
    this.#text = text;
  }

  override get bodyUsed(): boolean {
    return this.#used;
  }

  override get body(): Response['body'] {
    if (this.#text === '') return null;
    this.#used = true;
    return new Response(this.#text).body;
  }

  override text(): Promise<string> {
    if (this.#used)
      return Promise.reject(new TypeError('Body is unusable: Body has already been read'));
    this.#used = true;
    return Promise.resolve(this.#text);
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = new TextEncoder().encode(await this.text());
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.text()], { type: this.headers.get('content-type') ?? '' });
  }

  override clone(): BufferedResponse {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#text, this.status, new Headers(this.headers));
  }
}

/**
 * A signal that aborts when the caller's does or after `timeoutMs`, and says which it was. Not
 * `AbortSignal.any` with `AbortSignal.timeout`: Node links those through weak references, so
 * whether the timeout still reaches the request depends on what else holds the combined signal.
 * Here the timer holds the controller strongly until it fires (unref'd, so it keeps no process
 * alive), which also bounds reading an answer's body; `timedOut` tells a timeout from a
 * cancellation without guessing from elapsed time.
 */
function requestTimeout(
  callerSignal: AbortSignal,
  timeoutMs: number,
): { signal: AbortSignal; readonly timedOut: boolean } {
  const controller = new AbortController();
  let timedOut = false;
  const onCallerAbort = () => controller.abort(callerSignal.reason);
  if (callerSignal.aborted) onCallerAbort();
  else callerSignal.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    callerSignal.removeEventListener('abort', onCallerAbort);
    if (controller.signal.aborted) return;
    timedOut = true;
    controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  timer.unref();
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
  };
}

async function resolveToken(
  provider: TokenProvider,
  method: string,
  path: string,
): Promise<string> {
  let token: unknown;
  try {
    token = typeof provider === 'function' ? await provider() : provider;
  } catch (cause) {
    throw new HubSpotTokenError({ method, path, cause });
  }
  if (typeof token !== 'string' || token.trim() === '') {
    throw new HubSpotTokenError({ method, path, reason: 'the token provider returned no token' });
  }
  if (token.length < MIN_SECRET_LENGTH) {
    throw new HubSpotTokenError({
      method,
      path,
      reason: `the token provider returned a token under ${MIN_SECRET_LENGTH} characters, too short to redact safely`,
    });
  }
  return token;
}

function parseBody(text: string): HubSpotErrorBody | string | undefined {
  if (text === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as HubSpotErrorBody)
      : text;
  } catch {
    return text;
  }
}
