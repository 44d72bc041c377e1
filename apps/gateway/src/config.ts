// The gateway's settings, read from the environment once at start and validated as a whole:
// one zod schema, in three parts. `settings`: the shape of each variable on its own.
// `checkCombinations`: the rules that span variables (one HubSpot credential, what each AUTH_MODE
// requires, ...), run even when single variables are malformed, so that one ConfigError lists
// every problem, by its variable name, never with its value. `toConfig`: the nested configuration
// the rest of the gateway reads, whose types (GatewayConfig, LimitsConfig, ...) are derived from it.
import { isIP } from 'node:net';
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_RETRY_POLICY } from '@campaigns/core';
import {
  isApiVersion,
  isTypedApiVersion,
  TYPED_API_VERSIONS,
  type ApiVersion,
} from '@campaigns/hubspot-client';
import {
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_CAMPAIGNS_PER_JOB,
  DEFAULT_MAX_QUEUED_JOBS_PER_OWNER,
  DEFAULT_RETENTION_MS,
} from '@campaigns/jobs';
import { z } from 'zod';

export const DEFAULT_OAUTH_TOKEN_URL = 'https://api.hubapi.com/oauth/v1/token';
export const DEFAULT_WRITE_SCOPE = 'campaigns:write';
export const DEFAULT_READ_SCOPE = 'campaigns:read';
export const DEFAULT_ADMIN_SCOPE = 'campaigns:admin';
/** MAX_JOB_BODY_BYTES by default: room for MAX_CAMPAIGNS_PER_JOB's default in the README's shape. */
export const DEFAULT_MAX_JOB_BODY_BYTES = 16 * 1024 * 1024;

/** JOB_RETENTION's units, in milliseconds. */
const DURATION_UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MAX_RETENTION_MS = 30 * DURATION_UNITS.d;

