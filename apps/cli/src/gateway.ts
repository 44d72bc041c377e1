// Talking to the campaigns gateway (`--gateway URL`): its GraphQL endpoint over HTTP, and its
// event stream for a job's progress. The documents sent are @campaigns/graphql's, as printed text
// (what the gateway's trusted documents manifest holds), so they run on a gateway that allows
// nothing else. The operator's credential for the gateway (never a HubSpot token: the gateway
// holds that) goes in a header and nowhere else: it is redacted from every message, and what the
// gateway answers is read up to MAX_RESPONSE_BYTES and checked before it is used.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CampaignUpdateJobProgressDocument,
  CampaignUpdateJobResultsDocument,
  isJobEnded,
  type JobProgress,
  type TypedDocumentNode,
} from '@campaigns/graphql';
import { MIN_SECRET_LENGTH, redactString } from '@campaigns/redact';
import { print } from 'graphql';
import { createClient } from 'graphql-sse';
import {
  gatewayAuthOf,
  gatewayEndpoint,
  GATEWAY_TOKEN_ENV,
  type GatewayAuth,
  type GatewayOptions,
} from './gateway-options.js';
import { UsageError, type CliIo } from './io.js';
import { holdSecret, readSecretFile } from './secrets.js';

/** The most bytes read from one answer of the gateway (an event stream counts as one). */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** How long one request may wait for the gateway's answer before it counts as unreachable. */
const REQUEST_TIMEOUT_MS = 120_000;
/** Reads of a job between two when its event stream cannot be used. */
const POLL_INTERVAL_MS = 500;
/**
 * How long the event stream may stay silent before it counts as dead: the gateway writes a
 * heartbeat comment every 12 s, so a minute without a byte is a peer gone without a word (a host
 * that vanished, a proxy that holds the stream), which no TCP error would ever tell.
 */
const STREAM_IDLE_MS = 60_000;
/** Waits between two tries of the event stream (graphql-sse's retry): 0.5 s, then 1 s. */
const STREAM_RETRY_MS = 500;

/**
 * How long a canceled job may take to end before it is no longer waited for (the gateway ends a
 * running one within about a second): Ctrl-C never leaves the command waiting on the gateway.
 */
const CANCEL_GRACE_MS = 60_000;
/**
 * How long a start answered JOB_LIMIT_EXCEEDED is tried again while none of this run's jobs is
 * queued or running (other runs' jobs hold the gateway's queue) before the run stops.
 */
const JOB_LIMIT_GIVE_UP_MS = 600_000;

/** The waits above; tests shorten them (never the meaning of a run). */
export const timings = {
  cancelGraceMs: CANCEL_GRACE_MS,
  jobLimitGiveUpMs: JOB_LIMIT_GIVE_UP_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  pollIntervalMs: POLL_INTERVAL_MS,
  streamIdleMs: STREAM_IDLE_MS,
  streamRetryMs: STREAM_RETRY_MS,
};
/** What the gateway takes for a JWT (auth.ts's JWT_SHAPE): three base64url parts. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;
/** Waits on a 429 or a 502/503/504 before giving up, and their longest wait. */
const MAX_BUSY_RETRIES = 8;
const MAX_RETRY_AFTER_MS = 30_000;

