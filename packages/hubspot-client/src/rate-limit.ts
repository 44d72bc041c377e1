// HubSpot advertises its limits on every response; callers (the core's limiter) adapt to them.

/** The `X-HubSpot-RateLimit-*` headers of one response. A field is undefined when absent. */
export interface RateLimitInfo {
  /** Requests allowed per rolling interval (`X-HubSpot-RateLimit-Max`). */
  max?: number;
  /** Requests left in the current interval (`X-HubSpot-RateLimit-Remaining`). */
  remaining?: number;
  /** Length of the interval in ms (`X-HubSpot-RateLimit-Interval-Milliseconds`). */
  intervalMs?: number;
  /** Requests allowed per day (`X-HubSpot-RateLimit-Daily`; absent for OAuth apps). */
  daily?: number;
  /** Requests left today (`X-HubSpot-RateLimit-Daily-Remaining`). */
  dailyRemaining?: number;
  /** Requests allowed per second (`X-HubSpot-RateLimit-Secondly`). */
  secondly?: number;
  /** Requests left this second (`X-HubSpot-RateLimit-Secondly-Remaining`). */
  secondlyRemaining?: number;
}

const HEADERS: ReadonlyArray<readonly [keyof RateLimitInfo, string]> = [
  ['max', 'x-hubspot-ratelimit-max'],
  ['remaining', 'x-hubspot-ratelimit-remaining'],
  ['intervalMs', 'x-hubspot-ratelimit-interval-milliseconds'],
  ['daily', 'x-hubspot-ratelimit-daily'],
  ['dailyRemaining', 'x-hubspot-ratelimit-daily-remaining'],
  ['secondly', 'x-hubspot-ratelimit-secondly'],
  ['secondlyRemaining', 'x-hubspot-ratelimit-secondly-remaining'],
];

/** Reads the rate-limit headers; malformed values (not a non-negative integer) are ignored. */
export function parseRateLimitHeaders(headers: Pick<Headers, 'get'>): RateLimitInfo {
  const info: RateLimitInfo = {};
  for (const [field, name] of HEADERS) {
    const raw = headers.get(name);
    if (raw === null) continue;
    const trimmed = raw.trim();
    if (!/^\d+$/.test(trimmed)) continue;
    info[field] = Number(trimmed);
  }
  return info;
}

/**
 * Reads `Retry-After` (delay in seconds, or an HTTP date) as milliseconds from `now`.
 * Returns undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
