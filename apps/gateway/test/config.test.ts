import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth.js';
import { ConfigError, isLoopback, loadConfig, parseApiKeys } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to the embedded simulator, loopback and no caller authentication', () => {
    const config = loadConfig({});
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 4000,
      nodeEnv: 'development',
      production: false,
      logLevel: 'info',
      logStacks: false,
    });
    expect(config.hubspot.credentials).toEqual({ kind: 'simulator' });
    expect(config.hubspot.apiVersion).toBe('v3');
    expect(config.auth).toMatchObject({
      none: true,
      noneByDefault: true,
      writeScope: 'campaigns:write',
      readScope: 'campaigns:read',
    });
    expect(config.limits).toEqual({
      maxCampaignsPerMutation: 1000,
      maxCampaignsPerQuery: 1000,
      maxPropertiesPerCampaign: 100,
      maxPropertyValueLength: 65_536,
      maxBodyBytes: 1_048_576,
      maxJobBodyBytes: 16 * 1_048_576,
      maxJobBodiesInflight: 4,
      maxQueryDepth: 10,
      maxQueryAliases: 15,
      maxQueryCost: 5000,
      maxQueryTokens: 5000,
      maxQueryBytes: 32_768,
    });
  });

  it('reads a private-app token, a token file or OAuth settings', () => {
    expect(loadConfig({ HUBSPOT_TOKEN: 'pat-1', AUTH_MODE: 'none' }).hubspot.credentials).toEqual({
      kind: 'token',
      token: 'pat-1',
    });
    expect(
      loadConfig({ HUBSPOT_TOKEN_FILE: '/run/secrets/hubspot', AUTH_MODE: 'none' }).hubspot
        .credentials,
    ).toEqual({ kind: 'token-file', path: '/run/secrets/hubspot' });
    expect(
      loadConfig({
        HUBSPOT_CLIENT_ID: 'id',
        HUBSPOT_CLIENT_SECRET: 'secret',
        HUBSPOT_REFRESH_TOKEN: 'rt',
        AUTH_MODE: 'none',
        HUBSPOT_API_VERSION: '2026-03',
      }).hubspot,
    ).toMatchObject({
      credentials: {
        kind: 'oauth',
        clientId: 'id',
        clientSecret: 'secret',
        refreshToken: 'rt',
        tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
        refreshMarginMs: 300_000,
      },
      apiVersion: '2026-03',
    });
  });

  it('refuses a job body limit below the ordinary one', () => {
    expect(problemsOf({ MAX_BODY_BYTES: '2000000', MAX_JOB_BODY_BYTES: '1000000' })).toEqual([
      'MAX_JOB_BODY_BYTES: must be at least MAX_BODY_BYTES (2000000), got 1000000',
    ]);
    expect(loadConfig({ MAX_JOB_BODY_BYTES: '1048576' }).limits.maxJobBodyBytes).toBe(1_048_576);
  });

  it('refuses a well-formed API version this build has no spec for, naming the ones it has', () => {
    const problems = problemsOf({ HUBSPOT_API_VERSION: '2026-09' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^HUBSPOT_API_VERSION: "2026-09" has no spec in this build: use one of v3, 2026-03/,
    );
    expect(problemsOf({ HUBSPOT_API_VERSION: 'v4' })).toEqual([
      'HUBSPOT_API_VERSION: must be v3 or a date version such as 2026-03',
    ]);
  });

  it('names every missing or malformed setting in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      MAX_BODY_BYTES: '10',
      HUBSPOT_API_VERSION: 'v4',
      HUBSPOT_CLIENT_ID: 'only-the-id',
      AUTH_MODE: 'jwt',
    });
    const named = problems.map((p) => p.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'PORT',
        'LOG_LEVEL',
        'MAX_BODY_BYTES',
        'HUBSPOT_API_VERSION',
        'HUBSPOT_CLIENT_SECRET',
        'HUBSPOT_REFRESH_TOKEN',
        'JWT_JWKS_URL or JWT_SECRET',
        'JWT_ISSUER',
        'JWT_AUDIENCE',
      ]),
    );
    expect(problems).toHaveLength(9);
    const message = (() => {
      try {
        loadConfig({ PORT: 'eighty', AUTH_MODE: 'jwt' });
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/^invalid gateway configuration \(\d+ problems\):\n {2}- PORT: /);
  });

  it('requires AUTH_MODE once HubSpot credentials are configured', () => {
    expect(problemsOf({ HUBSPOT_TOKEN: 'pat' })).toEqual([
      'AUTH_MODE: required (jwt, api-key, jwt,api-key or none)',
    ]);
  });

  it('allows AUTH_MODE=none only on a loopback HOST', () => {
    expect(problemsOf({ HOST: '0.0.0.0', AUTH_MODE: 'none', HUBSPOT_TOKEN: 'pat' })).toEqual([
      'AUTH_MODE: none is allowed only when HOST is a loopback address (127.0.0.1, ::1, localhost), not 0.0.0.0',
    ]);
    expect(problemsOf({ HOST: '0.0.0.0' })).toEqual([
      'AUTH_MODE: required (jwt, api-key, jwt,api-key)',
    ]);
    expect(loadConfig({ HOST: '::1', AUTH_MODE: 'none', HUBSPOT_TOKEN: 'pat' }).auth.none).toBe(
      true,
    );
  });

  it('refuses the embedded simulator in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', AUTH_MODE: 'none' })[0]).toContain(
      'required when NODE_ENV=production',
    );
  });

  it('refuses two credential sources at once', () => {
    expect(problemsOf({ HUBSPOT_TOKEN: 'a', HUBSPOT_TOKEN_FILE: '/f', AUTH_MODE: 'none' })).toEqual(
      ['HubSpot credentials: set only one of HUBSPOT_TOKEN, HUBSPOT_TOKEN_FILE'],
    );
  });

  it('never echoes a secret value in its messages', () => {
    const error = (() => {
      try {
        loadConfig({
          AUTH_MODE: 'jwt,api-key',
          JWT_SECRET: 'too-short-secret-value',
          JWT_ISSUER: 'i',
          JWT_AUDIENCE: 'a',
          GATEWAY_API_KEYS: 'svc:plain-text-api-key:campaigns:write',
        });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.problems).toEqual([
      'JWT_SECRET: must be at least 32 characters (HS256 needs 256 bits)',
      'GATEWAY_API_KEYS: entry 1 (svc): the key must be given as its SHA-256 in hex (64 characters), never in clear',
    ]);
    expect(error.message).not.toContain('too-short-secret-value');
    expect(error.message).not.toContain('plain-text-api-key');
  });

  it('configures JWT verification and API keys together', () => {
    const config = loadConfig({
      HUBSPOT_TOKEN: 'pat',
      AUTH_MODE: 'jwt, api-key',
      JWT_JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
      JWT_ISSUER: 'https://issuer.example/',
      JWT_AUDIENCE: 'gateway',
      JWT_ALGORITHMS: 'RS256,ES256',
      GATEWAY_API_KEYS: `etl:${hashApiKey('k')}:campaigns:read campaigns:write`,
    });
    expect(config.auth.jwt).toEqual({
      jwksUrl: 'https://issuer.example/.well-known/jwks.json',
      issuer: 'https://issuer.example/',
      audience: 'gateway',
      scopeClaim: 'scope',
      algorithms: ['RS256', 'ES256'],
      clockToleranceSec: 5,
      maxTokenAgeSec: 86_400,
      replayCheck: false,
    });
    expect(config.auth.apiKeys?.map((k) => [k.name, k.scopes])).toEqual([
      ['etl', ['campaigns:read', 'campaigns:write']],
    ]);
  });
});

