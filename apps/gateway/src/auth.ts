// Who is calling: a JWT verified with jose (JWKS URL or shared secret, issuer, audience,
// expiry, age and lifetime, optionally one use per `jti`), a static API key compared by its
// SHA-256, or nobody at all (AUTH_MODE=none, loopback only). Produces a Caller or an
// UNAUTHENTICATED error; scope checks produce FORBIDDEN.
import { createHash, timingSafeEqual } from 'node:crypto';
import { GraphQLError } from 'graphql';
import {
  createRemoteJWKSet,
  customFetch,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import type { ApiKeyEntry, AuthConfig, JwtConfig } from './config.js';

export interface Caller {
  /** `sub` of the JWT, `api-key:<name>`, or `anonymous`. Safe to log. */
  subject: string;
  scopes: ReadonlySet<string>;
  method: 'jwt' | 'api-key' | 'none';
  /**
   * With JWT_REPLAY_CHECK, gives the token's `jti` back when the request is refused before it
   * runs (429), so that the retry the refusal invites is not refused as a replay.
   */
  release?: () => void;
}

/** The credentials a request presented. */
export interface PresentedCredentials {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

export interface Authenticator {
  /** Resolves the caller, or rejects with an UNAUTHENTICATED GraphQLError. */
  authenticate(presented: PresentedCredentials): Promise<Caller>;
}

const HS_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

export function unauthenticated(message: string, challenge = 'Bearer'): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: new Map([['www-authenticate', challenge]]) },
    },
  });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

/** Throws FORBIDDEN unless the caller holds `scope`. */
export function requireScope(caller: Caller, scope: string, action: string): void {
  if (!caller.scopes.has(scope)) {
    throw forbidden(
      `${action} requires the scope "${scope}", which ${caller.subject} does not have`,
    );
  }
}

export interface AuthenticatorOptions {
  /** fetch used to download the JWKS (tests). */
  fetch?: typeof fetch;
}

export function createAuthenticator(
  config: AuthConfig,
  options: AuthenticatorOptions = {},
): Authenticator {
  if (config.none) {
    const caller: Caller = {
      subject: 'anonymous',
      scopes: new Set([config.readScope, config.writeScope]),
      method: 'none',
    };
    return { authenticate: async () => caller };
  }
  const verifyJwt = config.jwt ? jwtVerifier(config.jwt, options) : undefined;
  const matchApiKey = config.apiKeys ? apiKeyMatcher(config.apiKeys) : undefined;
  const challenge = verifyJwt ? 'Bearer' : 'ApiKey';

  return {
    async authenticate({ authorization, apiKey }) {
      if (apiKey !== undefined && matchApiKey)
        return matchApiKey(apiKey) ?? reject('the API key is not valid');
      const parsed = parseAuthorization(authorization);
      if (!parsed) {
        throw unauthenticated(
          authorization
            ? 'the Authorization header is malformed'
            : `authentication required: send ${[verifyJwt && 'Authorization: Bearer <JWT>', matchApiKey && 'X-API-Key: <key>'].filter(Boolean).join(' or ')}`,
          challenge,
        );
      }
      const { scheme, credential } = parsed;
      if (scheme === 'apikey' && matchApiKey)
        return matchApiKey(credential) ?? reject('the API key is not valid');
      if (scheme === 'bearer') {
        if (verifyJwt && (JWT_SHAPE.test(credential) || !matchApiKey)) return verifyJwt(credential);
        if (matchApiKey) return matchApiKey(credential) ?? reject('the API key is not valid');
      }
      return reject(`the Authorization scheme "${parsed.given}" is not accepted`);
    },
  };

  function reject(message: string): never {
    throw unauthenticated(message, challenge);
  }
}

function jwtVerifier(
  config: JwtConfig,
  options: AuthenticatorOptions,
): (token: string) => Promise<Caller> {
  const key: Uint8Array | JWTVerifyGetKey = config.secret
    ? new TextEncoder().encode(config.secret)
    : createRemoteJWKSet(new URL(config.jwksUrl!), {
        timeoutDuration: 5000,
        ...(options.fetch ? { [customFetch]: options.fetch } : {}),
      });
  const algorithms = config.algorithms ?? (config.secret ? HS_ALGORITHMS : ASYMMETRIC_ALGORITHMS);

  const maxAge = config.maxTokenAgeSec;
  const replay = config.replayCheck ? new ReplayCache() : undefined;

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms,
        requiredClaims: ['exp', 'sub', 'iat', ...(replay ? ['jti'] : [])],
        clockTolerance: config.clockToleranceSec,
        // Refuses a token issued longer ago than this (iat), however far away its exp is.
        maxTokenAge: maxAge,
      }));
    } catch (error) {
      throw jwtFailure(error, maxAge);
    }
    // A fresh token may still be a long-lived one: its whole lifetime must fit in the limit too.
    const lifetime = payload.exp! - payload.iat!;
    if (lifetime > maxAge) {
      throw unauthenticated(
        `the token is valid for ${lifetime} s (exp - iat), longer than JWT_MAX_TOKEN_AGE_S=${maxAge}: ask for shorter-lived tokens`,
      );
    }
    // Only a verified token gets here, so a forger cannot fill the cache.
    if (replay) replay.use(payload.jti!, payload.exp! + config.clockToleranceSec);
    return {
      subject: String(payload.sub),
      scopes: scopesOf(payload[config.scopeClaim]),
      method: 'jwt',
      ...(replay ? { release: () => replay.release(payload.jti!) } : {}),
    };
  };
}

