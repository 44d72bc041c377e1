import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubSpotCredentialsConfig } from '../src/config.js';
import { createCredentialProvider, TokenRefreshError } from '../src/credentials.js';
import { startFakeTokenEndpoint, type FakeTokenEndpoint } from './fake-oauth.js';

const CLIENT_SECRET = 'client-secret-value-0123456789';
const REFRESH_TOKEN = 'refresh-token-value-0123456789';

let endpoint: FakeTokenEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

function oauthConfig(tokenUrl: string): HubSpotCredentialsConfig {
  return {
    kind: 'oauth',
    clientId: 'client-id',
    clientSecret: CLIENT_SECRET,
    refreshToken: REFRESH_TOKEN,
    tokenUrl,
    refreshMarginMs: 300_000,
  };
}

describe('OAuth refresher', () => {
  it('runs one refresh however many requests wait for a token', async () => {
    endpoint = await startFakeTokenEndpoint();
    const credentials = createCredentialProvider(oauthConfig(endpoint.url));
    endpoint.hold();
    const waiting = Array.from({ length: 50 }, () => credentials.token());
    const e = endpoint;
    await new Promise<void>((resolve) => {
      const poll = () => (e.requests.length > 0 ? resolve() : setTimeout(poll, 5));
      poll();
    });
    endpoint.release();
    const tokens = await Promise.all(waiting);

    expect(new Set(tokens)).toEqual(new Set(['access-token-number-1-abcdef']));
    expect(endpoint.requests).toEqual([
      {
        grant_type: 'refresh_token',
        client_id: 'client-id',
        client_secret: CLIENT_SECRET,
        refresh_token: REFRESH_TOKEN,
      },
    ]);
  });

  it('refreshes before expiry, once, and uses a rotated refresh token', async () => {
    endpoint = await startFakeTokenEndpoint((_req, n) => ({
      body: {
        access_token: `access-${n}`,
        refresh_token: `rotated-refresh-${n}`,
        expires_in: 1800,
      },
    }));
    let now = 1_000_000;
    const credentials = createCredentialProvider(oauthConfig(endpoint.url), { now: () => now });

    expect(await credentials.token()).toBe('access-1');
    now += 1499_000; // 1 s before the refresh point (expiry − 300 s margin)
    expect(await credentials.token()).toBe('access-1');
    expect(endpoint.requests).toHaveLength(1);

    now += 2000; // past the refresh point, still before expiry
    const tokens = await Promise.all(Array.from({ length: 20 }, () => credentials.token()));
    expect(new Set(tokens)).toEqual(new Set(['access-2']));
    expect(endpoint.requests.map((r) => r.refresh_token)).toEqual([
      REFRESH_TOKEN,
      'rotated-refresh-1',
    ]);
    expect(credentials.secrets()).toEqual([CLIENT_SECRET, 'rotated-refresh-2', 'access-2']);
  });

  it('keeps a still-valid token when a refresh fails, and fails without secrets once it expired', async () => {
    let fail = false;
    endpoint = await startFakeTokenEndpoint((req, n) =>
      fail
        ? {
            status: 400,
            body: {
              status: 'BAD_REFRESH_TOKEN',
              message: `unknown refresh token ${req.refresh_token}`,
            },
          }
        : { body: { access_token: `access-${n}`, expires_in: 1800 } },
    );
    let now = 0;
    const credentials = createCredentialProvider(oauthConfig(endpoint.url), {
      now: () => now,
      refreshRetryMs: 1000,
    });
    expect(await credentials.token()).toBe('access-1');

    fail = true;
    now = 1600_000; // due for refresh, not expired
    expect(await credentials.token()).toBe('access-1');
    expect(credentials.healthy()).toBe(true);

    now = 1801_000; // expired
    const error = await credentials.token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as Error).message).toBe(
      'OAuth token refresh failed: HTTP 400 (BAD_REFRESH_TOKEN: unknown refresh token [REDACTED])',
    );
    expect(credentials.healthy()).toBe(false);
    // Within the retry pause the last error is returned without calling the endpoint again.
    const calls = endpoint.requests.length;
    await expect(credentials.token()).rejects.toBeInstanceOf(TokenRefreshError);
    expect(endpoint.requests).toHaveLength(calls);
  });

  it('refuses an answer without an access token', async () => {
    endpoint = await startFakeTokenEndpoint(() => ({ body: { token_type: 'bearer' } }));
    await expect(createCredentialProvider(oauthConfig(endpoint.url)).token()).rejects.toThrow(
      'no access_token or expires_in',
    );
  });
});

describe('token file', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads the token, trimmed, and picks up a rotation after the TTL', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gateway-token-'));
    const file = path.join(dir, 'token');
    await writeFile(file, 'pat-na1-first\n');
    let now = 0;
    const credentials = createCredentialProvider(
      { kind: 'token-file', path: file },
      { now: () => now, fileTtlMs: 1000 },
    );
    expect(await credentials.token()).toBe('pat-na1-first');
    await writeFile(file, 'pat-na1-second');
    expect(await credentials.token()).toBe('pat-na1-first');
    now = 1001;
    expect(await credentials.token()).toBe('pat-na1-second');
  });

  it('names the file, not its content, when it cannot be used', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gateway-token-'));
    const missing = path.join(dir, 'missing');
    await expect(
      createCredentialProvider({ kind: 'token-file', path: missing }).token(),
    ).rejects.toThrow(`cannot read HUBSPOT_TOKEN_FILE ${missing} (ENOENT)`);
    const empty = path.join(dir, 'empty');
    await writeFile(empty, '  \n');
    await expect(
      createCredentialProvider({ kind: 'token-file', path: empty }).token(),
    ).rejects.toThrow('is empty');
  });
});
