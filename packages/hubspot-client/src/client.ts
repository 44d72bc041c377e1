// createHubSpotClient: openapi-fetch typed by our generated `paths`, plus what every HubSpot
// call needs – the bearer token, a User-Agent, timeouts, rate-limit headers and typed errors.
import type { Tracer } from '@opentelemetry/api';
import { checkSecretLength, MIN_SECRET_LENGTH } from '@campaigns/redact';
import createClient, {
  createFinalURL,
  createQuerySerializer,
  defaultPathSerializer,
  type Client,
} from 'openapi-fetch';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
} from 'node:http';
import type * as Https from 'node:https';
import type { PathsOf } from './api-versions.js';
import {
  HubSpotAnswerTooLargeError,
  HubSpotApiError,
  HubSpotNetworkError,
  HubSpotTokenError,
  type HubSpotErrorBody,
} from './errors.js';
import {
  BufferedHeaders,
  BufferedResponse,
  isReadInFull,
  toWhatwgResponse,
} from './buffered-response.js';
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

export interface HubSpotClientOptions<V extends ApiVersion = ApiVersion> {
  /** Private-app token or token provider. Never logged, never put in an error. */
  token: TokenProvider;
  /** API host. Default `https://api.hubapi.com`; point it at the simulator in tests. */
  baseUrl?: string;
  /**
   * `v3` (default) or a date version such as `2026-03`: the path prefix, and the generated types
   * the client's answers are typed by (see `PathsOf`).
   */
  apiVersion?: V;
  /**
   * fetch implementation. Default: the client's own lean transport (Node's `http`/`https` over
   * a keep-alive connection pool, the answer read once; a batch POST goes out without a `Request`),
   * which allocates a fraction of what WHATWG `fetch` does per call. Any `fetch` given here is
   * used as it is.
   *
   * On the lean transport, a batch POST's `response` is a {@link BufferedResponse}: it reads like
   * the `Response` it is typed as (status, headers, body, `clone()`…) but is not
   * `instanceof Response`, and its `headers` not `instanceof Headers` (Node's WHATWG classes
   * would load undici, about 9 MB per process). A call that goes through openapi-fetch (a custom
   * `fetch`, a middleware, a tracer, any other shape of call) gets real WHATWG objects.
   */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Per-request timeout in ms, from sending to the end of the answer. Default 30 000. 0: no
   * overall limit; the default transport still fails a request whose connection stays silent
   * (nothing sent, nothing received) for `SOCKET_IDLE_TIMEOUT_MS` (5 minutes), as a timeout.
   */
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

/**
 * A client of API version `V`, typed by that version's generated `paths`. Without `V` (a version
 * known only at run time), by every typed version's: code that takes any client handles the
 * answers of each.
 */
export type HubSpotClient<V extends ApiVersion = ApiVersion> = Client<
  PathsOf<V>,
  'application/json'
> & {
  /** The URL generated paths are relative to, e.g. `https://api.hubapi.com/marketing/v3/campaigns`. */
  readonly apiRoot: string;
  readonly apiVersion: V;
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
/** How long each of those answers took, from the request leaving (token in hand) to its answer. */
const answeredRoundTrips = new WeakMap<Response, number>();

/**
 * The `X-HubSpot-RateLimit-*` headers of a 2xx `response` (from `{ data, response }`) as the
 * client parsed them when it arrived (the same object `onRateLimit` got); undefined for a
 * response no client of this package received. A failure carries them as `error.rateLimit`.
 */
export function rateLimitOf(response: Response): RateLimitInfo | undefined {
  return answeredRateLimits.get(response);
}

/**
 * The round trip of a 2xx `response` in ms: from when the request left (after the token was in
 * hand) to its answer; undefined for a response no client of this package received. A failure
 * carries it as `error.roundTripMs`. The core's rate budget dates requests by it.
 */
export function roundTripOf(response: Response): number | undefined {
  return answeredRoundTrips.get(response);
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
export function createHubSpotClient<V extends ApiVersion = 'v3'>(
  options: HubSpotClientOptions<V>,
): HubSpotClient<V> {
  // Without `apiVersion`, V is its default, 'v3'.
  const apiVersion = options.apiVersion ?? ('v3' as V);
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

  /**
   * One call to HubSpot, whichever way it goes out: the token and our headers on top of
   * `headers`, the timeout, `onCall`, the rate-limit headers, and a typed error for anything but
   * a 2xx. `send` puts it on the wire with the final headers and the signal that ends it.
   * `timesItself`: `send` is the default transport's, which bounds the call by `timeoutMs` on
   * its own timer and gets the caller's signal as it is (see {@link sendBuffered}); any other
   * `send` gets a signal of the call's own that the timeout aborts.
   */
  async function call(
    method: string,
    path: string,
    headers: Headers,
    callerSignal: AbortSignal | undefined,
    send: (headers: Headers, signal: AbortSignal | undefined) => Promise<Response>,
    timesItself = false,
  ): Promise<Response> {
    const token = await resolveToken(options.token, method, path);
    const secrets = [token];

    for (const [name, value] of extraHeaders) headers.set(name, value);
    headers.set('Authorization', `Bearer ${token}`);
    headers.set('User-Agent', userAgent);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');

    const timeout =
      timeoutMs > 0 && !timesItself ? requestTimeout(callerSignal, timeoutMs) : undefined;

    /**
     * What a send or a body read that threw comes to: the caller's abort, an answer too large to
     * read, a timeout, or a network failure.
     */
    const failed = (
      error: unknown,
    ): { outcome: HubSpotCall['outcome']; status?: number; thrown: unknown } => {
      timeout?.clear();
      if (callerSignal?.aborted) return { outcome: 'canceled', thrown: callerSignal.reason };
      if (error instanceof AnswerTooLargeError) {
        const { status, limitBytes } = error;
        return {
          outcome: 'answered',
          status,
          thrown: new HubSpotAnswerTooLargeError({ method, path, status, limitBytes }),
        };
      }
      const timedOut = timeout?.timedOut === true || error instanceof RequestTimeoutError;
      // The default transport knows whether the request went out in full; of an injected fetch,
      // only a timeout says so.
      const mayHaveBeenProcessed = options.fetch ? timedOut : mayHaveReachedHubSpot(error);
      if (timedOut || error instanceof SocketIdleError)
        return {
          outcome: 'timeout',
          thrown: new HubSpotNetworkError({
            kind: 'timeout',
            method,
            path,
            timeoutMs: error instanceof SocketIdleError ? error.idleMs : timeoutMs,
            mayHaveBeenProcessed,
            secrets,
          }),
        };
      return {
        outcome: 'network',
        thrown: new HubSpotNetworkError({
          kind: 'network',
          method,
          path,
          cause: error,
          mayHaveBeenProcessed,
          secrets,
        }),
      };
    };

    let response: Response;
    const leftAt = performance.now();
    try {
      response = await send(headers, timeout?.signal ?? callerSignal);
    } catch (error) {
      const { outcome, status, thrown } = failed(error);
      options.onCall?.({ method, path, outcome, ...(status === undefined ? {} : { status }) });
      throw thrown;
    }
    // An answer read in full has nothing left for the timeout to bound: its timer (and what the
    // timer holds) goes now, not `timeoutMs` later. Any other answer is bounded while it is read.
    if (isReadInFull(response)) timeout?.clear();
    const roundTripMs = performance.now() - leftAt;

    options.onCall?.({ method, path, outcome: 'answered', status: response.status });
    const rateLimit = parseRateLimitHeaders(response.headers);
    options.onRateLimit?.(rateLimit, {
      method,
      path,
      status: response.status,
    });
    if (response.ok) {
      answeredRateLimits.set(response, rateLimit);
      answeredRoundTrips.set(response, roundTripMs);
      return response;
    }

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw failed(error).thrown;
    }
    timeout?.clear();
    throw new HubSpotApiError({
      status: response.status,
      method,
      path,
      body: parseBody(text),
      rateLimit,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      roundTripMs,
      secrets,
    });
  }

  /** openapi-fetch's way out: every request it builds comes through here, as a `Request`. */
  function hubspotFetch(input: Request): Promise<Response> {
    return call(
      input.method,
      new URL(input.url).pathname,
      new Headers(input.headers),
      input.signal,
      (headers, signal) => {
        const request = new Request(input, { headers, signal: signal ?? input.signal });
        return tracer
          ? tracedSend(tracer, request, templateOf(input), innerFetch)
          : innerFetch(request);
      },
    );
  }

  function templateOf(input: Request): string | undefined {
    const template = templates?.get(input);
    return template === undefined ? undefined : `${apiPath}${template}`;
  }

  const client = createClient<PathsOf<V>, 'application/json'>({
    baseUrl: apiRoot,
    fetch: hubspotFetch,
    // Given, so that createClient does not read `globalThis.Request` (which loads undici).
    Request: LazyRequest,
  });
  if (templates)
    client.use({
      onRequest({ request, schemaPath }) {
        templates.set(request, schemaPath);
      },
    });

  // The default transport without tracing: a POST with a JSON body (every batch call) skips the
  // `Request` openapi-fetch would build and we would rebuild (body streams, headers, signals:
  // most of what a call allocated), and goes to the wire as a string. What it sends and answers
  // is what openapi-fetch would: the same URL, headers, body and `{ data, response }`. Any other
  // shape of call, and every call once a middleware is registered, goes through openapi-fetch.
  if (!options.fetch && !tracer) {
    const genericPost = client.POST;
    const genericUse = client.use;
    let middleware = false;
    client.use = (...middlewares) => {
      middleware = true;
      genericUse(...middlewares);
    };
    client.POST = ((path: string, init?: LeanInit) =>
      !middleware && isLeanInit(init)
        ? leanPost(path, init ?? {})
        : (genericPost as (path: string, init?: unknown) => Promise<unknown>)(
            path,
            init,
          )) as typeof client.POST;
  }

  /**
   * A lean POST. Not async, and its body held in `pending` until it is handed to the transport
   * (which lets go of it once it has gone out): the body and the caller's `init` would otherwise
   * stay reachable from this call's frame until its answer is parsed, long enough to be promoted
   * to V8's old generation and kept until its next full collection (measured: 2 MB off the peak of
   * 100,000 updates that keep their results).
   */
  function leanPost(
    schemaPath: string,
    init: LeanInit,
  ): Promise<{ data: unknown; response: Response }> {
    let pending: Outgoing | undefined;
    let pathname: string;
    try {
      const url = createFinalURL(schemaPath, {
        baseUrl: apiRoot,
        params: init.params ?? {},
        querySerializer: defaultQuerySerializer,
        pathSerializer: defaultPathSerializer,
      });
      const body = init.body === undefined ? undefined : JSON.stringify(init.body);
      const target = new URL(url);
      pathname = target.pathname;
      pending = {
        origin: target.origin,
        url,
        path: `${target.pathname}${target.search}`,
        method: 'POST',
        headers: {},
        body,
        signal: undefined,
      };
    } catch (error) {
      return Promise.reject(error);
    }
    return call(
      'POST',
      pathname,
      new BufferedHeaders(
        pending.body === undefined ? undefined : { 'Content-Type': 'application/json' },
      ),
      init.signal ?? undefined,
      (headers, signal) => {
        const out = pending!;
        pending = undefined;
        out.headers = transportHeaders(headers);
        out.signal = signal;
        if (timeoutMs > 0) out.timeLimit = { ms: timeoutMs, from: performance.now() };
        return sendBuffered(out);
      },
      true,
    ).then(async (response) => ({ data: await responseData(response), response }));
  }

  return Object.assign(client, { apiRoot, apiVersion, [HUBSPOT_CLIENT]: true as const });
}

/** The options a lean POST takes: a JSON body, path and query parameters, a signal. */
interface LeanInit {
  body?: unknown;
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown> };
  signal?: AbortSignal | null;
}

const LEAN_INIT_KEYS = new Set(['body', 'params', 'signal']);
const LEAN_PARAM_KEYS = new Set(['path', 'query']);

/** True when openapi-fetch would do nothing with `init` that the lean POST does not. */
function isLeanInit(init: unknown): init is LeanInit | undefined {
  if (init === undefined) return true;
  if (typeof init !== 'object' || init === null) return false;
  for (const key of Object.keys(init)) if (!LEAN_INIT_KEYS.has(key)) return false;
  const { body, params } = init as LeanInit;
  if (isFormData(body)) return false;
  if (params !== undefined) {
    if (typeof params !== 'object' || params === null) return false;
    for (const key of Object.keys(params)) if (!LEAN_PARAM_KEYS.has(key)) return false;
  }
  return true;
}

/**
 * A `FormData` body (openapi-fetch's to send), told by its tag: `FormData` itself is one of the
 * globals whose first touch loads undici.
 */
function isFormData(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    Object.prototype.toString.call(body) === '[object FormData]'
  );
}

