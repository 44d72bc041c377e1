// A stand-in for an identity provider on 127.0.0.1: an RSA key pair, its public half served as a
// JWKS (what a gateway with AUTH_MODE=jwt and JWT_JWKS_URL downloads), and RS256 tokens signed
// with the private half. Only node:crypto, so nothing else is needed to mint a caller's JWT.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where the issuer serves its keys. */
export const JWKS_PATH = '/.well-known/jwks.json';

export interface JwtIssuer {
  /** The `iss` claim of its tokens (its own URL, e.g. `http://127.0.0.1:40123/`): JWT_ISSUER. */
  issuer: string;
  /** The `aud` claim of its tokens: JWT_AUDIENCE. */
  audience: string;
  /** Where its public key is served as a JWKS: JWT_JWKS_URL. */
  jwksUrl: string;
  /** How many times the JWKS was downloaded. */
  jwksRequests: number;
  /**
   * An RS256 token: `iss`, `aud`, `sub` ("user-1"), `iat` (now) and `exp` (now + 5 minutes),
   * then `claims` on top (a claim set to undefined is left out). Seconds since the epoch.
   */
  sign(claims?: Record<string, unknown>): string;
  close(): Promise<void>;
}

export interface JwtIssuerOptions {
  /** Default `campaigns-gateway`. */
  audience?: string;
  /** The `kid` of the key, in the JWKS and in each token's header. Default `test-key-1`. */
  kid?: string;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Signs `claims` as a compact RS256 JWS with `key`, naming `kid` in the header. */
export function signRs256(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = base64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** Starts an issuer on a free port of 127.0.0.1. */
export async function startJwtIssuer(options: JwtIssuerOptions = {}): Promise<JwtIssuer> {
  const kid = options.kid ?? 'test-key-1';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === JWKS_PATH) {
      issuer.jwksRequests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer: JwtIssuer = {
    issuer: `${origin}/`,
    audience: options.audience ?? 'campaigns-gateway',
    jwksUrl: `${origin}${JWKS_PATH}`,
    jwksRequests: 0,
    sign(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const all: Record<string, unknown> = {
        iss: issuer.issuer,
        aud: issuer.audience,
        sub: 'user-1',
        iat: now,
        exp: now + 300,
        ...claims,
      };
      for (const [name, value] of Object.entries(all)) if (value === undefined) delete all[name];
      return signRs256(all, privateKey, kid);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return issuer;
}