/** Why a request to the gateway failed, for the commands to decide what it means for the run. */
export type GatewayFailure =
  /** UNAUTHENTICATED or FORBIDDEN: the gateway refused the credential. */
  | 'auth'
  /** No answer, or not one the gateway would give: it is down, or something else answers. */
  | 'unreachable'
  /** BAD_USER_INPUT: the gateway refused what was sent; nothing of it ran. */
  | 'input'
  /** JOB_LIMIT_EXCEEDED: too many of this caller's jobs pending or running. */
  | 'job-limit'
  /** HTTP 413: the body is over the gateway's MAX_BODY_BYTES / MAX_JOB_BODY_BYTES. */
  | 'too-large'
  /** Any other GraphQL error (NOT_FOUND, HUBSPOT_UNAVAILABLE, …). */
  | 'failed';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  /**
   * 'unreachable' only: the request may have reached the gateway before its answer was lost (a
   * dropped connection, a timeout, a proxy's 502/504), as opposed to a connection never made.
   */
  mayHaveArrived = false;
  constructor(
    message: string,
    readonly failure: GatewayFailure,
    readonly code?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Network errors that mean the request never left: no connection was made. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** The job as its progress is told: by the stream, by a read, or in a start's or cancel's answer. */
export type { JobProgress };

export interface RequestOptions {
  /** Whether a request that got no answer may be sent again (not a job's start). Default true. */
  retry?: boolean;
  /** The variables already serialized, sent instead of `variables`. */
  variablesJson?: string;
  /**
   * Once aborted, the request (and its waits before another try) ends at once with a GatewayError
   * 'failed' carrying the abort reason's message: the request is no longer waited for.
   */
  signal?: AbortSignal;
}

export interface GatewayClient {
  /** `the gateway at http://…/graphql`: for messages. */
  readonly target: string;
  /** The credential, only so that outputs can be redacted with it. */
  readonly secrets: string[];
  /** Whether a credential is sent (the gateway then takes job bodies up to MAX_JOB_BODY_BYTES). */
  readonly credentialed: boolean;
  request<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    options?: RequestOptions,
  ): Promise<Result>;
  /**
   * Follows a job until it ended (its event stream, else reading it): its last state. Once
   * `signal` aborts, stops following and throws a GatewayError with the abort reason's message.
   */
  follow(
    id: string,
    onProgress: (job: JobProgress) => void,
    signal?: AbortSignal,
  ): Promise<JobProgress>;
}

/** The gateway credential: --gateway-token-file, else the environment; none for AUTH_MODE=none. */
async function readCredential(options: GatewayOptions, io: CliIo): Promise<string | undefined> {
  const token = await findCredential(options, io);
  if (token !== undefined) holdSecret(io, token);
  return token;
}

async function findCredential(options: GatewayOptions, io: CliIo): Promise<string | undefined> {
  if (options.gatewayTokenFile !== undefined) {
    const what = 'gateway token file';
    const token = await readSecretFile(io, options.gatewayTokenFile, what);
    return checkCredential(token, `the ${what} ${options.gatewayTokenFile}`);
  }
  const token = io.env[GATEWAY_TOKEN_ENV]?.trim();
  return token ? checkCredential(token, GATEWAY_TOKEN_ENV) : undefined;
}

function checkCredential(token: string, where: string): string {
  // A header carries visible ASCII only; fetch's own refusal would quote the value.
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new UsageError(
      `${where} holds characters an HTTP header cannot carry (spaces, line breaks, non-ASCII)`,
    );
  if (token.length < MIN_SECRET_LENGTH)
    throw new UsageError(
      `${where} is too short to be a gateway key or token (under ${MIN_SECRET_LENGTH} characters)`,
    );
  return token;
}

/** The header the credential goes in: a JWT as a bearer token, anything else as an API key. */
function credentialHeaders(
  token: string | undefined,
  auth: GatewayAuth = 'auto',
): Record<string, string> {
  if (token === undefined) return {};
  const bearer = auth === 'bearer' || (auth === 'auto' && JWT_SHAPE.test(token));
  return bearer ? { authorization: `Bearer ${token}` } : { 'x-api-key': token };
}

/** fetch whose answer's body errors once it passes MAX_RESPONSE_BYTES. */
const boundedFetch: typeof fetch = (input, init) => limitedFetch(input, init);
/** The same for the event stream, which also errors once it stayed silent too long. */
const streamFetch: typeof fetch = (input, init) => limitedFetch(input, init, timings.streamIdleMs);

/**
 * fetch whose answer's body errors once it passes MAX_RESPONSE_BYTES, or, with `idleMs`, once no
 * byte came for that long (the connection is then dropped).
 */