/**
 * What openapi-fetch builds its `Request`s with: the global `Request`, looked up at the first
 * request that needs one (a traced call, one after a middleware), not when the client is made.
 * `instanceof` (openapi-fetch's check of what an `onRequest` middleware returns) asks the global.
 */
const LazyRequest = function LazyRequest(input: RequestInfo | URL, init?: RequestInit): Request {
  return new globalThis.Request(input, init);
} as unknown as typeof Request;
Object.defineProperty(LazyRequest, Symbol.hasInstance, {
  value: (value: unknown) => value instanceof globalThis.Request,
});

/** openapi-fetch's query serializer for a client made without options (ours). */
const defaultQuerySerializer = createQuerySerializer();

/**
 * `{ data }` of a 2xx answer as openapi-fetch reads it: none for a 204 or an empty body, else the
 * JSON (parsed once; a body that is not JSON rejects, as with openapi-fetch).
 */
async function responseData(response: Response): Promise<unknown> {
  const contentLength = response.headers.get('Content-Length');
  if (
    response.status === 204 ||
    (contentLength === '0' && !response.headers.get('Transfer-Encoding')?.includes('chunked'))
  )
    return undefined;
  if (!contentLength) {
    const raw = await response.text();
    return raw ? (JSON.parse(raw) as unknown) : undefined;
  }
  return response.json();
}

