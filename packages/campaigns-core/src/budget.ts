// The rate budget a run draws from, passed in explicitly: runs share a budget when they are
// given the same one, never behind the caller's back.
import type { RateLimitInfo } from '@campaigns/hubspot-client';
import { RateLimitBudget, type BudgetSnapshot, type RateLimitBudgetOptions } from './limiter.js';

/** How a granted request ended, as far as HubSpot's count goes (see `RateBudget.answered`). */
export type GrantOutcome = 'succeeded' | 'failed' | 'not-sent';

/**
 * HubSpot's own times on an answered request, as its batch answer states them (`startedAt`,
 * `completedAt`), in epoch ms of HubSpot's clock, which may differ from ours.
 */
export interface ServerStamps {
  startedAt: number;
  completedAt: number;
}

/**
 * What a run needs of a rate budget. {@link RateLimitBudget} is the in-process one; a budget
 * shared between processes (e.g. kept in Redis) implements the same methods.
 */
export interface RateBudget {
  /**
   * Resolves with the grant's time once a request may be sent, taking turns between fairness
   * keys; rejects with the signal's reason, or a `DailyLimitReachedError`.
   */
  acquire(signal?: AbortSignal, fairnessKey?: string): Promise<number>;
  /**
   * The request granted at `grantedAt` has its answer, or failed: HubSpot counted it by now.
   * `outcome` (default `'failed'`): `'succeeded'` (a 2xx: it also lifts the penalty of an earlier
   * 429 burst when the request was granted after that burst began), `'failed'` (anything else
   * that may have reached HubSpot), `'not-sent'` (it never left: its slot is freed at once).
   * `roundTripMs`: when HubSpot answered it (any status), from sending to the answer; without
   * it the request may have arrived as late as now. `stamps`: HubSpot's `startedAt` and
   * `completedAt` from the same answer, when it had them (a budget may ignore them: then the
   * request is dated by its round trip alone; see limiter.ts).
   */
  answered(
    grantedAt: number,
    fairnessKey?: string,
    outcome?: GrantOutcome,
    roundTripMs?: number,
    stamps?: ServerStamps,
  ): void;
  /**
   * An answer's rate-limit headers, as the client parsed them, for the request granted at
   * `grantedAt` to `fairnessKey` when known. Called before that request's `answered`.
   */
  observe(info: RateLimitInfo, grantedAt?: number, fairnessKey?: string): void;
  /**
   * A 429 (not DAILY) answered the request granted at `grantedAt`: pause, for `Retry-After` when
   * given, and slow down, once per burst (429s answering requests granted before the burst's
   * first 429 arrived count once).
   */
  penalize(retryAfterMs?: number, grantedAt?: number): void;
  /** A DAILY 429: refuse every acquire until `resetsAt`. */
  exhaust(resetsAt: number): void;
  snapshot(): BudgetSnapshot;
}

/**
 * The budget a call runs under: the one it was given (shared with every run given the same),
 * or a new one of its own made from `rateLimit`. Both at once is refused: `rateLimit` could not
 * take effect on a budget that already exists.
 */
export function budgetOf(options: {
  budget?: RateBudget | undefined;
  rateLimit?: RateLimitBudgetOptions | undefined;
}): RateBudget {
  if (options.budget && options.rateLimit)
    throw new TypeError(
      'rateLimit cannot take effect with budget: rateLimit sets up the budget a call makes for ' +
        'itself, and a given budget already exists. Configure the shared budget where it is ' +
        'made (new RateLimitBudget(rateLimit)) and pass only budget.',
    );
  return options.budget ?? new RateLimitBudget(options.rateLimit);
}