async function limitedFetch(
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  idleMs?: number,
): Promise<Response> {
  const drop = new AbortController();
  const signal = init?.signal ? AbortSignal.any([init.signal, drop.signal]) : drop.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let body: TransformStreamDefaultController<Uint8Array> | undefined;
  const arm = () => {
    clearTimeout(timer);
    if (idleMs === undefined) return;
    timer = setTimeout(() => {
      const silent = new Error(`nothing came for ${idleMs / 1000} s`);
      body?.error(silent);
      drop.abort(silent);
    }, idleMs);
    // The connection keeps the process alive while it is open; this timer must not.
    timer.unref();
  };
  // Silence counts from the request on: a peer that never sends the headers is as dead as one
  // that stops sending the body.
  arm();
  let response: Response;
  try {
    response = await fetch(input, { ...init, signal });
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
  if (!response.body) {
    clearTimeout(timer);
    return response;
  }
  let seen = 0;
  const limited = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        body = controller;
        arm();
      },
      transform(chunk, controller) {
        arm();
        seen += chunk.byteLength;
        if (seen > MAX_RESPONSE_BYTES)
          controller.error(new Error(`the answer is over ${MAX_RESPONSE_BYTES} bytes`));
        else controller.enqueue(chunk);
      },
      flush: () => clearTimeout(timer),
    }),
  );
  return new Response(limited, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

const printed = new WeakMap<object, string>();
function textOf(document: object): string {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document as Parameters<typeof print>[0]);
    printed.set(document, text);
  }
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Connects to nothing yet: reads and checks the settings, and answers a client. */
export async function openGateway(options: GatewayOptions, io: CliIo): Promise<GatewayClient> {
  const endpoint = gatewayEndpoint(options.gateway ?? '');
  const token = await readCredential(options, io);
  const headers = credentialHeaders(token, gatewayAuthOf(options));
  const secrets = token === undefined ? [] : [token];
  const target = `the gateway at ${endpoint.graphql}`;
  const safe = (text: string) => redactString(text, secrets);

  /** The first GraphQL error of an answer as a GatewayError (its message redacted). */
  const errorOf = (error: unknown, status: number): GatewayError => {
    const entry = isRecord(error) ? error : {};
    const extensions = isRecord(entry.extensions) ? entry.extensions : {};
    const code = typeof extensions.code === 'string' ? extensions.code : undefined;
    const message = safe(typeof entry.message === 'string' ? entry.message : 'no message');
    // A body over the gateway's limit is answered 413 with a BAD_USER_INPUT error: the body's
    // size is the problem, not its content, and a smaller body goes through.
    if (status === 413) return new GatewayError(message, 'too-large', code, extensions);
    switch (code) {
      case 'UNAUTHENTICATED':
      case 'FORBIDDEN':
        return new GatewayError(
          `${target} refused the credential (${code}: ${message})${token === undefined ? `; set ${GATEWAY_TOKEN_ENV} or pass --gateway-token-file` : ''}`,
          'auth',
          code,
          extensions,
        );
      case 'BAD_USER_INPUT':
        return new GatewayError(message, 'input', code, extensions);
      case 'JOB_LIMIT_EXCEEDED':
        return new GatewayError(message, 'job-limit', code, extensions);
      default:
        return new GatewayError(
          `${target}: ${code ?? `HTTP ${status}`}: ${message}`,
          'failed',
          code,
          extensions,
        );
    }
  };

  /** The GatewayError for a job no longer followed: `signal`'s reason says why. */
  const gaveUp = (signal: AbortSignal) =>
    new GatewayError(
      safe(signal.reason instanceof Error ? signal.reason.message : 'no longer followed'),
      'failed',
    );

  const unreachable = (why: string, mayHaveArrived = false) => {
    const error = new GatewayError(`${target} could not be reached (${safe(why)})`, 'unreachable');
    error.mayHaveArrived = mayHaveArrived;
    return error;
  };

  async function request<Result, Variables>(
    document: TypedDocumentNode<Result, Variables>,
    variables: Variables,
    { retry = true, variablesJson, signal }: RequestOptions = {},
  ): Promise<Result> {
    const body = `{"query":${JSON.stringify(textOf(document))},"variables":${variablesJson ?? JSON.stringify(variables)}}`;
    /** A wait between two tries, cut short once `signal` aborts. */
    const pause = async (ms: number) => {
      await sleep(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
      if (signal?.aborted) throw gaveUp(signal);
    };
    const timeout = () => {
      const limit = AbortSignal.timeout(timings.requestTimeoutMs);
      return signal ? AbortSignal.any([signal, limit]) : limit;
    };
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw gaveUp(signal);
      let response: Response;
      try {
        response = await boundedFetch(endpoint.graphql, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            ...headers,
          },
          body,
          signal: timeout(),
        });
      } catch (error) {
        if (signal?.aborted) throw gaveUp(signal);
        // A request that may have arrived is not sent again unless it is safe to (`retry`).
        if (retry && attempt < 2) {
          await pause(250 * 2 ** attempt);
          continue;
        }
        const code = (error as { cause?: { code?: string } }).cause?.code;
        throw unreachable(describeNetworkError(error), !(code && NOT_CONNECTED.has(code)));
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (signal?.aborted) throw gaveUp(signal);
        throw unreachable(`the answer was cut off or too large: ${(error as Error).message}`, true);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const errors = isRecord(parsed) && Array.isArray(parsed.errors) ? parsed.errors : undefined;
      // 429 and 503 say the request was not taken; a proxy's 502 or 504 may come after the
      // gateway took it, so a request that must not run twice (`retry` false) is not sent again.
      const busy =
        response.status === 429 ||
        response.status === 503 ||
        (retry && (response.status === 502 || response.status === 504));
      if (busy && attempt < MAX_BUSY_RETRIES) {
        // Admission (429, Retry-After) or a gateway restarting behind its proxy: wait, then again.
        const after = Number(response.headers.get('retry-after'));
        const ms = Number.isFinite(after) && after > 0 ? after * 1000 : 500 * 2 ** attempt;
        await pause(Math.min(ms, MAX_RETRY_AFTER_MS));
        continue;
      }
      if (errors && errors.length > 0) throw errorOf(errors[0], response.status);
      if (response.status === 413)
        throw new GatewayError(
          `${target} refused the request as too large (HTTP 413)`,
          'too-large',
        );
      if (!isRecord(parsed) || !isRecord(parsed.data)) {
        if (parsed === undefined)
          throw unreachable(
            `HTTP ${response.status}, not a GraphQL answer: is this the gateway?`,
            response.status === 502 || response.status === 504,
          );
        throw new GatewayError(`${target} answered HTTP ${response.status} without data`, 'failed');
      }
      return parsed.data as Result;
    }
  }

  async function poll(
    id: string,
    onProgress: (job: JobProgress) => void,
    signal?: AbortSignal,
  ): Promise<JobProgress> {
    for (;;) {
      if (signal?.aborted) throw gaveUp(signal);
      const { campaignUpdateJob } = await request(
        CampaignUpdateJobResultsDocument,
        { id, first: 1 },
        signal ? { signal } : {},
      );
      const job = checkProgress(campaignUpdateJob, id);
      onProgress(job);
      if (isJobEnded(job)) return job;
      await sleep(timings.pollIntervalMs, undefined, signal ? { signal } : {}).catch(() => {
        // Aborted: said at the top of the loop.
      });
    }
  }

  /**
   * Whether the event stream failed as a transport once (a proxy that does not pass it on, a
   * silent one): the run's later jobs are read instead, rather than each trying it again first.
   */
  let streamFailed = false;

  async function follow(
    id: string,
    onProgress: (job: JobProgress) => void,
    signal?: AbortSignal,
  ): Promise<JobProgress> {
    if (signal?.aborted) throw gaveUp(signal);
    if (streamFailed) return poll(id, onProgress, signal);
    const sse = createClient({
      url: endpoint.stream,
      headers: () => headers,
      fetchFn: streamFetch,
      // Two more tries (the stream ends every 30 minutes, or when the gateway drains), soon:
      // reading the job is the fallback, not a long wait.
      retryAttempts: 2,
      retry: (retries) => sleep(timings.streamRetryMs * 2 ** retries),
    });
    const events = sse.iterate<Record<string, unknown>>({
      query: textOf(CampaignUpdateJobProgressDocument),
      variables: { id },
    });
    // Ends the stream (and the loop below) when following is given up.
    const stopStream = () => sse.dispose();
    signal?.addEventListener('abort', stopStream, { once: true });
    try {
      for await (const event of events) {
        if (Array.isArray(event.errors) && event.errors.length > 0)
          throw errorOf(event.errors[0], 200);
        const job = checkProgress(event.data?.campaignUpdateJobProgress, id);
        onProgress(job);
        if (isJobEnded(job)) return job;
      }
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (signal?.aborted) throw gaveUp(signal);
      // The stream failed as a transport (a proxy that does not pass it, a dropped connection):
      // reading the job tells the same.
      streamFailed = true;
    } finally {
      signal?.removeEventListener('abort', stopStream);
      await events.return?.();
      sse.dispose();
    }
    if (signal?.aborted) throw gaveUp(signal);
    return poll(id, onProgress, signal);
  }

  return { target, secrets, credentialed: token !== undefined, request, follow };
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((error as Error).name === 'TimeoutError')
    return `no answer in ${timings.requestTimeoutMs / 1000} s`;
  return cause?.message ?? (error as Error).message ?? String(error);
}