/**
 * A request's headers as the default transport sends them: all but `Accept-Encoding`. The
 * transport reads an answer as it comes and decompresses nothing, so a caller's `gzip` would turn
 * a 2xx into bytes no JSON parser reads; asked for no encoding, HubSpot answers uncompressed.
 */
function transportHeaders(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== 'accept-encoding') record[name] = value;
  });
  return record;
}

/**
 * The most of an answer the default transport reads, in bytes: 32 MiB, far above any batch
 * answer (a few hundred kB for 100 campaigns with all their properties). A larger answer is
 * dropped unread with its connection, by its `Content-Length` as soon as its headers are in, else
 * as soon as what arrived passes the limit, and the call rejects with
 * {@link HubSpotAnswerTooLargeError}.
 */
export const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * How long a request of the default transport may go with nothing sent or received on its
 * connection before it fails as a timeout. It bounds a call when `timeoutMs` is 0 (otherwise
 * `timeoutMs` comes first): a server that never answers cannot hold a call forever.
 */
export const SOCKET_IDLE_TIMEOUT_MS = 300_000;

/**
 * The limits the default transport applies, read at each request: {@link MAX_ANSWER_BYTES} and
 * {@link SOCKET_IDLE_TIMEOUT_MS}. Internal (not exported by the package): tests shrink them.
 */
