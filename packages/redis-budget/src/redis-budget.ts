// RedisRateBudget: the core's RateBudget with its window in Redis, so every process that calls
// HubSpot for one account (gateway replicas, job workers, internal apps) draws from one budget.
// Fairness keys take turns across processes: the script grants a key only while its grants in the
// window are within TURN_SLACK of the fewest of any key waiting anywhere, and its fair share holds
// a key at or above its share back from the reserve (the window's last few free slots) while
// another is present. Within a process, keys that may go take turns round robin, and a key's
// waiters go first come, first served.
import { createHash, randomBytes } from 'node:crypto';
import {
  DEFAULT_FAIRNESS_KEY,
  DailyLimitReachedError,
  type BudgetSnapshot,
  type GrantOutcome,
  type RateBudget,
  type RateLimitBudgetOptions,
} from '@campaigns/core';
import { FAIR_RESERVE_SLOTS } from '@campaigns/core/internal';
import type { RateLimitInfo } from '@campaigns/hubspot-client';
import { BUDGET_SCRIPT, budgetKeys } from './script.js';

/** What the budget needs of a Redis client (an ioredis `Redis` has it). */
export interface RedisEval {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

export interface RedisRateBudgetOptions extends Omit<RateLimitBudgetOptions, 'now' | 'adaptive'> {
  /** A connected Redis client (e.g. `new Redis(url)` from ioredis); the caller closes it. */
  redis: RedisEval;
  /**
   * Names the HubSpot account whose limit this is: every budget with the same `account` (and
   * `prefix`) shares one window. Never the raw token: use {@link accountKeyOf}, or HubSpot's
   * portal id.
   */
  account: string;
  /** Prefix of the Redis keys. Default `campaigns:budget`. */
  prefix?: string;
  /**
   * How often a waiter asks again while the window is held by requests still in flight (their
   * answers may come from any process), in ms. Default 25.
   */
  pollMs?: number;
  /** How long a key that stopped asking still counts as present for the fair share, in ms. Default 2000. */
  presenceMs?: number;
  /** Called with errors of fire-and-forget updates (answers, headers, 429s). Default: none. */
  onError?: (error: unknown) => void;
}

/** A stable, non-secret name for the account behind a token: `sha256:` and 32 hex digits. */
export function accountKeyOf(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
}

interface Waiter {
  key: string;
  resolve: (grantedAt: number) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/** A rate budget shared through Redis by every process using the same `account`. */
export class RedisRateBudget implements RateBudget {
  private readonly redis: RedisEval;
  private readonly keys: string[];
  private readonly settings: Array<string | number>;
  private readonly pollMs: number;
  private readonly onError: (error: unknown) => void;
  /** This budget's name in the turns' register of waiting keys (one per process, or more). */
  private readonly id = randomBytes(8).toString('hex');
  /** Whether Redis may list keys of ours as waiting (cleared by `idle`). */
  private registered = false;
  /** Waiters by key, and the keys in their turn order (round robin). */
  private readonly lanes = new Map<string, Waiter[]>();
  private turns: string[] = [];
  /** Grant ids not yet answered, by key and grant time (what `acquire` resolved with). */
  private readonly grants = new Map<string, Map<number, string[]>>();
  private pumping = false;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last: BudgetSnapshot;

  constructor(options: RedisRateBudgetOptions) {
    if (!options.account) throw new TypeError('RedisRateBudget needs an account name');
    const max = options.max ?? 100;
    const intervalMs = options.intervalMs ?? 10_000;
    this.redis = options.redis;
    this.keys = budgetKeys(options.prefix ?? 'campaigns:budget', options.account);
    this.settings = [
      max,
      intervalMs,
      options.windowMarginMs ?? 100,
      options.unansweredHoldMs ?? 60_000,
      options.fairReserve ?? 0.1,
      options.firstBurst ?? 10,
      Number.isFinite(options.roundTripsBeforeDating ?? 100)
        ? (options.roundTripsBeforeDating ?? 100)
        : 2 ** 53,
      options.presenceMs ?? 2000,
      FAIR_RESERVE_SLOTS,
    ];
    this.pollMs = options.pollMs ?? 25;
    this.onError = options.onError ?? (() => {});
    this.last = {
      max,
      effectiveMax: max,
      intervalMs,
      used: 0,
      remaining: max,
      waiting: 0,
      waitingKeys: 0,
    };
  }

