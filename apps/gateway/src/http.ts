// HTTP plumbing of the gateway: the node:http server with deliberate timeouts and header bounds
// (slowloris), `Expect: 100-continue`, a bounded body reader that lets an oversized client see
// its 413 (read and discard, then answer), and the JSON/GraphQL response writers.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { HTTPGraphQLResponse } from '@apollo/server';
import type { HttpConfig } from './config.js';

/** readBody's answer when it has already responded (413, 400) or the client is gone. */
export const ANSWERED = Symbol('answered');

/** Largest request head (request line and headers) Node accepts; larger: 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Headers kept per request; a browser or proxy sends a few dozen at most. */
export const MAX_HEADERS_COUNT = 100;

export interface BodyLimits {
  /** MAX_BODY_BYTES: the largest body that is accepted. */
  maxBytes: number;
  /** MAX_BODY_DISCARD_BYTES: how much of an oversized body is read (and dropped) before the 413. */
  maxDiscardBytes: number;
  /** The setting `maxBytes` comes from, as the 413 names it. Default MAX_BODY_BYTES. */
  setting?: string;
}

/** Requests whose `Expect: 100-continue` was refused: their body will never come. */
const continueRefused = new WeakSet<IncomingMessage>();

/**
 * The HTTP server: timeouts from `config` (headers and whole request, so a client that trickles
 * bytes cannot hold a connection; keep-alive idle time), bounded headers, and
 * `Expect: 100-continue` answered with 413 before the body is sent when the declared length is
 * over `maxBodyBytes` (over `maxCredentialedBodyBytes` for a request that carries credentials:
 * it may be a job's, MAX_JOB_BODY_BYTES, which is decided once the caller is known).
 */
export function createHttpServer(
  config: HttpConfig,
  maxBodyBytes: number,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  maxCredentialedBodyBytes = maxBodyBytes,
): http.Server {
  const server = http.createServer(serverOptions(config), handler);
  applyServerLimits(server, config);
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = declaredLength(req);
    const credentialed =
      req.headers.authorization !== undefined || req.headers['x-api-key'] !== undefined;
    const max = credentialed ? Math.max(maxBodyBytes, maxCredentialedBodyBytes) : maxBodyBytes;
    if (declared !== undefined && declared > max) {
      // No 100: the client does not send the body. The connection cannot be reused (the client
      // may still send it), so whichever route answers closes it.
      continueRefused.add(req);
      res.setHeader('connection', 'close');
    } else {
      res.writeContinue();
    }
    server.emit('request', req, res);
  });
  return server;
}

/** Options for http.createServer: timeouts, and how often Node checks them. */
export function serverOptions(config: HttpConfig): http.ServerOptions {
  const shortest = Math.min(config.headersTimeoutMs, config.requestTimeoutMs);
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Node enforces headersTimeout/requestTimeout on this sweep (default every 30 s, which would
    // let a slow client overstay a 10 s headers timeout threefold).
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(shortest / 4))),
    maxHeaderSize: MAX_HEADER_BYTES,
    requireHostHeader: true,
  };
}

/** Sets the limits that http.createServer takes as properties rather than options. */
export function applyServerLimits(server: http.Server, config: HttpConfig): void {
  server.headersTimeout = config.headersTimeoutMs;
  server.requestTimeout = config.requestTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  // Each connection may be reading a body (up to MAX_BODY_BYTES kept, MAX_BODY_DISCARD_BYTES
  // dropped): this bounds how many at once. Past it Node closes new connections on arrival.
  server.maxConnections = config.maxConnections;
}

/**
 * Reads the request body up to `limits.maxBytes`. JSON bodies are parsed (400 when malformed);
 * anything else is handed on as text (Apollo refuses it with a clear message, or as a CSRF
 * attempt). A larger body is answered with 413 (and ANSWERED returned):
 * - after reading and dropping the rest of it, up to `maxDiscardBytes` in all, so that a client
 *   still sending sees the 413 rather than a connection reset (the connection stays usable);
 * - at once, closing the connection, when the declared Content-Length is above
 *   `maxDiscardBytes`, when a body without a declared length grows past it, or when the client
 *   was refused `100-continue` (it will not send the body).
 * A client that goes away mid-body gets no answer (ANSWERED).
 */
export async function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limits: BodyLimits,
): Promise<unknown | typeof ANSWERED> {
  const { maxBytes, maxDiscardBytes } = limits;
  // Gone before we started reading: no 'end' or 'close' would ever come.
  if (req.destroyed) {
    res.destroy();
    return ANSWERED;
  }
  const declared = declaredLength(req);
  if (declared !== undefined && declared > maxBytes) {
    if (continueRefused.has(req) || declared > maxDiscardBytes)
      return tooLarge(res, limits, { declared, close: true });
  }
  const outcome = await consumeBody(req, maxBytes, maxDiscardBytes);
  if (outcome.kind === 'gone') {
    res.destroy();
    return ANSWERED;
  }
  if (outcome.kind === 'cut' || outcome.size > maxBytes) {
    return tooLarge(res, limits, {
      ...(declared !== undefined ? { declared } : {}),
      close: outcome.kind === 'cut',
    });
  }
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const text = Buffer.concat(outcome.chunks).toString('utf8');
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json' && !contentType.endsWith('+json')) return text;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    sendJson(res, 400, errorBody('the request body is not valid JSON', 'BAD_REQUEST'));
    return ANSWERED;
  }
}

