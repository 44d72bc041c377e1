// Callers: JWTs (shared secret and JWKS), API keys, and what HubSpot sees when a caller is refused
// (nothing at all).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, ReplayCache } from '../src/auth.js';
import { ReadCampaignsDocument, UpdateCampaignsDocument } from '@campaigns/graphql';
import { graphqlErrors, notesInputs, startStack, type Stack } from './stack.js';

const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'campaigns-gateway';
const SECRET = 'a-shared-jwt-secret-of-at-least-32-characters!';
const WRITER_KEY = 'gk_writer_4f9d1c7b2e8a6350f1d2c3b4a5968778';
const READER_KEY = 'gk_reader_0a1b2c3d4e5f60718293a4b5c6d7e8f9';

const secretKey = new TextEncoder().encode(SECRET);

interface TokenOptions {
  scope?: string | string[];
  audience?: string;
  issuer?: string;
  expiresAt?: number;
  subject?: string;
  /** Seconds since the epoch; `null`: no iat claim at all. Default now. */
  issuedAt?: number | null;
  jti?: string;
}

const nowSec = () => Math.floor(Date.now() / 1000);
const DAY = 86_400;

function hsToken(options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT(
    options.scope === undefined
      ? { scope: 'campaigns:read campaigns:write' }
      : { scope: options.scope },
  )
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject(options.subject ?? 'user-42')
    .setExpirationTime(options.expiresAt ?? nowSec() + 300);
  if (options.issuedAt !== null) jwt.setIssuedAt(options.issuedAt ?? nowSec());
  if (options.jti !== undefined) jwt.setJti(options.jti);
  return jwt.sign(secretKey);
}

let stack: Stack;
let ids: string[];
beforeAll(async () => {
  stack = await startStack({
    env: {
      AUTH_MODE: 'jwt,api-key',
      JWT_SECRET: SECRET,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      GATEWAY_API_KEYS: `writer:${hashApiKey(WRITER_KEY)}:campaigns:write campaigns:read,reader:${hashApiKey(READER_KEY)}:campaigns:read`,
    },
  });
  ids = stack.sim.store.list().map((c) => c.id);
});
afterAll(() => stack.close());

const mutate = (headers: Record<string, string>) =>
  stack.client(headers).request(UpdateCampaignsDocument, {
    inputs: notesInputs(ids.slice(0, 2), () => 'from an authenticated caller'),
  });

/** Runs a refused call and checks HubSpot received nothing because of it. */
async function refused(call: () => Promise<unknown>) {
  const before = stack.sim.stats().totalRequests;
  const result = await graphqlErrors(call());
  expect(stack.sim.stats().totalRequests).toBe(before);
  return { ...result, code: result.errors[0]?.extensions?.code };
}

