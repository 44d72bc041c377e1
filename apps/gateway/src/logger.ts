// pino JSON logs. Two layers keep credentials out: `redact` censors the fields where they live
// (authorization headers, token fields), and every line is scrubbed of the secret values the
// gateway knows at that moment (HubSpot token, OAuth secrets, JWT secret) before it is written.
// Errors are logged by type, message, code and causes; their stack only with LOG_STACKS=true.
import { redactString } from '@campaigns/redact';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'authorization',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'secret',
  'apiKey',
  '*.authorization',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.secret',
  '*.apiKey',
];

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go. Default: stdout. */
  destination?: DestinationStream;
  /** Secret values to scrub from every line, asked for each line (they change on OAuth refresh). */
  secrets?: () => readonly string[];
  /** Include errors' stack traces (LOG_STACKS, a debug setting). Default false. */
  stacks?: boolean;
  /** `name` of every line (e.g. `audit`); default none. */
  name?: string;
}

/** An error as it appears in a log line. */
export interface LoggedError {
  /** The error's name (`TypeError`, `HubSpotApiError`), or the type of a non-error value. */
  type: string;
  message: string;
  code?: string | number;
  /** HTTP status, for errors that carry one. */
  status?: number;
  /** Only with LOG_STACKS=true. */
  stack?: string;
  cause?: LoggedError;
  /** An AggregateError's first errors. */
  errors?: LoggedError[];
}

const MAX_LOGGED_MESSAGE = 4000;
const MAX_CAUSE_DEPTH = 3;
const MAX_AGGREGATED = 5;

/**
 * The `err` serializer: type, message, code, status and the chain of causes, and the stack only
 * when `stacks` is set. Nothing else an error carries (bodies, requests, sockets) is copied.
 */
export function serializeError(error: unknown, stacks = false, depth = 0): LoggedError {
  if (typeof error !== 'object' || error === null)
    return { type: typeof error, message: String(error).slice(0, MAX_LOGGED_MESSAGE) };
  const e = error as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    status?: unknown;
    stack?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  const type =
    typeof e.name === 'string' && e.name
      ? e.name
      : error instanceof Error
        ? 'Error'
        : (error.constructor?.name ?? 'Object');
  const out: LoggedError = {
    type,
    message: (typeof e.message === 'string' ? e.message : '').slice(0, MAX_LOGGED_MESSAGE),
  };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.status === 'number') out.status = e.status;
  if (stacks && typeof e.stack === 'string') out.stack = e.stack;
  if (depth < MAX_CAUSE_DEPTH) {
    if (e.cause !== undefined) out.cause = serializeError(e.cause, stacks, depth + 1);
    if (Array.isArray(e.errors) && error instanceof AggregateError)
      out.errors = e.errors
        .slice(0, MAX_AGGREGATED)
        .map((inner) => serializeError(inner, stacks, depth + 1));
  }
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const secrets = options.secrets ?? (() => []);
  const scrubbing: DestinationStream = {
    write(line: string) {
      destination.write(redactString(line, secrets()));
    },
  };
  const stacks = options.stacks ?? false;
  const errorSerializer = (value: unknown) => serializeError(value, stacks);
  return pino(
    {
      level: options.level,
      base: { service: 'gateway' },
      ...(options.name ? { name: options.name } : {}),
      serializers: {
        err: errorSerializer,
        // The same for errors logged under `error` (any other value there is left as it is).
        error: (value: unknown) =>
          value instanceof Error ||
          (typeof value === 'object' && value !== null && 'stack' in value)
            ? errorSerializer(value)
            : value,
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    scrubbing,
  );
}