/**
 * A duration such as `24h`, `90m`, `30s` or `7d` (an integer and one unit) → milliseconds, or
 * undefined when it is not one. Nothing else is accepted: no bare numbers, no fractions, no
 * combinations (`1h30m`), so a typo never turns into a surprising retention.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})([smhd])$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS];
}

/** Formats milliseconds as JOB_RETENTION would read them (the largest unit that divides it). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const)
    if (ms % DURATION_UNITS[unit] === 0) return `${ms / DURATION_UNITS[unit]}${unit}`;
  return `${ms / 1000}s`;
}

/** Every problem of the environment, each naming its variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `invalid gateway configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

const int = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int({ error: `must be an integer between ${min} and ${max}` })
    .min(min, { error: `must be an integer between ${min} and ${max}` })
    .max(max, { error: `must be an integer between ${min} and ${max}` })
    .default(fallback);

const httpUrl = z.string().refine((v) => /^https?:\/\//i.test(v) && URL.canParse(v), {
  error: 'must be an absolute http(s) URL',
});

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .optional()
    .transform((v) => v ?? fallback);

const optionalBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
  .optional();

const scope = z.string().regex(/^\S+$/, { error: 'must be one scope name without spaces' });

/** The shape of each variable on its own; combinations are checked by checkCombinations. */
const settings = {
  PORT: int(0, 65_535, 4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: 'must be development, production or test',
    })
    .default('development'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
  LOG_STACKS: bool(false),

  HTTP_HEADERS_TIMEOUT_MS: int(1000, 600_000, 10_000),
  HTTP_REQUEST_TIMEOUT_MS: int(1000, 3_600_000, 30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(0, 600_000, 5_000),
  HTTP_MAX_CONNECTIONS: int(1, 1_000_000, 1024),
  MAX_BODY_DISCARD_BYTES: int(0, 1024 * 1024 * 1024, 16 * 1024 * 1024),
  CORS_ORIGINS: z.string().transform(parseCorsOrigins).optional(),

  TRUSTED_DOCUMENTS_FILE: z.string().optional(),
  ALLOW_ARBITRARY_DOCUMENTS: optionalBool,

  MAX_INFLIGHT_OPERATIONS: int(1, 100_000, 64),
  MAX_INFLIGHT_PER_CALLER: int(1, 100_000, 8),

  HUBSPOT_FAILURES_TO_DOWN: int(1, 1000, 3),
  HUBSPOT_SUCCESSES_TO_UP: int(1, 1000, 2),
  HUBSPOT_PROBE_INTERVAL_MS: int(1000, 3_600_000, 15_000),

  METRICS_PORT: z.coerce
    .number({ error: 'must be an integer between 0 and 65535' })
    .int({ error: 'must be an integer between 0 and 65535' })
    .min(0, { error: 'must be an integer between 0 and 65535' })
    .max(65_535, { error: 'must be an integer between 0 and 65535' })
    .optional(),
  METRICS_HOST: z.string().min(1).optional(),
  METRICS_TOKEN: z
    .string()
    .min(16, { error: 'must be at least 16 characters (it guards /metrics)' })
    .optional(),

  AUDIT_LOG: z.string().min(1).default('stdout'),
  AUDIT_LOG_VALUES: bool(false),

  OTEL_TRACES_EXPORTER: z
    .enum(['none', 'otlp', 'console'], { error: 'must be none, otlp or console' })
    .default('none'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('campaigns-gateway'),

  HUBSPOT_TOKEN: z.string().optional(),
  HUBSPOT_TOKEN_FILE: z.string().optional(),
  HUBSPOT_CLIENT_ID: z.string().optional(),
  HUBSPOT_CLIENT_SECRET: z.string().optional(),
  HUBSPOT_REFRESH_TOKEN: z.string().optional(),
  HUBSPOT_OAUTH_TOKEN_URL: httpUrl.default(DEFAULT_OAUTH_TOKEN_URL),
  HUBSPOT_OAUTH_REFRESH_MARGIN_S: int(0, 3600, 300),
  HUBSPOT_BASE_URL: httpUrl.optional(),
  // A well-formed version is not enough: the engine reads HubSpot's answers by the types generated
  // from a version's spec, so the gateway speaks only the versions this build has a spec for.
  HUBSPOT_API_VERSION: z
    .string()
    .refine(isApiVersion, { error: 'must be v3 or a date version such as 2026-03' })
    .refine((version) => !isApiVersion(version) || isTypedApiVersion(version), {
      error: (issue) =>
        `${JSON.stringify(issue.input)} has no spec in this build: use one of ${TYPED_API_VERSIONS.join(', ')}, or add it with \`npm run spec:update -- --version ${String(issue.input)} --from FILE\``,
    })
    .default('v3'),
  HUBSPOT_TIMEOUT_MS: int(0, 600_000, 30_000),
  HUBSPOT_MAX_CONCURRENCY: int(1, 100, DEFAULT_MAX_CONCURRENCY),
  HUBSPOT_MAX_ATTEMPTS: int(1, 20, DEFAULT_RETRY_POLICY.maxAttempts),

  SIM_CAMPAIGNS: int(0, 100_000, 200),
  SIM_SEED: int(0, 2 ** 31 - 1, 1),

  AUTH_MODE: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    )
    .refine(
      (modes) =>
        modes.length > 0 &&
        (modes.join() === 'none' || modes.every((m) => m === 'jwt' || m === 'api-key')) &&
        new Set(modes).size === modes.length,
      { error: 'must be jwt, api-key, jwt,api-key or none' },
    )
    .optional(),
  JWT_JWKS_URL: httpUrl.optional(),
  JWT_SECRET: z
    .string()
    .min(32, { error: 'must be at least 32 characters (HS256 needs 256 bits)' })
    .optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_SCOPE_CLAIM: z.string().min(1).default('scope'),
  JWT_ALGORITHMS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .refine(
      (algs) =>
        algs.length > 0 &&
        algs.every((a) => /^(HS|RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/.test(a)),
      {
        error:
          'must be a comma-separated list of JWS algorithms (HS256, RS256, ES256, PS256, EdDSA, ...)',
      },
    )
    .optional(),
  JWT_CLOCK_TOLERANCE_S: int(0, 300, 5),
  JWT_MAX_TOKEN_AGE_S: int(60, 30 * 86_400, 86_400),
  JWT_REPLAY_CHECK: bool(false),
  AUTH_WRITE_SCOPE: scope.default(DEFAULT_WRITE_SCOPE),
  AUTH_READ_SCOPE: scope.default(DEFAULT_READ_SCOPE),
  // Parsed here, once; its problems are listed with the other rules (checkCombinations).
  GATEWAY_API_KEYS: z.string().transform(parseApiKeys).optional(),

  MAX_QUERY_TOKENS: int(100, 1_000_000, 5000),
  MAX_QUERY_BYTES: int(256, 1024 * 1024, 32 * 1024),
  MAX_CAMPAIGNS_PER_MUTATION: int(1, 100_000, 1000),
  MAX_CAMPAIGNS_PER_QUERY: int(1, 100_000, 1000),
  MAX_PROPERTIES_PER_CAMPAIGN: int(1, 1000, 100),
  MAX_PROPERTY_VALUE_LENGTH: int(1, 1_000_000, 65_536),
  MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024, 1024 * 1024),
  // A startCampaignUpdate of MAX_CAMPAIGNS_PER_JOB (100,000) small updates is about 10 MB.
  MAX_JOB_BODY_BYTES: int(1024, 1024 * 1024 * 1024, DEFAULT_MAX_JOB_BODY_BYTES),
  MAX_JOB_BODIES_INFLIGHT: int(1, 1000, 4),
  MAX_QUERY_DEPTH: int(2, 100, 10),
  MAX_QUERY_ALIASES: int(0, 1000, 15),
  MAX_QUERY_COST: int(1, 1_000_000, 5000),
  MUTATION_DEADLINE_MS: int(1000, 3_600_000, 120_000),
  SHUTDOWN_GRACE_MS: int(0, 600_000, 30_000),

  // Jobs (startCampaignUpdate) and the shared rate budget.
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//i.test(v) && URL.canParse(v), {
      error: 'must be a redis:// or rediss:// URL',
    })
    .optional(),
  GATEWAY_ROLE: z
    .enum(['api', 'worker', 'both'], { error: 'must be api, worker or both' })
    .default('both'),
  JOB_RETENTION: z
    .string()
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined || ms < 1000 || ms > MAX_RETENTION_MS) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a whole number and one unit (s, m, h or d), between 1s and ${formatDuration(MAX_RETENTION_MS)}, e.g. 24h`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .default(DEFAULT_RETENTION_MS),
  MAX_CAMPAIGNS_PER_JOB: int(1, 10_000_000, DEFAULT_MAX_CAMPAIGNS_PER_JOB),
  MAX_QUEUED_JOBS_PER_CALLER: int(1, 100_000, DEFAULT_MAX_QUEUED_JOBS_PER_OWNER),
  JOB_LOCK_MS: int(1000, 600_000, DEFAULT_LOCK_DURATION_MS),
  AUTH_ADMIN_SCOPE: scope.default(DEFAULT_ADMIN_SCOPE),
  HUBSPOT_PORTAL_ID: z
    .string()
    .regex(/^\d{1,20}$/, { error: 'must be a HubSpot portal (account) id: digits' })
    .optional(),
};

/**
 * CORS_ORIGINS → the exact origins it lists, each `scheme://host[:port]` as a browser sends it in
 * `Origin` (http or https, lower case, no default port, no path, no trailing slash, no wildcard).
 * A malformed entry is named by its position, not its value.
 */