describe('JWT bearer (shared secret)', () => {
  it('lets a caller with the write scope update campaigns', async () => {
    const { updateCampaigns } = await mutate({ authorization: `Bearer ${await hsToken()}` });
    expect(updateCampaigns.numErrors).toBe(0);
    expect(stack.sim.store.get(ids[0]!)?.properties.hs_notes).toBe('from an authenticated caller');
  });

  it('accepts scopes given as an array claim', async () => {
    const { updateCampaigns } = await mutate({
      authorization: `Bearer ${await hsToken({ scope: ['campaigns:write'] })}`,
    });
    expect(updateCampaigns.status).toBe('COMPLETE');
  });

  it('refuses a request without credentials with UNAUTHENTICATED (401)', async () => {
    const { status, code, errors } = await refused(() => mutate({}));
    expect(status).toBe(401);
    expect(code).toBe('UNAUTHENTICATED');
    expect(errors[0]!.message).toContain('Authorization: Bearer');
  });

  it('refuses an expired token', async () => {
    const token = await hsToken({ expiresAt: Math.floor(Date.now() / 1000) - 120 });
    const { code, errors } = await refused(() => mutate({ authorization: `Bearer ${token}` }));
    expect(code).toBe('UNAUTHENTICATED');
    expect(errors[0]!.message).toContain('expired');
  });

  it('refuses a token for another audience', async () => {
    const { code, errors } = await refused(async () =>
      mutate({ authorization: `Bearer ${await hsToken({ audience: 'another-api' })}` }),
    );
    expect(code).toBe('UNAUTHENTICATED');
    expect(errors[0]!.message).toContain('"aud"');
  });

  it('refuses a token from another issuer', async () => {
    const { code } = await refused(async () =>
      mutate({ authorization: `Bearer ${await hsToken({ issuer: 'https://evil.example/' })}` }),
    );
    expect(code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await new SignJWT({ scope: 'campaigns:write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('mallory')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-that-is-also-32-characters-long'));
    const { code } = await refused(() => mutate({ authorization: `Bearer ${forged}` }));
    expect(code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token without the write scope with FORBIDDEN (403)', async () => {
    const token = await hsToken({ scope: 'campaigns:read' });
    const { status, code, errors } = await refused(() =>
      mutate({ authorization: `Bearer ${token}` }),
    );
    expect(status).toBe(403);
    expect(code).toBe('FORBIDDEN');
    expect(errors[0]!.message).toContain('campaigns:write');
  });

  it('lets a read-only token read but not write', async () => {
    const token = await hsToken({ scope: 'campaigns:read' });
    const { campaigns } = await stack
      .client({ authorization: `Bearer ${token}` })
      .request(ReadCampaignsDocument, { ids: [ids[0]!] });
    expect(campaigns.results).toHaveLength(1);
    const { code } = await refused(async () =>
      stack
        .client({ authorization: `Bearer ${await hsToken({ scope: 'campaigns:write' })}` })
        .request(ReadCampaignsDocument, { ids: [ids[0]!] }),
    );
    expect(code).toBe('FORBIDDEN');
  });
});

describe('JWT age and lifetime (JWT_MAX_TOKEN_AGE_S, default one day)', () => {
  it('refuses a fresh token that is valid for ten years, naming the limit', async () => {
    const token = await hsToken({ issuedAt: nowSec(), expiresAt: nowSec() + 10 * 365 * DAY });
    const { status, code, errors } = await refused(() =>
      mutate({ authorization: `Bearer ${token}` }),
    );
    expect(status).toBe(401);
    expect(code).toBe('UNAUTHENTICATED');
    expect(errors[0]!.message).toContain('JWT_MAX_TOKEN_AGE_S=86400');
    expect(errors[0]!.message).toContain('exp - iat');
  });

  it('refuses a token issued longer ago than the limit, even if it has not expired', async () => {
    const token = await hsToken({ issuedAt: nowSec() - 2 * DAY, expiresAt: nowSec() + 300 });
    const { code, errors } = await refused(() => mutate({ authorization: `Bearer ${token}` }));
    expect(code).toBe('UNAUTHENTICATED');
    expect(errors[0]!.message).toContain('issued more than JWT_MAX_TOKEN_AGE_S=86400');
  });

  it('refuses a token without iat', async () => {
    const token = await hsToken({ issuedAt: null });
    const { code, errors } = await refused(() => mutate({ authorization: `Bearer ${token}` }));
    expect(code).toBe('UNAUTHENTICATED');
    expect(errors[0]!.message).toContain('"iat"');
  });

  it('accepts a token whose lifetime is exactly the limit', async () => {
    const token = await hsToken({ issuedAt: nowSec(), expiresAt: nowSec() + DAY });
    expect((await mutate({ authorization: `Bearer ${token}` })).updateCampaigns.numErrors).toBe(0);
  });
});

describe('JWT replay check (JWT_REPLAY_CHECK)', () => {
  let replayStack: Stack;
  beforeAll(async () => {
    replayStack = await startStack({
      env: {
        AUTH_MODE: 'jwt',
        JWT_SECRET: SECRET,
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
        JWT_REPLAY_CHECK: 'true',
      },
    });
  });
  afterAll(() => replayStack.close());

  const readWith = (token: string) =>
    replayStack.client({ authorization: `Bearer ${token}` }).request(ReadCampaignsDocument, {
      ids: [replayStack.sim.store.list()[0]!.id],
    });

  it('accepts a token once and refuses it the second time', async () => {
    const token = await hsToken({ jti: 'one-use-1' });
    expect((await readWith(token)).campaigns.results).toHaveLength(1);
    const before = replayStack.sim.stats().totalRequests;
    const again = await graphqlErrors(readWith(token));
    expect(again.status).toBe(401);
    expect(again.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(again.errors[0]!.message).toContain('already used');
    expect(replayStack.sim.stats().totalRequests).toBe(before);
    // Another jti is another token.
    expect((await readWith(await hsToken({ jti: 'one-use-2' }))).campaigns.results).toHaveLength(1);
  });

  it('refuses a token without jti', async () => {
    const { errors } = await graphqlErrors(readWith(await hsToken()));
    expect(errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(errors[0]!.message).toContain('"jti"');
  });

  it('does not remember a jti from a token that failed verification', async () => {
    const forged = await new SignJWT({ scope: 'campaigns:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('mallory')
      .setIssuedAt()
      .setJti('victim-jti')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-that-is-also-32-characters-long'));
    await graphqlErrors(readWith(forged));
    expect((await readWith(await hsToken({ jti: 'victim-jti' }))).campaigns.results).toHaveLength(
      1,
    );
  });
});

describe('ReplayCache', () => {
  it('is bounded: when full of live tokens it refuses new ones (503) instead of forgetting', () => {
    let now = 1000;
    const cache = new ReplayCache(2, () => now);
    cache.use('a', 1100);
    cache.use('b', 1010);
    let error: unknown;
    try {
      cache.use('c', 1100);
    } catch (e) {
      error = e;
    }
    expect((error as { extensions?: { code?: string } }).extensions?.code).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect((error as Error).message).toContain('JWT_REPLAY_CHECK');
    // 'a' is still remembered.
    expect(() => cache.use('a', 1100)).toThrow(/already used/);
    // Once 'b' has expired, its room is reused.
    now = 1011;
    cache.use('c', 1100);
    expect(cache.size).toBe(2);
    expect(() => cache.use('c', 1100)).toThrow(/already used/);
  });
});

describe('API keys', () => {
  it('accepts a key in X-API-Key and in Authorization: ApiKey', async () => {
    expect((await mutate({ 'x-api-key': WRITER_KEY })).updateCampaigns.numErrors).toBe(0);
    expect(
      (await mutate({ authorization: `ApiKey ${WRITER_KEY}` })).updateCampaigns.numErrors,
    ).toBe(0);
  });

  it('refuses an unknown key', async () => {
    const { code } = await refused(() =>
      mutate({ 'x-api-key': 'gk_guess_0000000000000000000000000000' }),
    );
    expect(code).toBe('UNAUTHENTICATED');
  });

  it('refuses a read-only key on the mutation with FORBIDDEN', async () => {
    const { code } = await refused(() => mutate({ 'x-api-key': READER_KEY }));
    expect(code).toBe('FORBIDDEN');
    const { campaigns } = await stack
      .client({ 'x-api-key': READER_KEY })
      .request(ReadCampaignsDocument, { ids: [ids[1]!] });
    expect(campaigns.results).toHaveLength(1);
  });

  it('logs the caller as api-key:<name>, never the key', async () => {
    await mutate({ 'x-api-key': WRITER_KEY });
    expect(stack.logs.some((l) => l.includes('"subject":"api-key:writer"'))).toBe(true);
    expect(stack.logs.join('\n')).not.toContain(WRITER_KEY);
  });
});

describe('JWT bearer (JWKS)', () => {
  let jwks: Server;
  let privateKey: CryptoKey;
  let jwksStack: Stack;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    jwksStack = await startStack({
      env: {
        AUTH_MODE: 'jwt',
        JWT_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
        JWT_SCOPE_CLAIM: 'scp',
      },
    });
  });
  afterAll(async () => {
    await jwksStack.close();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const rsToken = (scp: string[], key: CryptoKey = privateKey) =>
    new SignJWT({ scp })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('service-7')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  it('verifies tokens against the JWKS and reads scopes from JWT_SCOPE_CLAIM', async () => {
    const id = jwksStack.sim.store.list()[0]!.id;
    const { updateCampaigns } = await jwksStack
      .client({ authorization: `Bearer ${await rsToken(['campaigns:write'])}` })
      .request(UpdateCampaignsDocument, {
        inputs: notesInputs([id], () => 'jwks'),
      });
    expect(updateCampaigns.numErrors).toBe(0);
  });

  it('refuses a token signed by a key outside the JWKS, and an HS256 token', async () => {
    const other = await generateKeyPair('RS256');
    const before = jwksStack.sim.stats().totalRequests;
    const wrongKey = await graphqlErrors(
      jwksStack
        .client({ authorization: `Bearer ${await rsToken(['campaigns:write'], other.privateKey)}` })
        .request(ReadCampaignsDocument, { ids: [] }),
    );
    expect(wrongKey.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
    const hs = await graphqlErrors(
      jwksStack
        .client({ authorization: `Bearer ${await hsToken()}` })
        .request(ReadCampaignsDocument, { ids: [] }),
    );
    expect(hs.errors[0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(jwksStack.sim.stats().totalRequests).toBe(before);
  });
});