const STATUSES = new Set(['PENDING', 'PROCESSING', 'COMPLETE', 'CANCELED']);
const STOP_REASONS = new Set(['ABORTED', 'DEADLINE', 'AUTH', 'DAILY_LIMIT']);

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A job as the gateway told it, checked; null (no such job for this caller) is an error. */
export function checkProgress(value: unknown, id?: string): JobProgress {
  if (value === null || value === undefined)
    throw new GatewayError(
      `the gateway no longer knows job ${id} (expired, or started by another caller)`,
      'failed',
      'NOT_FOUND',
    );
  if (
    !isRecord(value) ||
    typeof value.id !== 'string' ||
    value.id === '' ||
    (id !== undefined && value.id !== id) ||
    typeof value.status !== 'string' ||
    !STATUSES.has(value.status) ||
    !(
      value.stopReason === null ||
      (typeof value.stopReason === 'string' && STOP_REASONS.has(value.stopReason))
    ) ||
    !isCount(value.total) ||
    !isCount(value.done) ||
    !isCount(value.succeeded) ||
    !isCount(value.failed)
  )
    throw new GatewayError(`the gateway's answer about job ${id} is malformed`, 'failed');
  const { status, stopReason, total, done, succeeded, failed } = value;
  return { id: value.id, status, stopReason, total, done, succeeded, failed } as JobProgress;
}