export function parseCorsOrigins(value: string, ctx: z.RefinementCtx): string[] {
  const origins = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = origins.flatMap((origin, index) => (isExactOrigin(origin) ? [] : [index + 1]));
  if (origins.length === 0 || bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a comma-separated list of origins such as https://app.example.com or http://localhost:5173 (scheme and host, lower case, a port only if not the default; no path, no trailing slash, no wildcard)${bad.length > 0 ? `: entry ${bad.join(', ')} is not one` : ''}`,
    });
    return z.NEVER;
  }
  return [...new Set(origins)];
}

function isExactOrigin(text: string): boolean {
  if (!/^https?:\/\//.test(text) || text.includes('*') || !URL.canParse(text)) return false;
  return new URL(text).origin === text;
}

/** Every environment variable the gateway reads (test/env-example.test.ts checks .env.example lists each). */
export const SETTING_NAMES: readonly string[] = Object.keys(settings);

type Settings = z.output<z.ZodObject<typeof settings>>;

const OAUTH_VARS = ['HUBSPOT_CLIENT_ID', 'HUBSPOT_CLIENT_SECRET', 'HUBSPOT_REFRESH_TOKEN'] as const;

/**
 * What the settings mean for the HubSpot credential and the callers, read by both the rules and
 * the built configuration. `modes`: AUTH_MODE when it is well-formed.
 */
function consequences(e: Settings, modes: string[] | undefined) {
  const oauthGiven = OAUTH_VARS.filter((name) => e[name] !== undefined);
  const sources = [
    e.HUBSPOT_TOKEN !== undefined && 'HUBSPOT_TOKEN',
    e.HUBSPOT_TOKEN_FILE !== undefined && 'HUBSPOT_TOKEN_FILE',
    oauthGiven.length > 0 && 'OAuth (HUBSPOT_CLIENT_ID/SECRET/REFRESH_TOKEN)',
  ].filter((source): source is string => typeof source === 'string');
  const production = e.NODE_ENV === 'production';
  const simulator = sources.length === 0;
  const loopback = isLoopback(e.HOST);
  /** No AUTH_MODE: `none` for the embedded simulator on loopback outside production, else required. */
  const noneByDefault = e.AUTH_MODE === undefined && simulator && loopback && !production;
  return {
    oauthGiven,
    sources,
    production,
    simulator,
    loopback,
    noneByDefault,
    none: noneByDefault || modes?.join() === 'none',
    jwtMode: modes?.includes('jwt') ?? false,
    apiKeyMode: modes?.includes('api-key') ?? false,
  };
}

/** The rules that span variables. Each problem is named by its variable(s), never a secret value. */
function checkCombinations(e: Settings, ctx: z.RefinementCtx<Settings>): void {
  // Problems of single variables found so far; some rules need those variables well-formed.
  const malformed = new Set(ctx.issues.map((issue) => issue.path?.[0]));
  const problem = (name: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [name], message });
  const given = (name: keyof Settings) => e[name] !== undefined;
  const modes = malformed.has('AUTH_MODE') ? undefined : e.AUTH_MODE;
  const {
    oauthGiven,
    sources,
    production,
    simulator,
    loopback,
    noneByDefault,
    jwtMode,
    apiKeyMode,
  } = consequences(e, modes);

  // HubSpot credentials: exactly one source.
  if (sources.length > 1) problem('HubSpot credentials', `set only one of ${sources.join(', ')}`);
  if (oauthGiven.length > 0 && oauthGiven.length < 3) {
    for (const name of OAUTH_VARS.filter((n) => !given(n)))
      problem(name, 'required for OAuth (the other OAuth settings are set)');
  }
  if (simulator && production) {
    problem(
      'HUBSPOT_TOKEN, HUBSPOT_TOKEN_FILE or HUBSPOT_CLIENT_ID/SECRET/REFRESH_TOKEN',
      'required when NODE_ENV=production (the embedded simulator is for development)',
    );
  }

  // Callers.
  if (!given('AUTH_MODE')) {
    if (!noneByDefault)
      problem('AUTH_MODE', `required (jwt, api-key, jwt,api-key${loopback ? ' or none' : ''})`);
  } else if (modes?.join() === 'none' && !loopback) {
    problem(
      'AUTH_MODE',
      `none is allowed only when HOST is a loopback address (127.0.0.1, ::1, localhost), not ${e.HOST}`,
    );
  }
  if (jwtMode) {
    if (!given('JWT_JWKS_URL') && !given('JWT_SECRET'))
      problem('JWT_JWKS_URL or JWT_SECRET', 'one is required for AUTH_MODE=jwt');
    if (given('JWT_JWKS_URL') && given('JWT_SECRET'))
      problem('JWT_JWKS_URL and JWT_SECRET', 'set only one');
    if (!given('JWT_ISSUER')) problem('JWT_ISSUER', 'required for AUTH_MODE=jwt');
    if (!given('JWT_AUDIENCE')) problem('JWT_AUDIENCE', 'required for AUTH_MODE=jwt');
  }
  // A job's body limit only ever widens the ordinary one.
  if (
    !malformed.has('MAX_JOB_BODY_BYTES') &&
    !malformed.has('MAX_BODY_BYTES') &&
    e.MAX_JOB_BODY_BYTES < e.MAX_BODY_BYTES
  )
    problem(
      'MAX_JOB_BODY_BYTES',
      `must be at least MAX_BODY_BYTES (${e.MAX_BODY_BYTES}), got ${e.MAX_JOB_BODY_BYTES}`,
    );
  // The keys' problems are listed whether or not AUTH_MODE uses them.
  if (apiKeyMode && !given('GATEWAY_API_KEYS'))
    problem('GATEWAY_API_KEYS', 'required for AUTH_MODE=api-key');
  for (const message of e.GATEWAY_API_KEYS?.problems ?? []) problem('GATEWAY_API_KEYS', message);

  if (
    e.OTEL_TRACES_EXPORTER === 'otlp' &&
    !given('OTEL_EXPORTER_OTLP_ENDPOINT') &&
    !given('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  ) {
    problem(
      'OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'required for OTEL_TRACES_EXPORTER=otlp',
    );
  }
  if (malformed.size === 0 && e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS) {
    problem(
      'HTTP_HEADERS_TIMEOUT_MS',
      `must not exceed HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_REQUEST_TIMEOUT_MS}): the headers are part of the request`,
    );
  }
  if (
    !malformed.has('METRICS_PORT') &&
    !malformed.has('PORT') &&
    e.METRICS_PORT !== undefined &&
    e.METRICS_PORT !== 0 &&
    e.METRICS_PORT === e.PORT
  )
    problem('METRICS_PORT', 'must differ from PORT (it is a separate listener)');
  // Without Redis nothing else could run this process's jobs, nor take them from it.
  if (!given('REDIS_URL') && !malformed.has('GATEWAY_ROLE') && e.GATEWAY_ROLE !== 'both')
    problem(
      'GATEWAY_ROLE',
      `${e.GATEWAY_ROLE} needs REDIS_URL: without Redis, jobs run in this process, which must be both api and worker`,
    );
}

/** The nested configuration, from settings that passed every rule. */
function toConfig(e: Settings) {
  const { production, none, noneByDefault, jwtMode, apiKeyMode } = consequences(e, e.AUTH_MODE);
  /** Where the HubSpot token comes from. `simulator`: none configured, `npm start` embeds the simulator. */
  const credentials = e.HUBSPOT_TOKEN
    ? { kind: 'token' as const, token: e.HUBSPOT_TOKEN }
    : e.HUBSPOT_TOKEN_FILE
      ? { kind: 'token-file' as const, path: e.HUBSPOT_TOKEN_FILE }
      : e.HUBSPOT_CLIENT_ID
        ? {
            kind: 'oauth' as const,
            clientId: e.HUBSPOT_CLIENT_ID,
            clientSecret: e.HUBSPOT_CLIENT_SECRET!,
            refreshToken: e.HUBSPOT_REFRESH_TOKEN!,
            tokenUrl: e.HUBSPOT_OAUTH_TOKEN_URL,
            /** Refresh this long before the access token expires (capped at half its lifetime). */
            refreshMarginMs: e.HUBSPOT_OAUTH_REFRESH_MARGIN_S * 1000,
          }
        : { kind: 'simulator' as const };

  return {
    server: {
      host: e.HOST,
      port: e.PORT,
      nodeEnv: e.NODE_ENV,
      production,
      logLevel: e.LOG_LEVEL,
      /** Log stack traces of errors (a debug setting; off by default). */
      logStacks: e.LOG_STACKS,
    },
    /** Node's HTTP server timeouts and the slow/oversized client policy. */
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      /** Time to receive a whole request (headers and body). */
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      /** Open connections at most; more are closed as they arrive (bounds concurrent body reads). */
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      /** An oversized body is read and discarded up to this many bytes before the 413, so the client sees it. */
      maxDiscardBytes: e.MAX_BODY_DISCARD_BYTES,
      /** Pages on these origins may call /graphql and /graphql/stream (CORS); none: same origin only. */
      corsOrigins: e.CORS_ORIGINS ?? [],
    },
    /** Which GraphQL documents run: trusted (persisted) ones from a manifest, and arbitrary ones if allowed. */
    documents: {
      /** A persisted-query manifest (Apollo's format): the operations this gateway trusts. */
      trustedDocumentsFile: e.TRUSTED_DOCUMENTS_FILE,
      /** Whether documents not in the manifest may run (default: outside production only). */
      allowArbitrary: e.ALLOW_ARBITRARY_DOCUMENTS ?? !production,
    },
    /** Operations in flight: past either cap the gateway answers 429 with Retry-After. */
    admission: {
      maxInflight: e.MAX_INFLIGHT_OPERATIONS,
      maxInflightPerCaller: e.MAX_INFLIGHT_PER_CALLER,
    },
    /** How /readyz and gateway_hubspot_up follow HubSpot's reachability and the credential's validity. */
    upstreamHealth: {
      /** Consecutive failed HubSpot calls (network, 5xx, 401/403) before HubSpot counts as down. */
      failuresToDown: e.HUBSPOT_FAILURES_TO_DOWN,
      /** Consecutive good answers before it counts as up again. */
      successesToUp: e.HUBSPOT_SUCCESSES_TO_UP,
      /** While down, one cheap probe request this often, so recovery is seen without traffic. */
      probeIntervalMs: e.HUBSPOT_PROBE_INTERVAL_MS,
    },
    /** Where /metrics is served. */
    metrics: {
      /** A separate listener for /metrics (on METRICS_HOST); /metrics leaves the main port. */
      port: e.METRICS_PORT,
      host: e.METRICS_HOST ?? e.HOST,
      /** When set, /metrics requires `Authorization: Bearer <token>`. */
      token: e.METRICS_TOKEN,
    },
    /** The audit trail: one line per change. */
    audit: {
      /** `stdout` (with the logs), a file path, or off. */
      sink:
        e.AUDIT_LOG === 'off'
          ? { kind: 'off' as const }
          : e.AUDIT_LOG === 'stdout'
            ? { kind: 'stdout' as const }
            : { kind: 'file' as const, path: e.AUDIT_LOG },
      /** Include property values (default: names only). */
      includeValues: e.AUDIT_LOG_VALUES,
    },
    /** OpenTelemetry tracing: off unless OTEL_TRACES_EXPORTER is set. */
    tracing: {
      exporter: e.OTEL_TRACES_EXPORTER,
      /** OTLP/HTTP traces endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces). */
      otlpEndpoint:
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
        (e.OTEL_EXPORTER_OTLP_ENDPOINT
          ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
          : undefined),
      serviceName: e.OTEL_SERVICE_NAME,
    },
    hubspot: {
      credentials,
      baseUrl: e.HUBSPOT_BASE_URL,
      apiVersion: e.HUBSPOT_API_VERSION as ApiVersion,
      timeoutMs: e.HUBSPOT_TIMEOUT_MS,
      maxConcurrency: e.HUBSPOT_MAX_CONCURRENCY,
      maxAttempts: e.HUBSPOT_MAX_ATTEMPTS,
      /** Names the account whose rate budget is shared through Redis (else a hash of the credential). */
      portalId: e.HUBSPOT_PORTAL_ID,
    },
    simulator: { campaigns: e.SIM_CAMPAIGNS, seed: e.SIM_SEED },
    auth: {
      /** `none`: every caller is anonymous with every scope (loopback HOST only). */
      none,
      /** True when AUTH_MODE was not set and `none` was chosen for the embedded simulator. */
      noneByDefault,
      ...(jwtMode
        ? {
            jwt: {
              /** Exactly one of jwksUrl (asymmetric keys) and secret (HS256/384/512). */
              ...(e.JWT_JWKS_URL ? { jwksUrl: e.JWT_JWKS_URL } : {}),
              ...(e.JWT_SECRET ? { secret: e.JWT_SECRET } : {}),
              issuer: e.JWT_ISSUER!,
              audience: e.JWT_AUDIENCE!,
              /** Claim holding the scopes: a space-separated string or an array of strings. */
              scopeClaim: e.JWT_SCOPE_CLAIM,
              ...(e.JWT_ALGORITHMS ? { algorithms: e.JWT_ALGORITHMS } : {}),
              clockToleranceSec: e.JWT_CLOCK_TOLERANCE_S,
              /** Refuse tokens issued longer ago than this, or whose lifetime (exp − iat) exceeds it; `iat` is required. */
              maxTokenAgeSec: e.JWT_MAX_TOKEN_AGE_S,
              /** Require a `jti` and refuse a token whose `jti` was already seen (one-use tokens). */
              replayCheck: e.JWT_REPLAY_CHECK,
            },
          }
        : {}),
      ...(apiKeyMode && e.GATEWAY_API_KEYS ? { apiKeys: e.GATEWAY_API_KEYS.keys } : {}),
      writeScope: e.AUTH_WRITE_SCOPE,
      readScope: e.AUTH_READ_SCOPE,
      /** Callers holding it may read and cancel every caller's jobs. */
      adminScope: e.AUTH_ADMIN_SCOPE,
    },
    limits: {
      maxCampaignsPerMutation: e.MAX_CAMPAIGNS_PER_MUTATION,
      maxCampaignsPerQuery: e.MAX_CAMPAIGNS_PER_QUERY,
      maxPropertiesPerCampaign: e.MAX_PROPERTIES_PER_CAMPAIGN,
      maxPropertyValueLength: e.MAX_PROPERTY_VALUE_LENGTH,
      maxBodyBytes: e.MAX_BODY_BYTES,
      /**
       * The body of a caller holding the write scope (a job's inputs) that declares its length:
       * at most this. Never below maxBodyBytes.
       */
      maxJobBodyBytes: e.MAX_JOB_BODY_BYTES,
      /** Bodies over maxBodyBytes read or served at once in this process (memory bound). */
      maxJobBodiesInflight: e.MAX_JOB_BODIES_INFLIGHT,
      maxQueryDepth: e.MAX_QUERY_DEPTH,
      maxQueryAliases: e.MAX_QUERY_ALIASES,
      maxQueryCost: e.MAX_QUERY_COST,
      /** Lexical tokens in one GraphQL document (parser stops past it). */
      maxQueryTokens: e.MAX_QUERY_TOKENS,
      /** Bytes (UTF-8) of one GraphQL document's text, refused before it is parsed. */
      maxQueryBytes: e.MAX_QUERY_BYTES,
    },
    mutationDeadlineMs: e.MUTATION_DEADLINE_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    /** Jobs (startCampaignUpdate): on BullMQ over Redis when `redisUrl` is set, else in this process. */
    jobs: {
      /** Also where the rate budget is shared between processes. A secret (it may hold a password). */
      redisUrl: e.REDIS_URL,
      /** `api` takes and reads jobs, `worker` runs them, `both` does both (the only role without Redis). */
      role: e.GATEWAY_ROLE,
      /** How long an ended job's results and errors stay readable. */
      retentionMs: e.JOB_RETENTION,
      maxCampaignsPerJob: e.MAX_CAMPAIGNS_PER_JOB,
      /** Jobs one caller may have pending or running at once. */
      maxQueuedJobsPerCaller: e.MAX_QUEUED_JOBS_PER_CALLER,
      /**
       * A worker's lock on a running job (BullMQ's lock duration): when a worker dies, its jobs
       * are taken over by another within 1.5 × this.
       */
      lockMs: e.JOB_LOCK_MS,
    },
  };
}

