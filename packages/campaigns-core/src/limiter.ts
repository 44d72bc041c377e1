// One request budget per HubSpot token: every concurrent run on the same client draws from
// it, so the project itself never causes a 429. It starts from a budget that is safe on any
// tier, then follows what HubSpot's rate-limit headers advertise.
//
// Waiters take turns by fairness key (the caller, tenant or job owner a request is made for):
// keys are served round-robin, FIFO within a key, so one key's hundred queued chunks do not go
// before another key's one. Every operation is O(1) except the choice of key while the reserve
// is in use (O(keys waiting)).
import type { RateLimitInfo } from '@campaigns/hubspot-client';

/** The key of every acquire that names none: without keys the budget is one FIFO queue. */
export const DEFAULT_FAIRNESS_KEY = '';

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
  /**
   * Share of the window (0–0.5) that a key already holding more than its equal share of the
   * window may not take while another key is present, so a newcomer finds a free slot instead
   * of waiting for the window to roll over. Applies only with two or more keys: a lone key
   * always gets the whole window. Default 0.1 (19 of HubSpot's 190 per 10 s).
   */
  fairReserve?: number;
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
  /** Acquires waiting for a slot. */
  waiting: number;
  /** Distinct fairness keys among them. */
  waitingKeys: number;
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
  lane: Lane;
  prev: Waiter | undefined;
  next: Waiter | undefined;
}

/**
 * One fairness key while it is present: it has waiters, or grants still in the main window.
 * A lane with waiters is also in the ring of turns.
 */
