// Custody of the HubSpot credential: a private-app token (inline or from a secret file) or an
// OAuth refresh token exchanged for short-lived access tokens. The HubSpot client asks `token()`
// before every request; nothing here ever logs or throws a secret.
import { readFile } from 'node:fs/promises';
import { redactString } from '@campaigns/redact';
import type { Logger } from 'pino';
import type { HubSpotCredentialsConfig } from './config.js';

export interface CredentialProvider {
  /** The bearer token for the next HubSpot request. */
  token(): Promise<string>;
  /** Every secret value known right now, so logs and responses can be scrubbed of them. */
  secrets(): string[];
  /** False once the credential is known to be unusable (OAuth refresh failing and token expired). */
  healthy(): boolean;
  /** Which kind of credential this is, for the start-up log line (never the value). */
  readonly kind: HubSpotCredentialsConfig['kind'];
}

/** The OAuth token endpoint answered with something other than a usable access token. */
export class TokenRefreshError extends Error {
  override readonly name = 'TokenRefreshError';
  /** What a GraphQL caller may see (HubSpotTokenError passes it on): no endpoint address, no body. */
  readonly summary: string;
  constructor(
    message: string,
    readonly status?: number,
    summary?: string,
  ) {
    super(message);
    this.summary = summary ?? message;
  }
}

export interface CredentialOptions {
  fetch?: typeof fetch;
  now?: () => number;
  logger?: Logger;
  /** How long a secret file's content is reused before it is read again (rotation). Default 30 s. */
  fileTtlMs?: number;
  /** Pause after a failed OAuth refresh before the next attempt. Default 5 s. */
  refreshRetryMs?: number;
}

export function createCredentialProvider(
  config: HubSpotCredentialsConfig,
  options: CredentialOptions = {},
): CredentialProvider {
  switch (config.kind) {
    case 'token':
      return staticToken(config.token);
    case 'token-file':
      return tokenFile(config.path, options);
    case 'oauth':
      return oauthRefresher(config, options);
    case 'simulator':
      throw new Error(
        'no HubSpot credentials are configured: start the simulator (npm start does) or set HUBSPOT_TOKEN',
      );
  }
}

/** A fixed private-app token. */
export function staticToken(token: string): CredentialProvider {
  return { kind: 'token', token: async () => token, secrets: () => [token], healthy: () => true };
}

/** A private-app token read from a file (a mounted secret), re-read every `fileTtlMs` so rotation works. */
function tokenFile(path: string, options: CredentialOptions): CredentialProvider {
  const now = options.now ?? Date.now;
  const ttl = options.fileTtlMs ?? 30_000;
  let current: string | undefined;
  let readAt = -Infinity;
  let reading: Promise<string> | undefined;
  const read = async () => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new Error(`cannot read HUBSPOT_TOKEN_FILE ${path}${code ? ` (${code})` : ''}`);
    }
    const token = text.trim();
    if (token === '') throw new Error(`HUBSPOT_TOKEN_FILE ${path} is empty`);
    current = token;
    readAt = now();
    return token;
  };
  return {
    kind: 'token-file',
    async token() {
      if (current !== undefined && now() - readAt < ttl) return current;
      reading ??= read().finally(() => (reading = undefined));
      try {
        return await reading;
      } catch (error) {
        // A rotation in progress must not take the gateway down: keep the last good token.
        if (current !== undefined) {
          options.logger?.warn(
            { err: { message: (error as Error).message } },
            'could not re-read the HubSpot token file; keeping the last token',
          );
          readAt = now();
          return current;
        }
        throw error;
      }
    },
    secrets: () => (current ? [current] : []),
    healthy: () => true,
  };
}

interface AccessToken {
  value: string;
  expiresAt: number;
  refreshAt: number;
}

/**
 * OAuth 2.0 refresh-token grant against HubSpot's token URL. The access token is refreshed
 * `refreshMarginMs` before it expires (HubSpot: refresh by TTL, not on 401), and only one
 * refresh runs at a time: every request that needs a token meanwhile waits for that one.
 */
function oauthRefresher(
  config: Extract<HubSpotCredentialsConfig, { kind: 'oauth' }>,
  options: CredentialOptions,
): CredentialProvider {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const retryMs = options.refreshRetryMs ?? 5000;
  let refreshToken = config.refreshToken;
  let access: AccessToken | undefined;
  let inflight: Promise<AccessToken> | undefined;
  let failedAt = -Infinity;
  let lastError: Error | undefined;
  const secrets = () => [config.clientSecret, refreshToken, ...(access ? [access.value] : [])];

  async function refresh(): Promise<AccessToken> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: config.clientId,
      client_secret: config.clientSecret,
      refresh_token: refreshToken,
    });
    let response: Response;
    try {
      response = await fetchImpl(config.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new TokenRefreshError(
        `OAuth token refresh failed: ${redactString((error as Error).message ?? String(error), secrets())}`,
        undefined,
        'OAuth token refresh failed: the token endpoint could not be reached',
      );
    }
    const text = await response.text().catch(() => '');
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON: reported below without the body
    }
    if (!response.ok) {
      const reason = [json.status, json.error, json.message]
        .filter((v): v is string => typeof v === 'string')
        .map((v) => redactString(v, secrets()).slice(0, 200))
        .join(': ');
      throw new TokenRefreshError(
        `OAuth token refresh failed: HTTP ${response.status}${reason ? ` (${reason})` : ''}`,
        response.status,
        `OAuth token refresh failed: HTTP ${response.status}`,
      );
    }
    const value = json.access_token;
    const expiresIn = Number(json.expires_in);
    if (
      typeof value !== 'string' ||
      value === '' ||
      !Number.isFinite(expiresIn) ||
      expiresIn <= 0
    ) {
      throw new TokenRefreshError(
        'OAuth token refresh failed: the answer has no access_token or expires_in',
      );
    }
    if (typeof json.refresh_token === 'string' && json.refresh_token !== '')
      refreshToken = json.refresh_token;
    const issued = now();
    const lifetimeMs = expiresIn * 1000;
    const margin = Math.min(config.refreshMarginMs, lifetimeMs / 2);
    return { value, expiresAt: issued + lifetimeMs, refreshAt: issued + lifetimeMs - margin };
  }

  function startRefresh(): Promise<AccessToken> {
    inflight ??= refresh()
      .then(
        (token) => {
          access = token;
          lastError = undefined;
          options.logger?.info(
            { expiresAt: new Date(token.expiresAt).toISOString() },
            'HubSpot OAuth access token refreshed',
          );
          return token;
        },
        (error: Error) => {
          failedAt = now();
          lastError = error;
          options.logger?.error(
            { err: { message: error.message } },
            'HubSpot OAuth token refresh failed',
          );
          throw error;
        },
      )
      .finally(() => (inflight = undefined));
    return inflight;
  }

  return {
    kind: 'oauth',
    async token() {
      const t = now();
      if (access && t < access.refreshAt) return access.value;
      // Still valid but due: refresh, unless a refresh just failed (then use it while it lasts).
      if (access && t < access.expiresAt) {
        if (t - failedAt < retryMs) return access.value;
        try {
          return (await startRefresh()).value;
        } catch {
          return access.value;
        }
      }
      if (t - failedAt < retryMs && lastError && !inflight) throw lastError;
      return (await startRefresh()).value;
    },
    secrets,
    healthy: () => !(lastError && (!access || now() >= access.expiresAt)),
  };
}
