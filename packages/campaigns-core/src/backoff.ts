// Exponential backoff with full jitter (AWS architecture blog): spreads retries of many
// concurrent chunks so that they do not hit HubSpot again in lockstep.

export interface RetryPolicy {
  /** Attempts per chunk, the first one included. Default 5. */
  maxAttempts: number;
  /** First backoff ceiling in ms. Default 250. */
  baseDelayMs: number;
  /** Largest backoff in ms. Default 10 000. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
};

/**
 * Delay before retry number `retry` (1 for the first retry): uniform in
 * [0, min(maxDelayMs, baseDelayMs · 2^(retry−1))].
 */
export function backoffDelay(
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