/** The environment (trimmed, empty values dropped) → the gateway's configuration. */
const configSchema = z
  .object(settings)
  // `when`: run even when single variables are malformed, so every problem is listed at once.
  .superRefine(checkCombinations, { when: () => true })
  .transform(toConfig);

export type GatewayConfig = z.output<typeof configSchema>;
export type NodeEnv = GatewayConfig['server']['nodeEnv'];
export type LogLevel = GatewayConfig['server']['logLevel'];
export type HubSpotCredentialsConfig = GatewayConfig['hubspot']['credentials'];
export type AuthConfig = GatewayConfig['auth'];
export type JwtConfig = NonNullable<AuthConfig['jwt']>;
export type LimitsConfig = GatewayConfig['limits'];
export type DocumentsConfig = GatewayConfig['documents'];
export type HttpConfig = GatewayConfig['http'];
export type AdmissionConfig = GatewayConfig['admission'];
export type UpstreamHealthConfig = GatewayConfig['upstreamHealth'];
export type MetricsConfig = GatewayConfig['metrics'];
export type AuditConfig = GatewayConfig['audit'];
export type TracingConfig = GatewayConfig['tracing'];
export type JobsConfig = GatewayConfig['jobs'];

/**
 * Reads and validates the gateway's settings. Throws one {@link ConfigError} naming every
 * missing or malformed variable. Empty values count as unset.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const raw: Record<string, string> = {};
  for (const key of SETTING_NAMES) {
    const value = env[key]?.trim();
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  // Never echo a value: some of these variables are secrets.
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '')}: ${issue.message}`),
    );
  return parsed.data;
}

export interface ApiKeyEntry {
  /** Shown in logs as the caller's subject (`api-key:<name>`). */
  name: string;
  /** SHA-256 of the key, 32 bytes. The key itself is never stored. */
  sha256: Buffer;
  scopes: string[];
}

