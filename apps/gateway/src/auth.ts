// Who is calling: a JWT verified with jose (JWKS URL or shared secret, issuer, audience,
// expiry), a static API key compared by its SHA-256, or nobody at all (AUTH_MODE=none, loopback
// only). Produces a Caller or an UNAUTHENTICATED error; scope checks produce FORBIDDEN.
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
      const match = /^\s*(\w+)\s+(\S+)\s*$/.exec(authorization ?? '');
      if (!match) {
        throw unauthenticated(
          authorization
            ? 'the Authorization header is malformed'
            : `authentication required: send ${[verifyJwt && 'Authorization: Bearer <JWT>', matchApiKey && 'X-API-Key: <key>'].filter(Boolean).join(' or ')}`,
          challenge,
        );
      }
      const scheme = match[1]!.toLowerCase();
      const credential = match[2]!;
      if (scheme === 'apikey' && matchApiKey)
        return matchApiKey(credential) ?? reject('the API key is not valid');
      if (scheme === 'bearer') {
        if (verifyJwt && (JWT_SHAPE.test(credential) || !matchApiKey)) return verifyJwt(credential);
        if (matchApiKey) return matchApiKey(credential) ?? reject('the API key is not valid');
      }
      return reject(`the Authorization scheme "${match[1]}" is not accepted`);
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

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Uint8Array, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: config.clockToleranceSec,
      }));
    } catch (error) {
      throw jwtFailure(error);
    }
    return {
      subject: String(payload.sub),
      scopes: scopesOf(payload[config.scopeClaim]),
      method: 'jwt',
    };
  };
}

function jwtFailure(error: unknown): GraphQLError | Error {
  if (error instanceof joseErrors.JWTExpired) return unauthenticated('the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
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

function scopesOf(claim: unknown): Set<string> {
  if (typeof claim === 'string') return new Set(claim.split(/\s+/).filter(Boolean));
  if (Array.isArray(claim)) return new Set(claim.filter((s): s is string => typeof s === 'string'));
  return new Set();
}

function apiKeyMatcher(keys: ApiKeyEntry[]): (presented: string) => Caller | undefined {
  return (presented) => {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
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
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