describe('parseApiKeys', () => {
  it('reads name:sha256:scopes entries, scopes containing colons', () => {
    const { keys, problems } = parseApiKeys(
      `a:${'0'.repeat(64)}:campaigns:read, b:${'F'.repeat(64)}:x y`,
    );
    expect(problems).toEqual([]);
    expect(keys.map((k) => [k.name, k.sha256.length, k.scopes])).toEqual([
      ['a', 32, ['campaigns:read']],
      ['b', 32, ['x', 'y']],
    ]);
  });

  it('names each malformed entry', () => {
    expect(
      parseApiKeys(
        `bad name:${'0'.repeat(64)}:s,c:${'0'.repeat(64)}:,c2:${'0'.repeat(64)}:s,c2:${'1'.repeat(64)}:s`,
      ).problems,
    ).toEqual([
      'entry 1: must be name:sha256hex:scopes, the name made of letters, digits, _ . -',
      'entry 2 (c): lists no scopes (e.g. "campaigns:read campaigns:write")',
      'entry 4 (c2): the name is used twice',
    ]);
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['example.com', false],
  ])('%s → %s', (host, expected) => expect(isLoopback(host)).toBe(expected));
});

describe('HTTP timeouts', () => {
  it('refuses a headers timeout longer than the request timeout, naming both', () => {
    expect(() =>
      loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000' }),
    ).toThrow(/HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS \(30000\)/);
  });
});

