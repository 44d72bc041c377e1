// The gateway's settings, read from the environment once at start and validated as a whole:
// one ConfigError lists every missing or malformed setting, by its variable name.
import { isIP } from 'node:net';
import { isApiVersion, type ApiVersion } from '@campaigns/hubspot-client';
import { z } from 'zod';

export const DEFAULT_OAUTH_TOKEN_URL = 'https://api.hubapi.com/oauth/v1/token';
export const DEFAULT_WRITE_SCOPE = 'campaigns:write';
export const DEFAULT_READ_SCOPE = 'campaigns:read';

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Where the HubSpot token comes from. `simulator`: none configured, `npm start` embeds the simulator. */
export type HubSpotCredentialsConfig =
  | { kind: 'simulator' }
  | { kind: 'token'; token: string }
  | { kind: 'token-file'; path: string }
  | {
      kind: 'oauth';
      clientId: string;
      clientSecret: string;
      refreshToken: string;
      tokenUrl: string;
      /** Refresh this long before the access token expires (capped at half its lifetime). */
      refreshMarginMs: number;
    };

export interface JwtConfig {
  /** Exactly one of jwksUrl (asymmetric keys) and secret (HS256/384/512). */
  jwksUrl?: string;
  secret?: string;
  issuer: string;
  audience: string;
  /** Claim holding the scopes: a space-separated string or an array of strings. */
  scopeClaim: string;
  algorithms?: string[];
  clockToleranceSec: number;
  /** Refuse tokens issued longer ago than this, or whose lifetime (exp − iat) exceeds it; `iat` is required. */
  maxTokenAgeSec: number;
  /** Require a `jti` and refuse a token whose `jti` was already seen (one-use tokens). */
  replayCheck: boolean;
}

export interface ApiKeyEntry {
  /** Shown in logs as the caller's subject (`api-key:<name>`). */
  name: string;
  /** SHA-256 of the key, 32 bytes. The key itself is never stored. */
  sha256: Buffer;
  scopes: string[];
}

export interface AuthConfig {
  /** `none`: every caller is anonymous with every scope (loopback HOST only). */
  none: boolean;
  /** True when AUTH_MODE was not set and `none` was chosen for the embedded simulator. */
  noneByDefault: boolean;
  jwt?: JwtConfig;
  apiKeys?: ApiKeyEntry[];
  writeScope: string;
  readScope: string;
}

export interface LimitsConfig {
  /** Lexical tokens in one GraphQL document (parser stops past it). */
  maxQueryTokens: number;
  /** Bytes (UTF-8) of one GraphQL document's text, refused before it is parsed. */
  maxQueryBytes: number;
  maxCampaignsPerMutation: number;
  maxCampaignsPerQuery: number;
  maxPropertiesPerCampaign: number;
  maxPropertyValueLength: number;
  maxBodyBytes: number;
  maxQueryDepth: number;
  maxQueryAliases: number;
  maxQueryCost: number;
}

/** Which GraphQL documents run: trusted (persisted) ones from a manifest, and arbitrary ones if allowed. */
export interface DocumentsConfig {
  /** A persisted-query manifest (Apollo's format): the operations this gateway trusts. */
  trustedDocumentsFile: string | undefined;
  /** Whether documents not in the manifest may run (default: outside production only). */
  allowArbitrary: boolean;
}

/** Node's HTTP server timeouts and the slow/oversized client policy. */
export interface HttpConfig {
  headersTimeoutMs: number;
  /** Time to receive a whole request (headers and body). */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Open connections at most; more are closed as they arrive (bounds concurrent body reads). */
  maxConnections: number;
  /** An oversized body is read and discarded up to this many bytes before the 413, so the client sees it. */
  maxDiscardBytes: number;
}

/** Operations in flight: past either cap the gateway answers 429 with Retry-After. */
export interface AdmissionConfig {
  maxInflight: number;
  maxInflightPerCaller: number;
}

/** How /readyz and gateway_hubspot_up follow HubSpot's reachability and the credential's validity. */
export interface UpstreamHealthConfig {
  /** Consecutive failed HubSpot calls (network, 5xx, 401/403) before HubSpot counts as down. */
  failuresToDown: number;
  /** Consecutive good answers before it counts as up again. */
  successesToUp: number;
  /** While down, one cheap probe request this often, so recovery is seen without traffic. */
  probeIntervalMs: number;
}

