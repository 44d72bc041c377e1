// The simulator's settings, validated once when it starts: a typo in a test's options fails
// loudly with the setting's name instead of quietly running a different simulation.
import { DEFAULT_TOKENS, type SimTokenConfig } from './auth.js';
import {
  parseLatency,
  parseSimFaults,
  SimConfigError,
  type SimFaults,
  type SimLatency,
} from './faults.js';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './rate-limit.js';

export interface HubSpotSimOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Default 0: an ephemeral port, see `url`. */
  port?: number;
  /** Accepted bearer tokens. Default: `DEFAULT_SIM_TOKEN` with read, write and revenue.read. */
  tokens?: SimTokenConfig[];
  /** Seed for demo data, result order and random faults. Default 1. */
  seed?: number;
  /** Demo campaigns to create at start. Default 200. */
  campaigns?: number;
  /** Per-token limits; `false` turns limiting and its headers off. Default 190 per 10 s, 650 000 a day. */
  rateLimit?: { max?: number; intervalMs?: number; daily?: number } | false;
  latency?: SimLatency;
  faults?: SimFaults;
  /** Default true; false: 400s name the bad property but not the campaign id. */
  validationErrorsNameIds?: boolean;
}

export interface ResolvedSimOptions {
  host: string;
  port: number;
  tokens: SimTokenConfig[];
  seed: number;
  campaigns: number;
  rateLimit: RateLimitSettings | undefined;
  latency: SimLatency | undefined;
  faults: SimFaults;
  validationErrorsNameIds: boolean;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_CAMPAIGN_COUNT = 200;

export function resolveSimOptions(options: HubSpotSimOptions): ResolvedSimOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new SimConfigError(`port must be an integer from 0 to 65535, got ${port}`);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new SimConfigError(`seed must be an integer, got ${seed}`);
  const campaigns = options.campaigns ?? DEFAULT_CAMPAIGN_COUNT;
  if (!Number.isInteger(campaigns) || campaigns < 0)
    throw new SimConfigError(`campaigns must be a non-negative integer, got ${campaigns}`);
  const tokens = options.tokens ?? [...DEFAULT_TOKENS];
  if (tokens.length === 0) throw new SimConfigError('tokens must list at least one token');
  for (const [i, t] of tokens.entries()) {
    if (typeof t.token !== 'string' || t.token.trim() === '' || /\s/.test(t.token))
      throw new SimConfigError(`tokens[${i}].token must be a non-empty string without spaces`);
    if (!Array.isArray(t.scopes) || !t.scopes.every((s) => typeof s === 'string'))
      throw new SimConfigError(`tokens[${i}].scopes must be a list of strings`);
    if (t.kind !== undefined && t.kind !== 'private-app' && t.kind !== 'oauth')
      throw new SimConfigError(`tokens[${i}].kind must be private-app or oauth`);
  }
  return {
    host: options.host ?? '127.0.0.1',
    port,
    tokens,
    seed,
    campaigns,
    rateLimit: options.rateLimit === false ? undefined : resolveRateLimit(options.rateLimit ?? {}),
    latency: parseLatency(options.latency),
    faults: parseSimFaults(options.faults ?? {}),
    validationErrorsNameIds: options.validationErrorsNameIds ?? true,
  };
}

function resolveRateLimit(limit: {
  max?: number;
  intervalMs?: number;
  daily?: number;
}): RateLimitSettings {
  const settings: RateLimitSettings = {
    max: limit.max ?? DEFAULT_RATE_LIMIT.max,
    intervalMs: limit.intervalMs ?? DEFAULT_RATE_LIMIT.intervalMs,
    daily: limit.daily ?? DEFAULT_RATE_LIMIT.daily,
  };
  for (const name of ['max', 'intervalMs', 'daily'] as const) {
    const value = settings[name];
    if (!Number.isInteger(value) || value < 1)
      throw new SimConfigError(`rateLimit.${name} must be a positive integer, got ${value}`);
  }
  return settings;
}
