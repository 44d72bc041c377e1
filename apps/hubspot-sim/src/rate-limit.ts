// HubSpot's request limits per token: a rolling window (190 per 10 s on Professional) and a
// daily quota that resets at midnight UTC, advertised on every response and enforced with 429s.

export interface RateLimitSettings {
  /** Requests per rolling window. */
  max: number;
  intervalMs: number;
  /** Requests per UTC day (private-app tokens only). */
  daily: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = {
  max: 190,
  intervalMs: 10_000,
  daily: 650_000,
};

export type RateLimitPolicyName = 'TEN_SECONDLY_ROLLING' | 'DAILY';

export type RateLimitDecision =
  | { allowed: true; headers: Record<string, string> }
  | {
      allowed: false;
      policyName: RateLimitPolicyName;
      retryAfterSeconds: number;
      headers: Record<string, string>;
    };

interface TokenUsage {
  /** Arrival times of the admitted requests still inside the window, oldest first. */
  recent: number[];
  /** `YYYY-MM-DD` (UTC) that `dailyCount` belongs to. */
  day: string;
  dailyCount: number;
}

const DAY_MS = 86_400_000;

export class RateLimiter {
  readonly #settings: RateLimitSettings;
  readonly #now: () => number;
  readonly #usage = new Map<string, TokenUsage>();

  constructor(settings: RateLimitSettings, now: () => number = Date.now) {
    this.#settings = settings;
    this.#now = now;
  }

  /**
   * Counts a request that arrives now, or refuses it. A refused request uses no budget.
   * `daily` is false for OAuth tokens: no quota and no daily headers.
   */
  admit(token: string, daily: boolean): RateLimitDecision {
    const now = this.#now();
    const usage = this.#current(token, now);
    if (daily && usage.dailyCount >= this.#settings.daily) {
      const retryAfterSeconds = Math.ceil((nextUtcMidnight(now) - now) / 1000);
      return {
        allowed: false,
        policyName: 'DAILY',
        retryAfterSeconds,
        headers: this.#headers(usage, daily),
      };
    }
    if (usage.recent.length >= this.#settings.max) {
      const retryAfterSeconds = Math.max(
        1,
        Math.ceil((usage.recent[0]! + this.#settings.intervalMs - now) / 1000),
      );
      return {
        allowed: false,
        policyName: 'TEN_SECONDLY_ROLLING',
        retryAfterSeconds,
        headers: this.#headers(usage, daily),
      };
    }
    usage.recent.push(now);
    usage.dailyCount++;
    return { allowed: true, headers: this.#headers(usage, daily) };
  }

  /** The headers a response would carry now, without counting a request. */
  peek(token: string, daily: boolean): Record<string, string> {
    return this.#headers(this.#current(token, this.#now()), daily);
  }

  #current(token: string, now: number): TokenUsage {
    const today = new Date(now).toISOString().slice(0, 10);
    let usage = this.#usage.get(token);
    if (!usage) {
      usage = { recent: [], day: today, dailyCount: 0 };
      this.#usage.set(token, usage);
    }
    if (usage.day !== today) Object.assign(usage, { day: today, dailyCount: 0 });
    const windowStart = now - this.#settings.intervalMs;
    let expired = 0;
    while (expired < usage.recent.length && usage.recent[expired]! <= windowStart) expired++;
    if (expired > 0) usage.recent.splice(0, expired);
    return usage;
  }

  #headers(usage: TokenUsage, daily: boolean): Record<string, string> {
    const { max, intervalMs } = this.#settings;
    return {
      'X-HubSpot-RateLimit-Max': String(max),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, max - usage.recent.length)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(intervalMs),
      ...(daily
        ? {
            'X-HubSpot-RateLimit-Daily': String(this.#settings.daily),
            'X-HubSpot-RateLimit-Daily-Remaining': String(
              Math.max(0, this.#settings.daily - usage.dailyCount),
            ),
          }
        : {}),
    };
  }
}

function nextUtcMidnight(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}