  acquire(signal?: AbortSignal, fairnessKey: string = DEFAULT_FAIRNESS_KEY): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (this.closed) return reject(new Error('the rate budget is closed'));
      const waiter: Waiter = {
        key: fairnessKey,
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.leave(waiter);
          reject(signal!.reason);
          // Its key may no longer wait here: tell Redis (the next claim, or idle).
          if (!this.lanes.has(waiter.key)) this.wake();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      const lane = this.lanes.get(fairnessKey);
      if (lane) lane.push(waiter);
      else {
        this.lanes.set(fairnessKey, [waiter]);
        this.turns.push(fairnessKey);
      }
      this.wake();
    });
  }

  /**
   * As the core's `RateBudget.answered`, but HubSpot's `stamps` are not taken (the parameter is
   * left out): every answer is dated by its round trip alone, which is safe (see the README).
   */
  answered(
    grantedAt: number,
    fairnessKey: string = DEFAULT_FAIRNESS_KEY,
    outcome: GrantOutcome = 'failed',
    roundTripMs?: number,
  ): void {
    const id = this.grantId(grantedAt, fairnessKey, true);
    if (id === undefined) return;
    void this.run('answered', id, fairnessKey, outcome, roundTripMs ?? -1).then(() => this.wake());
  }

  observe(info: RateLimitInfo, grantedAt?: number, fairnessKey?: string): void {
    const id =
      grantedAt === undefined
        ? ''
        : (this.grantId(grantedAt, fairnessKey ?? DEFAULT_FAIRNESS_KEY, false) ?? '');
    void this.run(
      'observe',
      id,
      info.max ?? 0,
      info.intervalMs ?? 0,
      info.remaining ?? -1,
      info.secondly ?? 0,
    ).then(() => this.wake());
  }

  penalize(retryAfterMs?: number, grantedAt?: number): void {
    void this.run('penalize', retryAfterMs ?? -1, grantedAt ?? -1);
  }

  exhaust(resetsAt: number): void {
    void this.run('exhaust', resetsAt).then(() => this.wake());
  }