/** A page of campaigns (a job's results, a list page), checked: ids and property pairs. */
export interface CampaignPage {
  campaigns: Array<{ id: string; properties: Record<string, string | null> }>;
  endCursor: string | null;
  hasNextPage: boolean;
}

export function checkCampaignPage(value: unknown, what: string): CampaignPage {
  const bad = () => new GatewayError(`the gateway's answer (${what}) is malformed`, 'failed');
  if (!isRecord(value) || !Array.isArray(value.edges) || !isRecord(value.pageInfo)) throw bad();
  const { endCursor, hasNextPage } = value.pageInfo;
  if (typeof hasNextPage !== 'boolean' || !(endCursor === null || typeof endCursor === 'string'))
    throw bad();
  const campaigns = value.edges.map((edge: unknown) => {
    const node = isRecord(edge) ? edge.node : undefined;
    if (!isRecord(node) || typeof node.id !== 'string' || !Array.isArray(node.properties))
      throw bad();
    const properties: Record<string, string | null> = {};
    for (const pair of node.properties) {
      if (
        !isRecord(pair) ||
        typeof pair.name !== 'string' ||
        !(pair.value === null || typeof pair.value === 'string')
      )
        throw bad();
      properties[pair.name] = pair.value;
    }
    return { id: node.id, properties };
  });
  return { campaigns, endCursor, hasNextPage };
}

/** An error group of a job: the ids it names and why they failed. */
export interface ErrorGroup {
  ids: string[];
  category: string;
  message: string;
  subCategory?: string;
  httpStatus?: number;
  correlationId?: string;
}

export function checkErrorGroup(value: unknown): ErrorGroup {
  if (
    !isRecord(value) ||
    !Array.isArray(value.ids) ||
    !value.ids.every((id) => typeof id === 'string') ||
    typeof value.category !== 'string' ||
    typeof value.message !== 'string'
  )
    throw new GatewayError(`the gateway's answer (a job's error group) is malformed`, 'failed');
  return {
    ids: value.ids as string[],
    category: value.category,
    message: value.message,
    ...(typeof value.subCategory === 'string' ? { subCategory: value.subCategory } : {}),
    ...(typeof value.httpStatus === 'number' ? { httpStatus: value.httpStatus } : {}),
    ...(typeof value.correlationId === 'string' ? { correlationId: value.correlationId } : {}),
  };
}