/**
 * Reads and drops the body of a request that is refused before it is used (429 at admission, 503
 * while draining), up to `maxDiscardBytes`, so that the refusal reaches a client that is still
 * sending instead of a connection reset. Resolves true when the body was read to its end (the
 * connection may be kept), false when it was cut short (answer with `connection: close`).
 */
export async function discardBody(req: IncomingMessage, maxDiscardBytes: number): Promise<boolean> {
  if (req.readableEnded || req.complete) return true;
  if (req.destroyed || continueRefused.has(req)) return false;
  const declared = declaredLength(req);
  if (declared !== undefined && declared > maxDiscardBytes) return false;
  return (await consumeBody(req, 0, maxDiscardBytes)).kind === 'end';
}

/**
 * Reads the body to its end, keeping it while it is within `keepBytes` (past that nothing is
 * kept, and reading goes on so that the client gets to see our answer) and stopping once more
 * than `maxBytes` came: `end` (the body was read to its end), `cut` (it grew past `maxBytes`; the
 * request is paused), or `gone` ('close' before 'end': the client went away, or Node's
 * requestTimeout cut it off).
 */
function consumeBody(
  req: IncomingMessage,
  keepBytes: number,
  maxBytes: number,
): Promise<{ kind: 'end'; size: number; chunks: Buffer[] } | { kind: 'cut' } | { kind: 'gone' }> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (value: Parameters<typeof resolve>[0]) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= keepBytes) {
        received.push(chunk);
        return;
      }
      received.length = 0;
      if (size > maxBytes) {
        req.pause();
        settle({ kind: 'cut' });
      }
    };
    const onEnd = () => settle({ kind: 'end', size, chunks: received });
    const onClose = () => settle({ kind: 'gone' });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    // An aborted request emits 'error' (ECONNRESET) before 'close'; 'close' settles it.
    req.once('error', () => {});
  });
}

function tooLarge(
  res: ServerResponse,
  { maxBytes, maxDiscardBytes, setting = 'MAX_BODY_BYTES' }: BodyLimits,
  { declared, close }: { declared?: number; close: boolean },
): typeof ANSWERED {
  const beyondDiscard = declared !== undefined && declared > maxDiscardBytes;
  const message =
    `the request body is larger than ${setting}=${maxBytes} bytes` +
    (declared !== undefined ? ` (Content-Length: ${declared})` : '') +
    (beyondDiscard
      ? `; it is not read, being over MAX_BODY_DISCARD_BYTES=${maxDiscardBytes}, and the connection is closed`
      : '');
  if (close) res.setHeader('connection', 'close');
  sendJson(
    res,
    413,
    errorBody(message, 'BAD_USER_INPUT', {
      limit: {
        setting,
        max: maxBytes,
        ...(declared !== undefined ? { actual: declared } : {}),
      },
    }),
  );
  return ANSWERED;
}

/** The declared Content-Length (Node's parser has already refused a malformed one). */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined) return undefined;
  const value = Number(header);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function errorBody(message: string, code: string, extensions: Record<string, unknown> = {}) {
  return { errors: [{ message, extensions: { code, ...extensions } }] };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function writeResponse(
  res: ServerResponse,
  response: HTTPGraphQLResponse,
  closing: boolean,
): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  if (closing) res.setHeader('connection', 'close');
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

// CORS, for a page served from another origin (CORS_ORIGINS). Only the exact origins listed get
// Access-Control-* headers; credentials travel in headers (Authorization, X-Api-Key), never in
// cookies, so no Access-Control-Allow-Credentials. CSRF prevention stays as it is: the page sends
// JSON (or apollo-require-preflight on a GET), which needs this preflight from another origin.

/** Request headers a cross-origin page may send to the GraphQL paths. */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'x-api-key',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
] as const;
/** Response headers a cross-origin page may read (beyond the CORS-safelisted ones). */
export const CORS_EXPOSED_HEADERS = ['retry-after', 'x-request-id', 'www-authenticate'] as const;
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * Adds the CORS headers of a request to a GraphQL path: `Vary: Origin` whenever any origin is
 * allowed (the answer depends on it), Access-Control-Allow-Origin and -Expose-Headers when the
 * request's Origin is one of `allowedOrigins`. A preflight (OPTIONS with
 * Access-Control-Request-Method) is answered here: 204 with the methods and headers for an
 * allowed origin, else 403. Returns true when it answered.
 */
export function handleCors(
  req: IncomingMessage,
  res: ServerResponse,
  allowedOrigins: readonly string[],
  methods: readonly string[],
): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && allowedOrigins.includes(origin);
  if (allowedOrigins.length > 0) res.setHeader('vary', 'Origin');
  const preflight =
    req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    if (!preflight) res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
  }
  if (!preflight) return false;
  if (!allowed) {
    const message =
      origin === undefined
        ? 'a CORS preflight needs an Origin header'
        : `origin ${origin} may not call this gateway from a browser: it is not in CORS_ORIGINS${allowedOrigins.length === 0 ? ' (none are set: same origin only)' : ''}`;
    sendJson(res, 403, errorBody(message, 'FORBIDDEN'));
    return true;
  }
  res.writeHead(204, {
    'access-control-allow-methods': methods.join(', '),
    'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    'content-length': '0',
  });
  res.end();
  return true;
}