export const transportLimits = {
  maxAnswerBytes: MAX_ANSWER_BYTES,
  socketIdleMs: SOCKET_IDLE_TIMEOUT_MS,
};

/**
 * One keep-alive connection pool per protocol for every client on the default transport, made on
 * first use. Node's own HTTP client, not undici's: its parser is native code, where undici's is a
 * WebAssembly module whose optimising compile alone takes about 36 MB of memory the first time
 * answers arrive, and it reads every socket into one reused buffer. A connection idle for 4 s is
 * closed (sooner if the server says so in its `Keep-Alive` header).
 */
const agents: { http?: HttpAgent; https?: Https.Agent } = {};
function agentFor(protocol: string): HttpAgent {
  return protocol === 'https:'
    ? (agents.https ??= new (https().Agent)({ keepAlive: true, timeout: 4_000 }))
    : (agents.http ??= new HttpAgent({ keepAlive: true, timeout: 4_000 }));
}

/**
 * `node:https`, loaded on the first request to an https origin: a client pointed at plain http
 * (a simulator, a local proxy) never pays for it and its TLS code, about 1 MB of a process.
 */
let httpsLoaded: typeof Https | undefined;
function https(): typeof Https {
  return (httpsLoaded ??= process.getBuiltinModule('node:https'));
}

/** Where requests to an origin go, parsed once per origin. */
interface Target {
  request: typeof httpRequest;
  agent: HttpAgent;
  hostname: string;
  port: string;
}
const targets = new Map<string, Target>();
function targetOf(origin: string): Target {
  let target = targets.get(origin);
  if (!target) {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`unsupported protocol ${url.protocol}`);
    target = {
      request: url.protocol === 'https:' ? https().request : httpRequest,
      agent: agentFor(url.protocol),
      // `[::1]` in a URL, `::1` to connect to.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port,
    };
    if (targets.size >= 64) targets.clear();
    targets.set(origin, target);
  }
  return target;
}

