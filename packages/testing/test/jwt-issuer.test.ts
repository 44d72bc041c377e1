// The issuer's tokens verify against the key it serves, with the claims asked for.
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJwtIssuer, type JwtIssuer } from '../src/index.js';

describe('startJwtIssuer', () => {
  let issuer: JwtIssuer;
  beforeAll(async () => {
    issuer = await startJwtIssuer({ audience: 'my-api', kid: 'k1' });
  });
  afterAll(() => issuer.close());

  async function jwks(): Promise<Array<JsonWebKey & { kid: string; alg: string }>> {
    const response = await fetch(issuer.jwksUrl);
    expect(response.status).toBe(200);
    return ((await response.json()) as { keys: Array<JsonWebKey & { kid: string; alg: string }> })
      .keys;
  }

  it('serves its public key as a JWKS on 127.0.0.1 and counts the downloads', async () => {
    expect(issuer.jwksUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/);
    expect(issuer.issuer).toBe(new URL('/', issuer.jwksUrl).href);
    const before = issuer.jwksRequests;
    const keys = await jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', kid: 'k1', alg: 'RS256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
    expect(issuer.jwksRequests).toBe(before + 1);
    expect((await fetch(new URL('/other', issuer.jwksUrl))).status).toBe(404);
  });

  it('signs RS256 tokens that verify against that key, with default and given claims', async () => {
    const [jwk] = await jwks();
    const key = createPublicKey({ key: jwk!, format: 'jwk' });
    const token = issuer.sign({ scope: 'a b', sub: 'someone', exp: 1000, iat: undefined });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(
      verify(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        key,
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: 'k1',
    });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({
      iss: issuer.issuer,
      aud: 'my-api',
      sub: 'someone',
      exp: 1000,
      scope: 'a b',
    });
    const fresh = JSON.parse(Buffer.from(issuer.sign().split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(fresh.exp - fresh.iat).toBe(300);
    expect(Math.abs(fresh.iat - Date.now() / 1000)).toBeLessThan(5);
  });
});
