// One request budget per HubSpot token: every concurrent run on the same client draws from
// it, so the project itself never causes a 429. It starts from a budget that is safe on any
// tier, then follows what HubSpot's rate-limit headers advertise.
import type { RateLimitInfo } from '@campaigns/hubspot-client';

export interface RateLimitBudgetOptions {
  /** Requests per interval before HubSpot's headers say otherwise. Default 100 (safe on every tier). */
  max?: number;
  /** Interval of the rolling window in ms. Default 10 000. */
  intervalMs?: number;
  /**
   * Extra time a grant stays in the window, in ms. HubSpot counts a request when it arrives,
   * which can be a little later than when we sent it. Default 100.
   */
  windowMarginMs?: number;
  /** Follow `X-HubSpot-RateLimit-*` headers (raise or lower max, count other clients' use). Default true. */
  adaptive?: boolean;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

export interface BudgetSnapshot {
  max: number;
  effectiveMax: number;
  intervalMs: number;
  /** Grants still counted in the rolling window (ours and others' seen through headers). */
  used: number;
  remaining: number;
  pausedUntil?: number;
  exhaustedUntil?: number;
}

/** Thrown to every waiter once a DAILY limit is reached: nothing more is sent until it resets. */
export class DailyLimitReachedError extends Error {
  override readonly name = 'DailyLimitReachedError';
  constructor(readonly resetsAt: number) {
    super(
      `HubSpot's daily request limit is used up; it resets at ${new Date(resetsAt).toISOString()}`,
    );
  }
}

interface Waiter {
  resolve: (grantedAt: number) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Window {
  max: number;
  intervalMs: number;
  /** Sorted grant times. */
  grants: number[];
}

/** A rolling-window request budget shared by everything that calls HubSpot with one token. */
export class RateLimitBudget {
  private readonly main: Window;
  private secondly: Window | undefined;
  private readonly marginMs: number;
  private readonly adaptive: boolean;
  private readonly now: () => number;
  /** Lowered by each 429 that still arrives, recovers with successful answers. */
  private penalty = 1;
  private pausedUntil = 0;
  private exhaustedUntil = 0;
  private readonly waiters: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RateLimitBudgetOptions = {}) {
    const max = options.max ?? 100;
    const intervalMs = options.intervalMs ?? 10_000;
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`rate budget max must be a positive integer, got ${max}`);
    if (!(intervalMs > 0))
      throw new RangeError(`rate budget intervalMs must be positive, got ${intervalMs}`);
    this.main = { max, intervalMs, grants: [] };
    this.marginMs = options.windowMarginMs ?? 100;
    this.adaptive = options.adaptive ?? true;
    this.now = options.now ?? Date.now;
  }

  /** Waits for a slot and takes it. Rejects with the signal's reason, or DailyLimitReachedError. */
  acquire(signal?: AbortSignal): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /**
   * Learns from a response's headers: the advertised max and interval, and how much of the
   * window others (other processes with the same token) have used.
   */
  observe(info: RateLimitInfo): void {
    if (!this.adaptive) return;
    const now = this.now();
    if (info.intervalMs && info.intervalMs > 0) this.main.intervalMs = info.intervalMs;
    if (info.max && info.max > 0) this.main.max = info.max;
    if (info.secondly && info.secondly > 0) {
      this.secondly ??= { max: info.secondly, intervalMs: 1000, grants: [] };
      this.secondly.max = info.secondly;
    }
    if (info.max && info.remaining !== undefined) {
      // HubSpot saw (max − remaining) requests in its window; if that is more than we sent,
      // someone else shares the token: count their use as if we had sent it now.
      this.prune(this.main, now);
      const unseen = info.max - info.remaining - this.main.grants.length;
      for (let i = 0; i < unseen; i++) this.main.grants.push(now);
    }
    this.penalty = Math.min(1, this.penalty + 0.02);
    this.reschedule();
  }

  /** A 429 arrived anyway: pause for Retry-After (or the rest of the window) and slow down. */
  penalize(retryAfterMs?: number): void {
    const now = this.now();
    this.penalty = Math.max(0.25, this.penalty * 0.8);
    const oldest = this.main.grants[0];
    const windowClears =
      oldest !== undefined
        ? oldest + this.main.intervalMs + this.marginMs - now
        : this.main.intervalMs;
    const pause = retryAfterMs !== undefined ? retryAfterMs : Math.max(1000, windowClears);
    this.pausedUntil = Math.max(this.pausedUntil, now + pause);
    this.reschedule();
  }

  /** A DAILY 429: refuse every current and future acquire until `resetsAt` (epoch ms). */
  exhaust(resetsAt: number): void {
    this.exhaustedUntil = Math.max(this.exhaustedUntil, resetsAt);
    this.reschedule();
  }

  snapshot(): BudgetSnapshot {
    const now = this.now();
    this.prune(this.main, now);
    const effectiveMax = this.effectiveMax();
    return {
      max: this.main.max,
      effectiveMax,
      intervalMs: this.main.intervalMs,
      used: this.main.grants.length,
      remaining: Math.max(0, effectiveMax - this.main.grants.length),
      ...(this.pausedUntil > now ? { pausedUntil: this.pausedUntil } : {}),
      ...(this.exhaustedUntil > now ? { exhaustedUntil: this.exhaustedUntil } : {}),
    };
  }

  private effectiveMax(): number {
    return Math.max(1, Math.floor(this.main.max * this.penalty));
  }

  private prune(window: Window, now: number): void {
    const horizon = now - window.intervalMs - this.marginMs;
    let drop = 0;
    while (drop < window.grants.length && window.grants[drop]! <= horizon) drop++;
    if (drop) window.grants.splice(0, drop);
  }

  /** Ms until one more grant fits in every window (0 = now). */
  private delay(now: number): number {
    let wait = Math.max(0, this.pausedUntil - now);
    const windows: Array<[Window, number]> = [[this.main, this.effectiveMax()]];
    if (this.secondly) windows.push([this.secondly, this.secondly.max]);
    for (const [window, max] of windows) {
      this.prune(window, now);
      const excess = window.grants.length - max;
      if (excess >= 0)
        wait = Math.max(wait, window.grants[excess]! + window.intervalMs + this.marginMs - now);
    }
    return wait;
  }

  private reschedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pump();
  }

  private pump(): void {
    if (this.timer) return;
    while (this.waiters.length > 0) {
      const now = this.now();
      if (this.exhaustedUntil > now) {
        const error = new DailyLimitReachedError(this.exhaustedUntil);
        for (const w of this.waiters.splice(0)) this.settle(w).reject(error);
        return;
      }
      const wait = this.delay(now);
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
      this.main.grants.push(now);
      this.secondly?.grants.push(now);
      this.settle(this.waiters.shift()!).resolve(now);
    }
  }

  private settle(waiter: Waiter): Waiter {
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    return waiter;
  }
}