interface Lane {
  key: string;
  /** Its waiters, FIFO (a doubly-linked list: an abort leaves in O(1)). */
  head: Waiter | undefined;
  tail: Waiter | undefined;
  waiting: number;
  /** Its grants still in the main window. */
  inWindow: number;
  /** Neighbours in the ring of turns (only while `inRing`). */
  prev: Lane | undefined;
  next: Lane | undefined;
  inRing: boolean;
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
  /** The lane of each grant in `main.grants` (undefined: others' use seen through headers). */
  private readonly owners: Array<Lane | undefined> = [];
  private secondly: Window | undefined;
  private readonly marginMs: number;
  private readonly adaptive: boolean;
  private readonly fairReserve: number;
  private readonly now: () => number;
  /** Lowered by each 429 that still arrives, recovers with successful answers. */
  private penalty = 1;
  private pausedUntil = 0;
  private exhaustedUntil = 0;
  /** The next grant to a heavy key waits until then (see `pace`). */
  private pacedUntil = 0;
  /** Every present key; removed once it has neither waiters nor grants in the window. */
  private readonly lanes = new Map<string, Lane>();
  /** The ring of turns: lanes with waiters, the next to serve first. */
  private turnHead: Lane | undefined;
  private turnTail: Lane | undefined;
  private waitingLanes = 0;
  private waiting = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RateLimitBudgetOptions = {}) {
    const max = options.max ?? 100;
    const intervalMs = options.intervalMs ?? 10_000;
    const fairReserve = options.fairReserve ?? 0.1;
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`rate budget max must be a positive integer, got ${max}`);
    if (!(intervalMs > 0))
      throw new RangeError(`rate budget intervalMs must be positive, got ${intervalMs}`);
    if (!(fairReserve >= 0 && fairReserve <= 0.5))
      throw new RangeError(`rate budget fairReserve must be between 0 and 0.5, got ${fairReserve}`);
    this.main = { max, intervalMs, grants: [] };
    this.marginMs = options.windowMarginMs ?? 100;
    this.adaptive = options.adaptive ?? true;
    this.fairReserve = fairReserve;
    this.now = options.now ?? Date.now;
  }

  /**
   * Waits for a slot and takes it. Rejects with the signal's reason, or DailyLimitReachedError.
   * `fairnessKey` names whom the request is for (see the package README); keys take turns,
   * requests of one key go in the order they asked. Default: one key shared by all.
   */
  acquire(signal?: AbortSignal, fairnessKey: string = DEFAULT_FAIRNESS_KEY): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const lane = this.lane(fairnessKey);
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        lane,
        prev: undefined,
        next: undefined,
        onAbort: () => {
          this.leave(waiter);
          reject(signal!.reason);
          // One key fewer can make another eligible for the reserve.
          this.reschedule();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.join(waiter);
      // Not pump(): a timer may be waiting out the reserve, which this newcomer may use now.
      this.reschedule();
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
      this.pruneMain(now);
      const unseen = info.max - info.remaining - this.main.grants.length;
      for (let i = 0; i < unseen; i++) {
        this.main.grants.push(now);
        this.owners.push(undefined);
      }
    }
    this.penalty = Math.min(1, this.penalty + 0.02);
    this.reschedule();
  }

  /**
   * The request granted at `grantedAt` (what `acquire` resolved with) was answered, or failed,
   * now. HubSpot counted it when it arrived, at the latest now: it stays in the window until now
   * plus the interval, not only `grantedAt` plus the margin, so a busy event loop between the
   * grant and the send cannot make us overrun HubSpot's window.
   */
  answered(grantedAt: number, fairnessKey: string = DEFAULT_FAIRNESS_KEY): void {
    const countedAt = this.now() - this.marginMs;
    if (countedAt <= grantedAt) return;
    const lane = this.lanes.get(fairnessKey);
    for (const window of [this.main, this.secondly]) {
      if (!window) continue;
      const owners = window === this.main ? this.owners : undefined;
      const grants = window.grants;
      // The entry granted then, preferably this key's (several can share a millisecond).
      let at = -1;
      for (
        let i = lowerBound(grants, grantedAt);
        i < grants.length && grants[i] === grantedAt;
        i++
      ) {
        if (at < 0 || owners?.[i] === lane) at = i;
        if (!owners || owners[i] === lane) break;
      }
      if (at < 0) continue; // already out of the window
      const owner = owners?.[at];
      grants.splice(at, 1);
      owners?.splice(at, 1);
      const to = lowerBound(grants, countedAt + 1);
      grants.splice(to, 0, countedAt);
      owners?.splice(to, 0, owner);
    }
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
    this.pruneMain(now);
    const effectiveMax = this.effectiveMax();
    return {
      max: this.main.max,
      effectiveMax,
      intervalMs: this.main.intervalMs,
      used: this.main.grants.length,
      remaining: Math.max(0, effectiveMax - this.main.grants.length),
      waiting: this.waiting,
      waitingKeys: this.waitingLanes,
      ...(this.pausedUntil > now ? { pausedUntil: this.pausedUntil } : {}),
      ...(this.exhaustedUntil > now ? { exhaustedUntil: this.exhaustedUntil } : {}),
    };
  }

  private effectiveMax(): number {
    return Math.max(1, Math.floor(this.main.max * this.penalty));
  }

  /** Drops grants that left the window; returns how many. */
  private prune(window: Window, now: number): number {
    const horizon = now - window.intervalMs - this.marginMs;
    let drop = 0;
    while (drop < window.grants.length && window.grants[drop]! <= horizon) drop++;
    if (drop) window.grants.splice(0, drop);
    return drop;
  }

  private pruneMain(now: number): void {
    const drop = this.prune(this.main, now);
    if (!drop) return;
    for (const lane of this.owners.splice(0, drop)) {
      if (!lane) continue;
      lane.inWindow--;
      this.forgetIfIdle(lane);
    }
  }

  /** Ms until one more grant fits in every window (0 = now). */
  private delay(now: number): number {
    let wait = Math.max(0, this.pausedUntil - now);
    this.pruneMain(now);
    const windows: Array<[Window, number]> = [[this.main, this.effectiveMax()]];
    if (this.secondly) {
      this.prune(this.secondly, now);
      windows.push([this.secondly, this.secondly.max]);
    }
    for (const [window, max] of windows) {
      const excess = window.grants.length - max;
      if (excess >= 0)
        wait = Math.max(wait, window.grants[excess]! + window.intervalMs + this.marginMs - now);
    }
    return wait;
  }

  /**
   * Whose turn it is, or how long until someone's. A lone key may take every free slot. With two
   * or more keys present, a key holding less than its equal share of the window ("light") may
   * too; a key at or above it ("heavy") is held back twice: it may not take the reserve, and its
   * grants are paced (see `pace`). Light lanes are looked for past held-back heavy ones, which
   * keep their place in the ring.
   */
  private nextLane(now: number): { lane: Lane; wait: 0 } | { lane: undefined; wait: number } {
    const present = this.lanes.size;
    if (present < 2) return { lane: this.turnHead!, wait: 0 };
    const max = this.effectiveMax();
    const used = this.main.grants.length;
    const unreserved = max - Math.floor(max * this.fairReserve);
    const heavyMay = used < unreserved && now >= this.pacedUntil;
    for (let lane = this.turnHead; lane; lane = lane.next)
      if (heavyMay || lane.inWindow * present < max) return { lane, wait: 0 };
    // Only heavy keys wait: until their pace allows, or a grant leaves the window.
    const expiry = this.main.grants[0]! + this.main.intervalMs + this.marginMs - now;
    const wait = used < unreserved ? Math.min(expiry, this.pacedUntil - now) : expiry;
    return { lane: undefined, wait: Math.max(1, wait) };
  }

  /**
   * After a heavy key's grant: the next heavy grant waits so that what is left of the unreserved
   * window is spread until the oldest grant leaves it. Heavy keys then take slots as they free
   * up, not all at once, and a light key's request always finds one soon: one caller's burst
   * cannot leave everyone else facing a full window for its whole interval.
   */
  private pace(now: number): void {
    const max = this.effectiveMax();
    const unreserved = max - Math.floor(max * this.fairReserve);
    const left = Math.max(1, unreserved - this.main.grants.length);
    const untilExpiry = this.main.grants[0]! + this.main.intervalMs + this.marginMs - now;
    this.pacedUntil = now + untilExpiry / left;
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
    while (this.waiting > 0) {
      const now = this.now();
      if (this.exhaustedUntil > now)
        return this.rejectAll(new DailyLimitReachedError(this.exhaustedUntil));
      let wait = this.delay(now);
      let lane: Lane | undefined;
      if (wait === 0) ({ lane, wait } = this.nextLane(now));
      if (!lane) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
      const heavy = this.lanes.size >= 2 && lane.inWindow * this.lanes.size >= this.effectiveMax();
      this.main.grants.push(now);
      this.owners.push(lane);
      lane.inWindow++;
      this.secondly?.grants.push(now);
      if (heavy) this.pace(now);
      const waiter = lane.head!;
      this.leave(waiter);
      // Its turn is over: to the back of the ring (leave() took it out if it has no one left).
      if (lane.inRing) {
        this.unring(lane);
        this.ring(lane);
      }
      this.settle(waiter).resolve(now);
    }
  }

  private rejectAll(error: unknown): void {
    while (this.turnHead) {
      const lane = this.turnHead;
      while (lane.head) {
        const waiter = lane.head;
        this.leave(waiter);
        this.settle(waiter).reject(error);
      }
    }
  }

  private settle(waiter: Waiter): Waiter {
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    return waiter;
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        key,
        head: undefined,
        tail: undefined,
        waiting: 0,
        inWindow: 0,
        prev: undefined,
        next: undefined,
        inRing: false,
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** Queues a waiter at the back of its lane; a lane that starts waiting goes to the back of the ring. */
  private join(waiter: Waiter): void {
    const lane = waiter.lane;
    waiter.prev = lane.tail;
    if (lane.tail) lane.tail.next = waiter;
    else lane.head = waiter;
    lane.tail = waiter;
    lane.waiting++;
    this.waiting++;
    if (!lane.inRing) this.ring(lane);
  }

  /** Takes a waiter out of its lane (granted, aborted or refused). Idempotent. */
  private leave(waiter: Waiter): void {
    const lane = waiter.lane;
    if (waiter.prev === undefined && lane.head !== waiter) return; // already left
    if (waiter.prev) waiter.prev.next = waiter.next;
    else lane.head = waiter.next;
    if (waiter.next) waiter.next.prev = waiter.prev;
    else lane.tail = waiter.prev;
    waiter.prev = waiter.next = undefined;
    lane.waiting--;
    this.waiting--;
    if (lane.waiting === 0) {
      this.unring(lane);
      this.forgetIfIdle(lane);
    }
  }

  private ring(lane: Lane): void {
    lane.prev = this.turnTail;
    lane.next = undefined;
    if (this.turnTail) this.turnTail.next = lane;
    else this.turnHead = lane;
    this.turnTail = lane;
    lane.inRing = true;
    this.waitingLanes++;
  }

  private unring(lane: Lane): void {
    if (!lane.inRing) return;
    if (lane.prev) lane.prev.next = lane.next;
    else this.turnHead = lane.next;
    if (lane.next) lane.next.prev = lane.prev;
    else this.turnTail = lane.prev;
    lane.prev = lane.next = undefined;
    lane.inRing = false;
    this.waitingLanes--;
  }

  /** Bounded memory: a key with no waiters and no grants in the window is forgotten. */
  private forgetIfIdle(lane: Lane): void {
    if (lane.waiting === 0 && lane.inWindow === 0 && this.lanes.get(lane.key) === lane)
      this.lanes.delete(lane.key);
  }
}

/** First index whose value is ≥ `value` in a sorted array. */
function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