  /**
   * Stops asking Redis: every waiter is refused, and so is every later `acquire`. Call it before
   * closing the Redis client. Grants already made stay counted in Redis until answered or held
   * out (`unansweredHoldMs`).
   */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const error = new Error('the rate budget is closed');
    for (const lane of this.lanes.values()) for (const w of [...lane]) this.settle(w, error);
    this.unregister();
  }

  /** The state as last seen (Redis is asked on every grant); `refresh()` asks now. */
  snapshot(): BudgetSnapshot {
    let waiting = 0;
    for (const lane of this.lanes.values()) waiting += lane.length;
    return { ...this.last, waiting, waitingKeys: this.lanes.size };
  }

  /** Reads the shared state from Redis and returns the snapshot. */
  async refresh(): Promise<BudgetSnapshot> {
    const [max, effectiveMax, intervalMs, used, pausedUntil, exhaustedUntil, now] =
      (await this.redis.eval(
        BUDGET_SCRIPT,
        this.keys.length,
        ...this.keys,
        'snapshot',
        ...this.settings,
      )) as number[];
    this.last = {
      max: max!,
      effectiveMax: effectiveMax!,
      intervalMs: intervalMs!,
      used: used!,
      remaining: Math.max(0, effectiveMax! - used!),
      waiting: 0,
      waitingKeys: 0,
      ...(pausedUntil! > now! ? { pausedUntil: pausedUntil! } : {}),
      ...(exhaustedUntil! > now! ? { exhaustedUntil: exhaustedUntil! } : {}),
    };
    return this.snapshot();
  }

  /** Runs one operation of the script; errors go to `onError` (it never rejects). */
  private run(op: string, ...args: Array<string | number>): Promise<unknown> {
    return this.redis
      .eval(BUDGET_SCRIPT, this.keys.length, ...this.keys, op, ...this.settings, ...args)
      .catch((error: unknown) => this.onError(error));
  }

  private grantId(grantedAt: number, key: string, take: boolean): string | undefined {
    const byTime = this.grants.get(key);
    const ids = byTime?.get(grantedAt);
    if (!byTime || !ids) return undefined;
    if (!take) return ids[0];
    const id = ids.pop();
    if (ids.length === 0) byTime.delete(grantedAt);
    if (byTime.size === 0) this.grants.delete(key);
    return id;
  }

  private leave(waiter: Waiter): void {
    const lane = this.lanes.get(waiter.key);
    const at = lane ? lane.indexOf(waiter) : -1;
    if (at < 0) return;
    lane!.splice(at, 1);
    if (lane!.length === 0) {
      this.lanes.delete(waiter.key);
      this.turns = this.turns.filter((k) => k !== waiter.key);
    }
  }

  /** Asks Redis again now (an answer or new headers may have freed a slot). */
  private wake(): void {
    if (this.closed) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    void this.pump();
  }

  /** No waiter left here: our keys no longer wait (others' turns need not wait for them). */
  private unregister(): void {
    if (!this.registered) return;
    this.registered = false;
    void this.run('idle', this.id);
  }

  /** Grants to the waiters in turn while Redis says yes; sleeps as long as it says otherwise. */
  private async pump(): Promise<void> {
    if (this.pumping || this.timer) return;
    this.pumping = true;
    try {
      while (this.turns.length > 0 && !this.closed) {
        let reply: number[];
        try {
          // Every waiting key in turn order, with its number of waiters: the script registers
          // them as waiting and grants the first that may go.
          const waiting = this.turns.flatMap((k) => [k, this.lanes.get(k)?.length ?? 0]);
          this.registered = true;
          reply = (await this.redis.eval(
            BUDGET_SCRIPT,
            this.keys.length,
            ...this.keys,
            'claim',
            ...this.settings,
            this.id,
            ...waiting,
          )) as number[];
        } catch (error) {
          // Redis is unreachable: nothing can be granted safely; every waiter hears why.
          for (const lane of this.lanes.values()) for (const w of [...lane]) this.settle(w, error);
          return;
        }
        const [status, value, third, used, max, position] = reply;
        if (status === -1) {
          const error = new DailyLimitReachedError(value!);
          for (const lane of this.lanes.values()) for (const w of [...lane]) this.settle(w, error);
          return;
        }
        if (status === 0) {
          if (this.turns.length === 0) break; // every waiter left meanwhile
          // Held by requests still in flight (answers may come from any process): ask again soon.
          const sleep = third! > 0 ? Math.min(value!, this.pollMs) : value!;
          this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.pump();
          }, sleep);
          return;
        }
        const grantedAt = value!;
        const id = String(third);
        const key = this.turns[position! - 1];
        this.last = {
          ...this.last,
          max: max!,
          effectiveMax: max!,
          used: used!,
          remaining: Math.max(0, max! - used!),
        };
        const waiter = key === undefined ? undefined : this.lanes.get(key)?.[0];
        if (!waiter || key === undefined) {
          // Its waiter left while Redis was granting: the slot goes back at once.
          if (key !== undefined) void this.run('answered', id, key, 'not-sent', -1);
          continue;
        }
        let byTime = this.grants.get(key);
        if (!byTime) this.grants.set(key, (byTime = new Map()));
        const ids = byTime.get(grantedAt);
        if (ids) ids.push(id);
        else byTime.set(grantedAt, [id]);
        // Its turn is over: to the back of the ring.
        this.turns.splice(position! - 1, 1);
        this.turns.push(key);
        this.settle(waiter, undefined, grantedAt);
      }
      if (this.turns.length === 0) this.unregister();
    } finally {
      this.pumping = false;
    }
  }

  private settle(waiter: Waiter, error: unknown, grantedAt?: number): void {
    this.leave(waiter);
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    if (grantedAt === undefined) waiter.reject(error);
    else waiter.resolve(grantedAt);
  }
}