/** `name:sha256hex:scope1 scope2,name2:...` → entries, or problems naming the entry by position and name. */
export function parseApiKeys(value: string): { keys: ApiKeyEntry[]; problems: string[] } {
  const keys: ApiKeyEntry[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  value
    .split(',')
    .map((entry) => entry.trim())
    .forEach((entry, i) => {
      if (entry === '') return;
      // Scopes may contain colons themselves (campaigns:write): only the first two separate fields.
      const [name = '', hash = '', ...scopeParts] = entry.split(':');
      const scopes = scopeParts.join(':');
      const label = `entry ${i + 1}${/^[\w.-]+$/.test(name) ? ` (${name})` : ''}`;
      if (scopeParts.length === 0 || !/^[\w.-]+$/.test(name)) {
        problems.push(
          `${label}: must be name:sha256hex:scopes, the name made of letters, digits, _ . -`,
        );
        return;
      }
      if (!/^[0-9a-f]{64}$/i.test(hash)) {
        problems.push(
          `${label}: the key must be given as its SHA-256 in hex (64 characters), never in clear`,
        );
        return;
      }
      const scopeList = scopes.split(/\s+/).filter(Boolean);
      if (scopeList.length === 0) {
        problems.push(
          `${label}: lists no scopes (e.g. "${DEFAULT_READ_SCOPE} ${DEFAULT_WRITE_SCOPE}")`,
        );
        return;
      }
      if (names.has(name)) {
        problems.push(`${label}: the name is used twice`);
        return;
      }
      names.add(name);
      keys.push({ name, sha256: Buffer.from(hash, 'hex'), scopes: scopeList });
    });
  if (keys.length === 0 && problems.length === 0) problems.push('lists no keys');
  return { keys, problems };
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}