function jwtFailure(error: unknown, maxAgeSec: number): GraphQLError | Error {
  if (error instanceof joseErrors.JWTExpired) {
    if (error.claim === 'iat') {
      return unauthenticated(
        `the token was issued more than JWT_MAX_TOKEN_AGE_S=${maxAgeSec} s ago ("iat"): get a new one`,
      );
    }
    return unauthenticated('the token has expired');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.reason === 'missing' && (error.claim === 'iat' || error.claim === 'jti')) {
      return unauthenticated(
        error.claim === 'iat'
          ? `the token has no "iat" claim: it is required to enforce JWT_MAX_TOKEN_AGE_S=${maxAgeSec}`
          : 'the token has no "jti" claim: it is required when JWT_REPLAY_CHECK is on',
      );
    }
    return unauthenticated(
      `the token's "${error.claim}" claim is not valid here (${error.reason})`,
    );
  }
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    // Our key source failed, not the caller: an internal error (masked in production).
    return new Error(`cannot verify tokens right now: ${error.message}`);
  }
  if (error instanceof joseErrors.JOSEError) return unauthenticated('the token is not valid');
  if (error instanceof TypeError)
    return new Error(`cannot verify tokens right now: ${error.message}`);
  return unauthenticated('the token is not valid');
}

/** Most `jti`s remembered at once (about 100 bytes each). */
export const REPLAY_CACHE_MAX_ENTRIES = 100_000;

/**
 * The `jti`s of tokens already used, each kept until its token expires (exp + clock tolerance,
 * which JWT_MAX_TOKEN_AGE_S bounds). Keys are SHA-256 digests, so a long `jti` costs no more
 * than a short one. When full, expired entries are swept; if every entry is still live, new
 * tokens are refused (503) rather than live ones forgotten, which would let them be replayed.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  #lastSweep = 0;

  constructor(
    private readonly maxEntries = REPLAY_CACHE_MAX_ENTRIES,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  get size(): number {
    return this.#seen.size;
  }

  /** Records `jti` as used until `expiresAt` (seconds); throws UNAUTHENTICATED when it was used. */
  use(jti: unknown, expiresAt: number): void {
    if (typeof jti !== 'string' || jti === '')
      throw unauthenticated('the token\'s "jti" claim must be a non-empty string');
    const key = sha256(jti).toString('base64url');
    const now = this.now();
    // Cheap upkeep: the oldest entries usually expire first.
    for (const [oldest, expiresAt] of this.#seen) {
      if (expiresAt >= now) break;
      this.#seen.delete(oldest);
    }
    const known = this.#seen.get(key);
    if (known !== undefined && known >= now)
      throw unauthenticated('the token was already used (JWT_REPLAY_CHECK: one request per "jti")');
    if (this.#seen.size >= this.maxEntries) this.#sweep(now);
    if (this.#seen.size >= this.maxEntries) {
      throw new GraphQLError(
        `cannot accept new tokens right now: JWT_REPLAY_CHECK remembers ${this.maxEntries} unexpired tokens, the most it may; retry shortly`,
        {
          extensions: {
            code: 'SERVICE_UNAVAILABLE',
            http: { status: 503, headers: new Map([['retry-after', '5']]) },
          },
        },
      );
    }
    this.#seen.delete(key);
    this.#seen.set(key, expiresAt);
  }

  /** Forgets `jti` (its request was refused before it ran): the token may be used once more. */
  release(jti: unknown): void {
    if (typeof jti !== 'string' || jti === '') return;
    this.#seen.delete(sha256(jti).toString('base64url'));
  }

  /** Drops expired entries; at most once a second, so a full cache cannot make every call O(n). */
  #sweep(now: number): void {
    if (now === this.#lastSweep) return;
    this.#lastSweep = now;
    for (const [key, expiresAt] of this.#seen) if (expiresAt < now) this.#seen.delete(key);
  }
}

function scopesOf(claim: unknown): Set<string> {
  if (typeof claim === 'string') return new Set(claim.split(/\s+/).filter(Boolean));
  if (Array.isArray(claim)) return new Set(claim.filter((s): s is string => typeof s === 'string'));
  return new Set();
}

function apiKeyMatcher(keys: ApiKeyEntry[]): (presented: string) => Caller | undefined {
  return (presented) => {
    const digest = sha256(presented);
    let found: ApiKeyEntry | undefined;
    // Compare against every entry, in constant time each, so timing says nothing about which matched.
    for (const entry of keys) if (timingSafeEqual(digest, entry.sha256) && !found) found = entry;
    return (
      found && {
        subject: `api-key:${found.name}`,
        scopes: new Set(found.scopes),
        method: 'api-key',
      }
    );
  };
}

/** SHA-256 hex of an API key: what GATEWAY_API_KEYS stores. */
export function hashApiKey(key: string): string {
  return sha256(key).toString('hex');
}

/** SHA-256 of a UTF-8 string: how API keys, `jti`s and the metrics token are compared and kept. */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** `<scheme> <credential>` of an Authorization header (scheme lower-cased), or undefined. */
export function parseAuthorization(
  header: string | undefined,
): { scheme: string; given: string; credential: string } | undefined {
  const match = /^\s*(\w+)\s+(\S+)\s*$/.exec(header ?? '');
  return match
    ? { scheme: match[1]!.toLowerCase(), given: match[1]!, credential: match[2]! }
    : undefined;
}