/** Where /metrics is served. */
export interface MetricsConfig {
  /** A separate listener for /metrics (on METRICS_HOST); /metrics leaves the main port. */
  port: number | undefined;
  host: string;
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  token: string | undefined;
}

/** The audit trail: one line per change. */
export interface AuditConfig {
  /** `stdout` (with the logs), a file path, or off. */
  sink: { kind: 'off' } | { kind: 'stdout' } | { kind: 'file'; path: string };
  /** Include property values (default: names only). */
  includeValues: boolean;
}

/** OpenTelemetry tracing: off unless OTEL_TRACES_EXPORTER is set. */
export interface TracingConfig {
  exporter: 'none' | 'otlp' | 'console';
  /** OTLP/HTTP traces endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces). */
  otlpEndpoint: string | undefined;
  serviceName: string;
}

export interface GatewayConfig {
  server: {
    host: string;
    port: number;
    nodeEnv: NodeEnv;
    production: boolean;
    logLevel: LogLevel;
    /** Log stack traces of errors (a debug setting; off by default). */
    logStacks: boolean;
  };
  http: HttpConfig;
  documents: DocumentsConfig;
  admission: AdmissionConfig;
  upstreamHealth: UpstreamHealthConfig;
  metrics: MetricsConfig;
  audit: AuditConfig;
  tracing: TracingConfig;
  hubspot: {
    credentials: HubSpotCredentialsConfig;
    baseUrl: string | undefined;
    apiVersion: ApiVersion;
    timeoutMs: number;
    maxConcurrency: number;
    maxAttempts: number;
  };
  simulator: { campaigns: number; seed: number };
  auth: AuthConfig;
  limits: LimitsConfig;
  mutationDeadlineMs: number;
  shutdownGraceMs: number;
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

/** The shape of each variable on its own; combinations are checked afterwards. */
const envSchema = z.object({
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
  HUBSPOT_API_VERSION: z
    .string()
    .refine(isApiVersion, { error: 'must be v3 or a date version such as 2026-03' })
    .default('v3'),
  HUBSPOT_TIMEOUT_MS: int(0, 600_000, 30_000),
  HUBSPOT_MAX_CONCURRENCY: int(1, 100, 10),
  HUBSPOT_MAX_ATTEMPTS: int(1, 20, 5),

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
  GATEWAY_API_KEYS: z.string().optional(),

  MAX_QUERY_TOKENS: int(100, 1_000_000, 5000),
  MAX_QUERY_BYTES: int(256, 1024 * 1024, 32 * 1024),
  MAX_CAMPAIGNS_PER_MUTATION: int(1, 100_000, 1000),
  MAX_CAMPAIGNS_PER_QUERY: int(1, 100_000, 1000),
  MAX_PROPERTIES_PER_CAMPAIGN: int(1, 1000, 100),
  MAX_PROPERTY_VALUE_LENGTH: int(1, 1_000_000, 65_536),
  MAX_BODY_BYTES: int(1024, 100 * 1024 * 1024, 1024 * 1024),
  MAX_QUERY_DEPTH: int(2, 100, 10),
  MAX_QUERY_ALIASES: int(0, 1000, 15),
  MAX_QUERY_COST: int(1, 1_000_000, 5000),
  MUTATION_DEADLINE_MS: int(1000, 3_600_000, 120_000),
  SHUTDOWN_GRACE_MS: int(0, 600_000, 30_000),
});

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the gateway's settings. Throws one {@link ConfigError} naming every
 * missing or malformed variable. Empty values count as unset.
 */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const raw: Env = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key]?.trim();
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const problems: string[] = [];
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '');
      // Never echo a value: some of these variables are secrets.
      problems.push(`${name}: ${issue.message}`);
    }
  }
  const has = (name: string) => raw[name] !== undefined;

  // HubSpot credentials: exactly one source.
  const oauthVars = ['HUBSPOT_CLIENT_ID', 'HUBSPOT_CLIENT_SECRET', 'HUBSPOT_REFRESH_TOKEN'];
  const oauthGiven = oauthVars.filter(has);
  const sources = [
    has('HUBSPOT_TOKEN') && 'HUBSPOT_TOKEN',
    has('HUBSPOT_TOKEN_FILE') && 'HUBSPOT_TOKEN_FILE',
    oauthGiven.length > 0 && 'OAuth (HUBSPOT_CLIENT_ID/SECRET/REFRESH_TOKEN)',
  ].filter((s): s is string => typeof s === 'string');
  if (sources.length > 1)
    problems.push(`HubSpot credentials: set only one of ${sources.join(', ')}`);
  if (oauthGiven.length > 0 && oauthGiven.length < 3) {
    for (const name of oauthVars.filter((n) => !has(n)))
      problems.push(`${name}: required for OAuth (the other OAuth settings are set)`);
  }
  const simulator = sources.length === 0;
  const production = raw.NODE_ENV === 'production';
  if (simulator && production) {
    problems.push(
      'HUBSPOT_TOKEN, HUBSPOT_TOKEN_FILE or HUBSPOT_CLIENT_ID/SECRET/REFRESH_TOKEN: required when NODE_ENV=production (the embedded simulator is for development)',
    );
  }

  // Callers.
  const host = raw.HOST ?? '127.0.0.1';
  const loopback = isLoopback(host);
  // Parsed on its own so that its consequences are checked even when other settings are broken.
  const modes = envSchema.shape.AUTH_MODE.safeParse(raw.AUTH_MODE).data;
  let none = false;
  let noneByDefault = false;
  if (!has('AUTH_MODE')) {
    if (simulator && loopback && !production) {
      none = true;
      noneByDefault = true;
    } else {
      problems.push(`AUTH_MODE: required (jwt, api-key, jwt,api-key${loopback ? ' or none' : ''})`);
    }
  } else if (modes?.join() === 'none') {
    none = true;
    if (!loopback)
      problems.push(
        `AUTH_MODE: none is allowed only when HOST is a loopback address (127.0.0.1, ::1, localhost), not ${host}`,
      );
  }
  const jwtMode = modes?.includes('jwt') ?? false;
  const apiKeyMode = modes?.includes('api-key') ?? false;
  if (jwtMode) {
    if (!has('JWT_JWKS_URL') && !has('JWT_SECRET'))
      problems.push('JWT_JWKS_URL or JWT_SECRET: one is required for AUTH_MODE=jwt');
    if (has('JWT_JWKS_URL') && has('JWT_SECRET'))
      problems.push('JWT_JWKS_URL and JWT_SECRET: set only one');
    if (!has('JWT_ISSUER')) problems.push('JWT_ISSUER: required for AUTH_MODE=jwt');
    if (!has('JWT_AUDIENCE')) problems.push('JWT_AUDIENCE: required for AUTH_MODE=jwt');
  }
  let apiKeys: ApiKeyEntry[] | undefined;
  if (apiKeyMode) {
    if (!has('GATEWAY_API_KEYS')) problems.push('GATEWAY_API_KEYS: required for AUTH_MODE=api-key');
    else {
      const result = parseApiKeys(raw.GATEWAY_API_KEYS!);
      problems.push(...result.problems.map((p) => `GATEWAY_API_KEYS: ${p}`));
      apiKeys = result.keys;
    }
  } else if (has('GATEWAY_API_KEYS')) {
    const result = parseApiKeys(raw.GATEWAY_API_KEYS!);
    problems.push(...result.problems.map((p) => `GATEWAY_API_KEYS: ${p}`));
  }

  if (
    raw.OTEL_TRACES_EXPORTER === 'otlp' &&
    !has('OTEL_EXPORTER_OTLP_ENDPOINT') &&
    !has('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  ) {
    problems.push(
      'OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: required for OTEL_TRACES_EXPORTER=otlp',
    );
  }
  if (parsed.success && parsed.data.HTTP_HEADERS_TIMEOUT_MS > parsed.data.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push(
      `HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (${parsed.data.HTTP_REQUEST_TIMEOUT_MS}): the headers are part of the request`,
    );
  }
  if (has('METRICS_PORT') && raw.METRICS_PORT !== '0' && raw.METRICS_PORT === (raw.PORT ?? '4000'))
    problems.push('METRICS_PORT: must differ from PORT (it is a separate listener)');

  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;

  const credentials: HubSpotCredentialsConfig = e.HUBSPOT_TOKEN
    ? { kind: 'token', token: e.HUBSPOT_TOKEN }
    : e.HUBSPOT_TOKEN_FILE
      ? { kind: 'token-file', path: e.HUBSPOT_TOKEN_FILE }
      : e.HUBSPOT_CLIENT_ID
        ? {
            kind: 'oauth',
            clientId: e.HUBSPOT_CLIENT_ID,
            clientSecret: e.HUBSPOT_CLIENT_SECRET!,
            refreshToken: e.HUBSPOT_REFRESH_TOKEN!,
            tokenUrl: e.HUBSPOT_OAUTH_TOKEN_URL,
            refreshMarginMs: e.HUBSPOT_OAUTH_REFRESH_MARGIN_S * 1000,
          }
        : { kind: 'simulator' };

  return {
    server: {
      host,
      port: e.PORT,
      nodeEnv: e.NODE_ENV,
      production,
      logLevel: e.LOG_LEVEL,
      logStacks: e.LOG_STACKS,
    },
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      maxDiscardBytes: e.MAX_BODY_DISCARD_BYTES,
    },
    documents: {
      trustedDocumentsFile: e.TRUSTED_DOCUMENTS_FILE,
      allowArbitrary: e.ALLOW_ARBITRARY_DOCUMENTS ?? !production,
    },
    admission: {
      maxInflight: e.MAX_INFLIGHT_OPERATIONS,
      maxInflightPerCaller: e.MAX_INFLIGHT_PER_CALLER,
    },
    upstreamHealth: {
      failuresToDown: e.HUBSPOT_FAILURES_TO_DOWN,
      successesToUp: e.HUBSPOT_SUCCESSES_TO_UP,
      probeIntervalMs: e.HUBSPOT_PROBE_INTERVAL_MS,
    },
    metrics: {
      port: e.METRICS_PORT,
      host: e.METRICS_HOST ?? host,
      token: e.METRICS_TOKEN,
    },
    audit: {
      sink:
        e.AUDIT_LOG === 'off'
          ? { kind: 'off' }
          : e.AUDIT_LOG === 'stdout'
            ? { kind: 'stdout' }
            : { kind: 'file', path: e.AUDIT_LOG },
      includeValues: e.AUDIT_LOG_VALUES,
    },
    tracing: {
      exporter: e.OTEL_TRACES_EXPORTER,
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
    },
    simulator: { campaigns: e.SIM_CAMPAIGNS, seed: e.SIM_SEED },
    auth: {
      none,
      noneByDefault,
      ...(jwtMode
        ? {
            jwt: {
              ...(e.JWT_JWKS_URL ? { jwksUrl: e.JWT_JWKS_URL } : {}),
              ...(e.JWT_SECRET ? { secret: e.JWT_SECRET } : {}),
              issuer: e.JWT_ISSUER!,
              audience: e.JWT_AUDIENCE!,
              scopeClaim: e.JWT_SCOPE_CLAIM,
              ...(e.JWT_ALGORITHMS ? { algorithms: e.JWT_ALGORITHMS } : {}),
              clockToleranceSec: e.JWT_CLOCK_TOLERANCE_S,
              maxTokenAgeSec: e.JWT_MAX_TOKEN_AGE_S,
              replayCheck: e.JWT_REPLAY_CHECK,
            },
          }
        : {}),
      ...(apiKeys ? { apiKeys } : {}),
      writeScope: e.AUTH_WRITE_SCOPE,
      readScope: e.AUTH_READ_SCOPE,
    },
    limits: {
      maxCampaignsPerMutation: e.MAX_CAMPAIGNS_PER_MUTATION,
      maxCampaignsPerQuery: e.MAX_CAMPAIGNS_PER_QUERY,
      maxPropertiesPerCampaign: e.MAX_PROPERTIES_PER_CAMPAIGN,
      maxPropertyValueLength: e.MAX_PROPERTY_VALUE_LENGTH,
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxQueryDepth: e.MAX_QUERY_DEPTH,
      maxQueryAliases: e.MAX_QUERY_ALIASES,
      maxQueryCost: e.MAX_QUERY_COST,
      maxQueryTokens: e.MAX_QUERY_TOKENS,
      maxQueryBytes: e.MAX_QUERY_BYTES,
    },
    mutationDeadlineMs: e.MUTATION_DEADLINE_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
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