/** A request as the default transport sends it. */
interface Outgoing {
  origin: string;
  /** The whole URL, for the answer's `url`. */
  url: string;
  /** Path and query. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  signal: AbortSignal | undefined;
  /**
   * The call's `timeoutMs`, counted `from` its first send (`performance.now()`): it bounds the
   * request and its answer, a send again on a fresh connection included. None: no overall limit.
   */
  timeLimit?: { ms: number; from: number };
}

/**
 * The default transport for a `Request` (a traced call, or one after a middleware): sent as
 * {@link sendBuffered} sends it (method, headers, body, signal; no redirects, which HubSpot's API
 * does not use), answered with a real `Response` (openapi-fetch's middlewares and tracing get
 * WHATWG objects) over the buffered answer.
 */
async function leanFetch(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const answer = await sendBuffered({
    origin: url.origin,
    url: request.url,
    path: `${url.pathname}${url.search}`,
    method: request.method,
    headers: transportHeaders(request.headers),
    body: request.body === null ? undefined : await request.text(),
    signal: request.signal,
  });
  try {
    return toWhatwgResponse(answer);
  } catch (error) {
    // An answer `Response` refuses (a status outside 200–599): HubSpot did answer.
    if (typeof error === 'object' && error !== null) deliveredFailures.add(error);
    throw error;
  }
}

/**
 * Sends `out` on the shared keep-alive pool and reads the answer into memory as it arrives. The
 * body goes out as a string, in one write with the headers (no Buffer of it is made here). The
 * answer's text is decoded once, when its last byte is in (so the request's signal and its time
 * limit bound the body too), and is held by nothing but the {@link BufferedResponse} it
 * goes into; the chunks it came in are let go of at once.
 *
 * A kept-alive connection found closed while the request was still being written (`ECONNRESET`
 * or `EPIPE` before the request went out in full) had no complete request of ours on it: the
 * request is sent once more, on a connection of its own (`fresh`, closed after its answer). Only
 * then, and only once. Once the request went out in full, a reset is the call's failure even on
 * a reused connection: the server may have received and counted it (a load balancer dropping the
 * connection mid-request looks the same as a server closing an idle one), and a second request
 * sent behind the rate budget's back would be counted twice against one slot; the engine retries
 * it, under a slot of its own.
 */
function sendBuffered(out: Outgoing, fresh = false): Promise<BufferedResponse> {
  const { signal } = out;
  if (signal?.aborted) return Promise.reject(signal.reason);
  let outgoing: ClientRequest;
  try {
    const target = targetOf(out.origin);
    outgoing = target.request({
      hostname: target.hostname,
      port: target.port,
      path: out.path,
      method: out.method,
      headers: out.headers,
      // `false`: a connection of this request's own, outside the pool.
      agent: fresh ? false : target.agent,
      // Idle time on the connection, while the request is on it ('timeout' below).
      timeout: transportLimits.socketIdleMs,
    });
  } catch (error) {
    return Promise.reject(error);
  }
  // `out` (the body above all) stays reachable from the handlers below only through the retry,
  // which they let go of once an answer starts or the exchange ends.
  const limit = out.timeLimit;
  const answer = receive(
    outgoing,
    out.url,
    signal,
    fresh ? undefined : () => sendBuffered(out, true),
    limit && (fresh ? Math.max(0, limit.from + limit.ms - performance.now()) : limit.ms),
  );
  outgoing.end(out.body);
  return answer;
}

/**
 * The answer to `outgoing` (sent to `url`), read in full; `signal` aborting it rejects with its
 * reason, and so does `limitMs` passing (with a {@link RequestTimeoutError}): a timer, not an
 * `AbortSignal` of its own, so that a call on the default transport makes no `AbortController`
 * (with its signal, listeners and reason, one per request over a 100,000-update run). `again`
 * sends the request once more, for a kept-alive connection found closed (see
 * {@link sendBuffered}).
 */