// The rules across settings (config.ts: checkCombinations) run on the parsed settings, even when
// single settings are malformed, so one ConfigError still lists every problem.
describe('rules across settings', () => {
  it('checks what AUTH_MODE requires while other settings are malformed, after them', () => {
    expect(problemsOf({ PORT: 'eighty', AUTH_MODE: 'api-key', HUBSPOT_TOKEN: 'pat' })).toEqual([
      'PORT: must be an integer between 0 and 65535',
      'GATEWAY_API_KEYS: required for AUTH_MODE=api-key',
    ]);
  });

  it('draws no consequence from a malformed AUTH_MODE', () => {
    expect(problemsOf({ AUTH_MODE: 'jwt,sso', HUBSPOT_TOKEN: 'pat' })).toEqual([
      'AUTH_MODE: must be jwt, api-key, jwt,api-key or none',
    ]);
  });

  it('lists the problems of GATEWAY_API_KEYS whether or not AUTH_MODE uses it', () => {
    expect(problemsOf({ GATEWAY_API_KEYS: 'svc:not-a-hash:campaigns:read' })).toEqual([
      'GATEWAY_API_KEYS: entry 1 (svc): the key must be given as its SHA-256 in hex (64 characters), never in clear',
    ]);
  });

  it('compares METRICS_PORT with PORT as port numbers', () => {
    expect(problemsOf({ PORT: '4000', METRICS_PORT: '04000' })).toEqual([
      'METRICS_PORT: must differ from PORT (it is a separate listener)',
    ]);
    expect(loadConfig({ PORT: '4000', METRICS_PORT: '0' }).metrics.port).toBe(0);
  });

  it('compares the HTTP timeouts only once both are well-formed', () => {
    expect(
      problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000', PORT: 'x' }),
    ).toEqual(['PORT: must be an integer between 0 and 65535']);
  });
});

describe('jobs and the shared budget', () => {
  it('defaults to in-process jobs: role both, 24 h retention, 100,000 campaigns, 10 queued jobs', () => {
    expect(loadConfig({}).jobs).toEqual({
      redisUrl: undefined,
      role: 'both',
      retentionMs: 86_400_000,
      maxCampaignsPerJob: 100_000,
      maxQueuedJobsPerCaller: 10,
      lockMs: 10_000,
    });
    expect(loadConfig({}).auth.adminScope).toBe('campaigns:admin');
  });

  it('reads JOB_LOCK_MS, the lock a worker holds on a running job, from 1 s to 10 min', () => {
    expect(loadConfig({ JOB_LOCK_MS: '4000' }).jobs.lockMs).toBe(4000);
    for (const bad of ['999', '600001', '2.5', 'ten'])
      expect(problemsOf({ JOB_LOCK_MS: bad })).toEqual([
        'JOB_LOCK_MS: must be an integer between 1000 and 600000',
      ]);
  });

  it('reads JOB_RETENTION as a whole number and one unit, and nothing else', () => {
    const retention = (value: string) => loadConfig({ JOB_RETENTION: value }).jobs.retentionMs;
    expect(retention('90s')).toBe(90_000);
    expect(retention('90m')).toBe(5_400_000);
    expect(retention('36h')).toBe(129_600_000);
    expect(retention('7d')).toBe(604_800_000);
    for (const bad of ['24', '1.5h', '1h30m', '24 h', '24H', '0s', '31d', '-1h', 'PT24H']) {
      expect(problemsOf({ JOB_RETENTION: bad })).toEqual([
        'JOB_RETENTION: must be a whole number and one unit (s, m, h or d), between 1s and 30d, e.g. 24h',
      ]);
    }
  });

  it('needs REDIS_URL for the api and worker roles, and never echoes the URL', () => {
    expect(problemsOf({ GATEWAY_ROLE: 'worker' })).toEqual([
      'GATEWAY_ROLE: worker needs REDIS_URL: without Redis, jobs run in this process, which must be both api and worker',
    ]);
    expect(problemsOf({ GATEWAY_ROLE: 'primary' })).toEqual([
      'GATEWAY_ROLE: must be api, worker or both',
    ]);
    const secret = 'http://:hunter2-secret@redis:6379';
    const problems = problemsOf({ REDIS_URL: secret, GATEWAY_ROLE: 'api' });
    expect(problems).toEqual(['REDIS_URL: must be a redis:// or rediss:// URL']);
    expect(problems.join()).not.toContain('hunter2');
    expect(
      loadConfig({ REDIS_URL: 'rediss://:pw@redis.internal:6380/2', GATEWAY_ROLE: 'api' }).jobs,
    ).toMatchObject({ redisUrl: 'rediss://:pw@redis.internal:6380/2', role: 'api' });
  });
});
