// pino JSON logs. Two layers keep credentials out: the fields where they live (authorization
// headers, token fields: REDACT_PATHS) are censored, and every line is scrubbed of the secret
// values the gateway knows at that moment (HubSpot token, OAuth secrets, JWT secret) before it is
// written. Errors are logged by type, message, code and causes; their stack only with
// LOG_STACKS=true.
//
// The censoring is this module's own (censorFields), not pino's `redact` option: the same paths and
// the same lines, at a small fraction of the cost. pino's redaction clones and walks every object
// of every line for the `*.` paths; a request logs three lines (the audit line of 50 ids among
// them), where it was the largest cost of logging.
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
  const logger = pino(
    {
      level: options.level,
      base: { service: 'gateway' },
      ...(options.name ? { name: options.name } : {}),
      serializers: {
        err: errorSerializer,
        // The same for errors logged under `error` (any other value there is left as it is).
        error: (value: unknown) => (isLoggedAsError(value) ? errorSerializer(value) : value),
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // Every line's fields (a child's bindings: see below).
        log: censorFields,
      },
      hooks: {
        // An object interpolated into a message (`%o`, `%j`) is censored as a line's fields are.
        logMethod(args, method) {
          // After the message: the second argument when the first is the fields (pino's rule).
          const first = typeof args[0] === 'object' || args[0] === undefined ? 2 : 1;
          if (args.length > first)
            for (let i = first; i < args.length; i++) args[i] = censorFields(args[i]);
          return method.apply(this, args);
        },
      },
    },
    scrubbing,
  );
  // pino formats a child's bindings once, when the child is made (its `bindings` formatter is not
  // applied to children): they are censored here, for every descendant (children inherit this).
  const child = logger.child;
  logger.child = function censoredChild(this: Logger, bindings, childOptions) {
    return child.call(this, censorFields(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

/** What the `error` serializer turns into a LoggedError (anything else there is logged as is). */
function isLoggedAsError(value: unknown): boolean {
  return (
    value instanceof Error || (typeof value === 'object' && value !== null && 'stack' in value)
  );
}

const CENSOR = '[REDACTED]';

/**
 * REDACT_PATHS as censorFields walks them: `top`, the fields censored at the top of a line;
 * `anyChild`, the fields censored in any top-level object (`*.token`); `under`, the longer paths
 * below a named top-level field (`req.headers.authorization`), with `anyChild`'s added.
 */
const PLAN = censorPlan(REDACT_PATHS);

function censorPlan(paths: readonly string[]) {
  const top = new Set<string>();
  const anyChild: string[][] = [];
  const named = new Map<string, string[][]>();
  for (const path of paths) {
    const parts = [...path.matchAll(/([^.[\]"']+)|\["([^"]+)"\]/g)].map((m) => m[1] ?? m[2]!);
    if (parts.join('') !== path.replace(/[.[\]"]/g, '') || parts.slice(1).includes('*'))
      throw new Error(`unsupported redaction path: ${path}`);
    const [first, ...rest] = parts as [string, ...string[]];
    if (rest.length === 0) top.add(first);
    else if (first === '*') anyChild.push(rest);
    else named.set(first, [...(named.get(first) ?? []), rest]);
  }
  const under = new Map([...named].map(([key, rest]) => [key, [...rest, ...anyChild]]));
  return { top, anyChild, under };
}

/**
 * A line's fields (or a child's bindings) with REDACT_PATHS censored: the object itself when
 * nothing is to be censored (the usual case, found without copying), else a copy with the censored
 * fields replaced by CENSOR along their paths (what is not on a path is shared, not copied). As
 * pino's redaction: a field is censored when it is an own enumerable property, whatever its value;
 * arrays are not walked into; `err`, and `error` holding an error, are left to their serializer,
 * whose LoggedError has none of these fields.
 */
export function censorFields<T>(fields: T): T {
  if (fields === null || typeof fields !== 'object') return fields;
  const source = fields as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const value = source[key];
    if (value === undefined) continue;
    let censored: unknown = value;
    if (PLAN.top.has(key)) censored = CENSOR;
    else if (
      typeof value === 'object' &&
      value !== null &&
      key !== 'err' &&
      !(key === 'error' && isLoggedAsError(value))
    ) {
      for (const path of PLAN.under.get(key) ?? PLAN.anyChild)
        censored = censorPath(censored, path, 0);
    }
    if (censored !== value) (out ??= { ...source })[key] = censored;
  }
  return (out ?? fields) as T;
}

function censorPath(node: unknown, path: readonly string[], at: number): unknown {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const key = path[at]!;
  if (!Object.prototype.propertyIsEnumerable.call(node, key)) return node;
  const value = (node as Record<string, unknown>)[key];
  const replaced = at === path.length - 1 ? CENSOR : censorPath(value, path, at + 1);
  if (replaced === value) return node;
  // A shallow copy with the same prototype (pino's redaction copies so too; a toJSON still applies).
  const copy = Object.assign(Object.create(Object.getPrototypeOf(node) as object | null), node);
  copy[key] = replaced;
  return copy;
}