function receive(
  outgoing: ClientRequest,
  url: string,
  signal: AbortSignal | undefined,
  again: (() => Promise<BufferedResponse>) | undefined,
  limitMs: number | undefined,
): Promise<BufferedResponse> {
  return new Promise<BufferedResponse>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let chunks: Buffer[] = [];
    let length = 0;
    /** The request went out in full, or an answer started: HubSpot may have acted on it. */
    let delivered = false;
    /** Ends the exchange's bookkeeping; false when it had already ended. */
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      again = undefined;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      chunks = [];
      return true;
    };
    const fail = (error: unknown) => {
      if (!settle()) return;
      // Whatever is left of the exchange goes (a connection cut mid-answer is not reused).
      outgoing.destroy();
      if (delivered && typeof error === 'object' && error !== null) deliveredFailures.add(error);
      reject(error);
    };
    const onAbort = () => fail(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (limitMs !== undefined) {
      // Unref'd: it keeps no process alive, as the call's own would not.
      timer = setTimeout(() => fail(new RequestTimeoutError()), limitMs);
      timer.unref();
    }
    outgoing.on('finish', () => {
      delivered = true;
      // Sent in full: never sent again (see `sendBuffered`), so the request (its body) can go.
      again = undefined;
    });
    outgoing.on('timeout', () => fail(new SocketIdleError(transportLimits.socketIdleMs)));
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const retry = again;
      if (
        retry &&
        outgoing.reusedSocket &&
        !delivered &&
        (error.code === 'ECONNRESET' || error.code === 'EPIPE') &&
        settle()
      ) {
        outgoing.destroy();
        return resolve(retry());
      }
      fail(error);
    });
    // 1xx informational answers are Node's to skip: this is the final answer.
    outgoing.on('response', (incoming: IncomingMessage) => {
      again = undefined;
      delivered = true;
      const status = incoming.statusCode ?? 0;
      const limit = transportLimits.maxAnswerBytes;
      if (Number(incoming.headers['content-length']) > limit)
        return fail(new AnswerTooLargeError(status, limit));
      incoming.on('data', (chunk: Buffer) => {
        if (settled) return;
        length += chunk.length;
        if (length > limit) return fail(new AnswerTooLargeError(status, limit));
        chunks.push(chunk);
      });
      incoming.on('error', (error) => fail(error));
      incoming.on('close', () => {
        if (!incoming.complete) fail(new ResponseCutError());
      });
      incoming.on('end', () => {
        if (settled) return;
        let response: BufferedResponse;
        try {
          const text = decodeUtf8(chunks, length);
          chunks = [];
          response = new BufferedResponse(text, {
            status,
            statusText: incoming.statusMessage ?? '',
            headers: BufferedHeaders.fromRaw(incoming.rawHeaders),
            url,
          });
        } catch (error) {
          // A header value `Headers` refuses: the call fails, the process does not.
          return fail(error);
        }
        if (settle()) resolve(response);
      });
    });
  });
}

/**
 * What the default transport rejected with after the request went out in full or an answer
 * started (HubSpot may have acted on it), for the client to flag (`mayHaveBeenProcessed`).
 */
const deliveredFailures = new WeakSet<object>();

function mayHaveReachedHubSpot(error: unknown): boolean {
  return typeof error === 'object' && error !== null && deliveredFailures.has(error);
}

/** An answer whose connection closed before its last byte. */
class ResponseCutError extends Error {
  readonly code = 'ECONNRESET';
  constructor() {
    super('the connection closed before the answer was complete');
    this.name = 'ResponseCutError';
  }
}

/** A call on the default transport past its `timeoutMs` (the client reports it as a timeout). */
class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor() {
    super('no answer within the time limit');
    this.name = 'RequestTimeoutError';
  }
}

/** Nothing sent or received on a request's connection for `idleMs`. */
class SocketIdleError extends Error {
  readonly code = 'ETIMEDOUT';
  readonly idleMs: number;
  constructor(idleMs: number) {
    super(`nothing sent or received for ${idleMs} ms`);
    this.name = 'SocketIdleError';
    this.idleMs = idleMs;
  }
}

/** An answer over {@link MAX_ANSWER_BYTES}, dropped unread. */
class AnswerTooLargeError extends Error {
  readonly status: number;
  readonly limitBytes: number;
  constructor(status: number, limitBytes: number) {
    super(`answer larger than ${limitBytes} bytes`);
    this.name = 'AnswerTooLargeError';
    this.status = status;
    this.limitBytes = limitBytes;
  }
}

/** UTF-8 as `Body.text()` decodes it: one pass over the whole body, a leading BOM dropped. */
function decodeUtf8(chunks: readonly Buffer[], length: number): string {
  if (length === 0) return '';
  // Node's parser hands over a loopback answer of tens of kB as one chunk; TLS records come as
  // several, put together once here.
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
  const start =
    bytes.length > 2 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return bytes.toString('utf8', start);
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
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; readonly timedOut: boolean; clear(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const onCallerAbort = () => controller.abort(callerSignal!.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    callerSignal?.removeEventListener('abort', onCallerAbort);
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
    /** The answer is in (or the call failed): stop the timer and let go of the caller's signal. */
    clear() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
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
