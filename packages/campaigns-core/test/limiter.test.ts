import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DailyLimitReachedError, RateLimitBudget } from '../src/limiter.js';

const T0 = 1_700_000_000_000;
/** The real clock, for the one test that measures how long the budget itself takes. */
const realNow = performance.now.bind(performance);

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Acquires `n` grants as fast as the budget allows, each answered at once (within the margin);
 * returns the grant times.
 */
async function grants(budget: RateLimitBudget, n: number, signal?: AbortSignal): Promise<number[]> {
  const times: number[] = [];
  const all = Array.from({ length: n }, () =>
    budget.acquire(signal).then((t) => {
      budget.answered(t);
      times.push(t);
    }),
  );
  await vi.runAllTimersAsync();
  await Promise.all(all);
  return times.sort((a, b) => a - b);
}

/** Largest number of grants inside any window of `intervalMs`, as a server counting arrivals would see. */
function peakInWindow(times: number[], intervalMs: number): number {
  let peak = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j]! - times[i]! >= intervalMs) i++;
    peak = Math.max(peak, j - i + 1);
  }
  return peak;
}

describe('RateLimitBudget', () => {
  it('never grants more than max in any rolling interval', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 120 }),
        async (max, n) => {
          const budget = new RateLimitBudget({ max, intervalMs: 1000, windowMarginMs: 0 });
          const times = await grants(budget, n);
          expect(times).toHaveLength(n);
          expect(peakInWindow(times, 1000)).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('grants the first max at once and the next one when the first leaves the window', async () => {
    const budget = new RateLimitBudget({ max: 3, intervalMs: 1000, windowMarginMs: 50 });
    const start = Date.now();
    const times = await grants(budget, 4);
    // Each answered at once: the answer bounds the arrival, the margin does not apply.
    expect(times.map((t) => t - start)).toEqual([0, 0, 0, 1000]);
  });

  it('starts from a budget safe on any tier and raises it to what the headers advertise', async () => {
    const budget = new RateLimitBudget();
    expect(budget.snapshot()).toMatchObject({ max: 100, intervalMs: 10_000 });
    const first = await budget.acquire();
    budget.observe({ max: 190, remaining: 189, intervalMs: 10_000 }); // the answer to our own request
    expect(budget.snapshot()).toMatchObject({ max: 190, effectiveMax: 190, used: 1 });
    const times = await grants(budget, 189);
    expect(times.every((t) => t === first)).toBe(true);
  });

  it('counts requests others made with the same token when Remaining says so', () => {
    const budget = new RateLimitBudget({ max: 10, intervalMs: 1000 });
    budget.observe({ max: 10, remaining: 4, intervalMs: 1000 }); // 6 used, none by us
    expect(budget.snapshot()).toMatchObject({ used: 6, remaining: 4 });
  });

  it('pauses for Retry-After after a 429 and slows down', async () => {
    const budget = new RateLimitBudget({ max: 10, intervalMs: 1000, windowMarginMs: 0 });
    const start = Date.now();
    budget.penalize(2000);
    expect(budget.snapshot().effectiveMax).toBe(8);
    const times = await grants(budget, 1);
    expect(times[0]! - start).toBe(2000);
  });

  it('refuses every waiter and later acquire once the daily limit is reached', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 60_000 });
    await budget.acquire();
    const waiting = budget.acquire();
    budget.exhaust(Date.now() + 3_600_000);
    await expect(waiting).rejects.toBeInstanceOf(DailyLimitReachedError);
    await expect(budget.acquire()).rejects.toThrow(/daily request limit is used up/);
  });

  it('lets an aborted waiter go without taking a slot', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 1000, windowMarginMs: 0 });
    budget.answered(await budget.acquire());
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    vi.advanceTimersByTime(1000);
    expect(budget.snapshot().used).toBe(0);
  });

  it('keeps a slowly answered request in the window from its answer, not from its grant', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 1000, windowMarginMs: 50 });
    const start = Date.now();
    const grantedAt = await budget.acquire();
    // The event loop was busy: the request reached HubSpot up to 400 ms after the grant.
    vi.advanceTimersByTime(400);
    budget.answered(grantedAt);
    const times = await grants(budget, 1);
    expect(times[0]! - start).toBe(1400); // not 1050: HubSpot may have counted it at 400
  });

  it('counts a request answered within the margin from its answer, not from grant + margin', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 1000, windowMarginMs: 50 });
    const start = Date.now();
    const grantedAt = await budget.acquire();
    vi.advanceTimersByTime(30);
    budget.answered(grantedAt);
    const times = await grants(budget, 1);
    expect(times[0]! - start).toBe(1030); // the answer bounds its arrival: the margin is moot
  });

  it('also honours a per-second limit when HubSpot advertises one', async () => {
    const budget = new RateLimitBudget({ max: 100, intervalMs: 10_000, windowMarginMs: 0 });
    budget.observe({ max: 100, intervalMs: 10_000, secondly: 5 });
    const times = await grants(budget, 12);
    expect(peakInWindow(times, 1000)).toBeLessThanOrEqual(5);
  });
});

describe('RateLimitBudget: a request counts until its answer', () => {
  it('keeps a request slower than the window counted until its answer, and wakes waiters then', async () => {
    // The reviewer's case: HubSpot allows 2 per second; two requests take 2.5 s to answer.
    const budget = new RateLimitBudget({ max: 100, intervalMs: 10_000, windowMarginMs: 100 });
    budget.observe({ secondly: 2 });
    const first = [await budget.acquire(), await budget.acquire()];
    await vi.advanceTimersByTimeAsync(2000);
    const later: number[] = [];
    const waiting = [budget.acquire(), budget.acquire()].map((p) =>
      p.then((t) => later.push(t - T0)),
    );
    await vi.advanceTimersByTimeAsync(0);
    // Both may still arrive at HubSpot now: a third and fourth request could make it four.
    expect(later).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    for (const t of first) budget.answered(t);
    // They may have arrived up to now (2500): counted until 2500 + 1000, then the waiters go.
    await vi.advanceTimersByTimeAsync(999);
    expect(later).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(waiting);
    expect(later).toEqual([3500, 3500]);
  });

  it('gives up on a grant never answered after unansweredHoldMs, and ignores unknown answers', async () => {
    const budget = new RateLimitBudget({
      max: 1,
      intervalMs: 1000,
      windowMarginMs: 0,
      unansweredHoldMs: 5000,
    });
    const lost = await budget.acquire(undefined, 'A');
    budget.answered(lost + 1, 'A'); // no such grant
    budget.answered(lost, 'B'); // not B's
    budget.answered(lost); // not the default key's
    let next: number | undefined;
    void budget.acquire(undefined, 'B').then((t) => (next = t - T0));
    await vi.advanceTimersByTimeAsync(4999);
    expect(next).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(next).toBe(5000);
    // An answer after it was given up on adds nothing back (nor does a second one).
    budget.answered(lost, 'A');
    budget.answered(lost, 'A');
    budget.answered(next! + T0, 'B');
    budget.answered(next! + T0, 'B');
    expect(budget.snapshot().used).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(budget.snapshot().used).toBe(0);
    // Nothing is kept for either key (bounded memory).
    expect((budget as unknown as { lanes: Map<string, unknown> }).lanes.size).toBe(0);
  });

  it('rejects an unansweredHoldMs that is not a finite number ≥ 0, naming it', () => {
    expect(() => new RateLimitBudget({ unansweredHoldMs: Infinity })).toThrow(
      /unansweredHoldMs must be a finite number ≥ 0, got Infinity/,
    );
  });

  it('answers and prunes in O(1) amortised: 60 000 grants answered late take milliseconds', async () => {
    const n = 60_000;
    const budget = new RateLimitBudget({ max: n, intervalMs: 10_000, windowMarginMs: 100 });
    budget.observe({ secondly: n });
    const granted = await Promise.all(Array.from({ length: n }, () => budget.acquire()));
    vi.advanceTimersByTime(500);
    const started = realNow();
    // Each answer comes after the margin, so each grant moves to count from its answer.
    for (const t of granted) budget.answered(t);
    vi.advanceTimersByTime(10_500);
    expect(budget.snapshot().used).toBe(0);
    // Well under a second here (a splice per answer took many seconds).
    expect(realNow() - started).toBeLessThan(1000);
  });

  it('never lets HubSpot count more than max in any window, wherever in [grant, answer] each request arrives', async () => {
    type Command =
      { kind: 'acquire'; key: number; latencyMs: number } | { kind: 'tick'; ms: number };
    const command: fc.Arbitrary<Command> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('acquire' as const),
          key: fc.integer({ min: 0, max: 2 }),
          // Mostly normal latencies, some beyond the per-second and the main window.
          latencyMs: fc.oneof(
            { weight: 3, arbitrary: fc.integer({ min: 0, max: 250 }) },
            { weight: 1, arbitrary: fc.integer({ min: 0, max: 5000 }) },
          ),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('tick' as const),
          ms: fc.integer({ min: 1, max: 1500 }),
        }),
      },
    );
    /** The most requests whose possible arrivals [grant, answer] meet one window (T − I, T]. */
    const worst = (
      requests: Array<{ grantedAt: number; answeredAt: number }>,
      intervalMs: number,
    ) =>
      Math.max(
        0,
        ...requests.map(
          ({ grantedAt: T }) =>
            requests.filter((r) => r.grantedAt <= T && T < r.answeredAt + intervalMs).length,
        ),
      );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.integer({ min: 1, max: 4 })),
        fc.constantFrom(0, 50, 100),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.array(command, { maxLength: 80, size: 'medium' }),
        async (max, secondly, windowMarginMs, fairReserve, commands) => {
          vi.setSystemTime(T0);
          const budget = new RateLimitBudget({
            max,
            intervalMs: 3000,
            windowMarginMs,
            fairReserve,
          });
          if (secondly !== null) budget.observe({ secondly });
          const requests: Array<{ grantedAt: number; answeredAt: number }> = [];
          const all: Array<Promise<unknown>> = [];
          for (const c of commands) {
            if (c.kind === 'tick') {
              await vi.advanceTimersByTimeAsync(c.ms);
              continue;
            }
            const key = `k${c.key}`;
            all.push(
              budget.acquire(undefined, key).then((grantedAt) => {
                const request = { grantedAt, answeredAt: Infinity };
                requests.push(request);
                setTimeout(() => {
                  request.answeredAt = Date.now();
                  budget.answered(grantedAt, key);
                }, c.latencyMs);
              }),
            );
          }
          // Every waiter is granted in the end: answers wake them.
          await vi.runAllTimersAsync();
          await Promise.all(all);
          expect(requests).toHaveLength(all.length);
          expect(worst(requests, 3000)).toBeLessThanOrEqual(max);
          if (secondly !== null) expect(worst(requests, 1000)).toBeLessThanOrEqual(secondly);
          // All answered: the window empties and every key is forgotten.
          vi.advanceTimersByTime(3000 + windowMarginMs);
          expect(budget.snapshot().used).toBe(0);
          expect((budget as unknown as { lanes: Map<string, unknown> }).lanes.size).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Takes `n` grants as soon as the budget gives them (not answered); resolves to their times. */
async function take(budget: RateLimitBudget, n: number): Promise<number[]> {
  const all = Array.from({ length: n }, () => budget.acquire());
  await vi.advanceTimersByTimeAsync(0);
  return Promise.all(all);
}

describe('RateLimitBudget: one penalty per 429 burst', () => {
  it('counts the 429s answering requests sent before the first one once, and follows Retry-After', async () => {
    const budget = new RateLimitBudget({
      max: 10,
      intervalMs: 1000,
      windowMarginMs: 0,
      firstBurst: 0,
    });
    const burst = await take(budget, 10);
    vi.advanceTimersByTime(10);
    // All ten come back 429 (another process used the window): one burst.
    for (const grantedAt of burst) {
      budget.answered(grantedAt, undefined, 'failed');
      budget.penalize(500, grantedAt);
    }
    expect(budget.snapshot().effectiveMax).toBe(8); // 10 × 0.8 once, not 10 × 0.8¹⁰ (floor: 2)
    expect(budget.snapshot().pausedUntil).toBe(T0 + 10 + 500);
    // Retry-After is shorter than the window: the next grant waits for the window (the refused
    // requests are still counted: HubSpot may count them), not a multiple of it.
    const next = budget.acquire();
    await vi.advanceTimersByTimeAsync(2000);
    expect((await next) - T0).toBe(1010);
  });

  it('waits no longer than Retry-After when the window has room', async () => {
    const budget = new RateLimitBudget({
      max: 40,
      intervalMs: 2000,
      windowMarginMs: 0,
      firstBurst: 0,
    });
    const burst = await take(budget, 10);
    vi.advanceTimersByTime(5);
    for (const grantedAt of burst) {
      budget.answered(grantedAt);
      budget.penalize(1000, grantedAt);
    }
    // 10 counted, 32 allowed: the retries go when Retry-After is over, all ten of them.
    const retries = Array.from({ length: 10 }, () => budget.acquire());
    await vi.advanceTimersByTimeAsync(1500);
    expect(new Set((await Promise.all(retries)).map((t) => t - T0))).toEqual(new Set([1005]));
  });

  it('recovers with the first success granted after the burst; a later 429 is a new burst', async () => {
    const budget = new RateLimitBudget({
      max: 10,
      intervalMs: 1000,
      windowMarginMs: 0,
      firstBurst: 0,
    });
    const [early, before] = await take(budget, 2);
    vi.advanceTimersByTime(5);
    budget.answered(early!);
    budget.penalize(100, early);
    // A success of a request sent before the 429 proves nothing.
    budget.answered(before!, undefined, 'succeeded');
    expect(budget.snapshot().effectiveMax).toBe(8);
    vi.advanceTimersByTime(100);
    const [after] = await take(budget, 1);
    vi.advanceTimersByTime(5);
    budget.answered(after!, undefined, 'succeeded');
    expect(budget.snapshot().effectiveMax).toBe(10);
    // A 429 for a request granted after the first burst began: a burst of its own.
    const [late] = await take(budget, 1);
    budget.answered(late!);
    budget.penalize(100, late);
    expect(budget.snapshot().effectiveMax).toBe(8);
  });
});

describe('RateLimitBudget: a careful first burst', () => {
  it('sends 10 in the first second until the first headers, then opens up to what they say', async () => {
    const budget = new RateLimitBudget(); // 100 per 10 s: safe per 10 s, not per second
    const first = Array.from({ length: 30 }, () => budget.acquire());
    const times: number[] = [];
    for (const p of first) void p.then((t) => times.push(t - T0));
    await vi.advanceTimersByTimeAsync(200);
    expect(times).toHaveLength(10);
    budget.answered(T0, undefined, 'succeeded');
    budget.observe({ max: 190, remaining: 180, intervalMs: 10_000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(times).toHaveLength(30);
    expect(times.slice(10).every((t) => t === 200)).toBe(true);
  });

  it('keeps a per-second limit the first headers advertise, and counts the first burst in it', async () => {
    const budget = new RateLimitBudget();
    for (const t of await take(budget, 10)) budget.answered(t);
    vi.advanceTimersByTime(100);
    budget.observe({ max: 190, remaining: 180, intervalMs: 10_000, secondly: 12 });
    const more = await take(budget, 2);
    expect(more.map((t) => t - T0)).toEqual([100, 100]);
    const late = budget.acquire();
    await vi.advanceTimersByTimeAsync(1200);
    expect((await late) - T0).toBe(1000); // the first burst's grants, answered at 0, left at 1000
  });

  it('is off with firstBurst: 0 and with adaptive: false', async () => {
    expect(await take(new RateLimitBudget({ firstBurst: 0 }), 30)).toHaveLength(30);
    const fixed = new RateLimitBudget({ adaptive: false });
    expect(new Set(await take(fixed, 30))).toEqual(new Set([T0]));
    expect(() => new RateLimitBudget({ firstBurst: -1 })).toThrow(/firstBurst/);
  });
});

describe('RateLimitBudget: a grant never sent', () => {
  it('frees its slot at once', async () => {
    const budget = new RateLimitBudget({ max: 2, intervalMs: 1000, firstBurst: 0 });
    const [a, b] = await take(budget, 2);
    budget.answered(a!, undefined, 'not-sent');
    expect(budget.snapshot().used).toBe(1);
    expect(await take(budget, 1)).toEqual([T0]);
    budget.answered(b!);
    expect(budget.snapshot().used).toBe(2);
  });
});

describe('RateLimitBudget: dating by HubSpot answers', () => {
  it('compares Remaining with what was counted when the request arrived, not with what is counted at its answer', async () => {
    // Our two requests, nobody else's: A answered fast, B slowly. When B's answer comes, A has
    // left our window, but HubSpot counted A when B arrived. That is not someone else's use.
    const budget = new RateLimitBudget({ max: 3, intervalMs: 1000, windowMarginMs: 0 });
    budget.observe({ max: 3, intervalMs: 1000, remaining: 3 });
    const [a] = await take(budget, 1);
    vi.advanceTimersByTime(50);
    const [b] = await take(budget, 1);
    vi.advanceTimersByTime(50);
    budget.observe({ max: 3, intervalMs: 1000, remaining: 2 }, a, undefined);
    budget.answered(a!, undefined, 'succeeded', 100);
    vi.advanceTimersByTime(1050); // t = 1150: A (answered at 100) has left; B still out
    budget.observe({ max: 3, intervalMs: 1000, remaining: 1 }, b, undefined);
    budget.answered(b!, undefined, 'succeeded', 1100);
    // Only B is counted, not B plus a phantom for A.
    expect(budget.snapshot().used).toBe(1);
  });

  it('still counts others when Remaining shows more than we can have sent', async () => {
    const budget = new RateLimitBudget({ max: 10, intervalMs: 1000, windowMarginMs: 0 });
    const [a] = await take(budget, 1);
    vi.advanceTimersByTime(100);
    // HubSpot saw 4 when A arrived: 3 are someone else's.
    budget.observe({ max: 10, intervalMs: 1000, remaining: 6 }, a, undefined);
    budget.answered(a!, undefined, 'succeeded', 100);
    expect(budget.snapshot().used).toBe(4);
  });

  it('frees a slot one window after the answer less half the shortest round trip', async () => {
    const budget = new RateLimitBudget({
      max: 1,
      intervalMs: 1000,
      windowMarginMs: 0,
      roundTripsBeforeDating: 1,
    });
    const [a] = await take(budget, 1);
    vi.advanceTimersByTime(200);
    budget.answered(a!, undefined, 'succeeded', 200);
    const next = budget.acquire();
    await vi.advanceTimersByTimeAsync(1000);
    // Answered at 200 after a 200 ms round trip: it reached HubSpot by 100 at the latest.
    expect((await next) - T0).toBe(1100);
  });

  it('frees a slot one window after the answer when HubSpot did not answer (a timeout)', async () => {
    const budget = new RateLimitBudget({
      max: 1,
      intervalMs: 1000,
      windowMarginMs: 0,
      roundTripsBeforeDating: 1,
    });
    const [a] = await take(budget, 1);
    vi.advanceTimersByTime(80);
    budget.answered(a!, undefined, 'succeeded', 80); // a shortest round trip is known
    vi.advanceTimersByTime(1000);
    const [b] = await take(budget, 1);
    vi.advanceTimersByTime(2000);
    budget.answered(b!, undefined, 'failed'); // no answer: it may have arrived just now
    let next: number | undefined;
    void budget.acquire().then((t) => (next = t));
    await vi.advanceTimersByTimeAsync(999);
    expect(next).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(next! - (b! + 2000)).toBe(1000);
  });

  it('waits for roundTripsBeforeDating answers before it dates any', async () => {
    const budget = new RateLimitBudget({
      max: 1,
      intervalMs: 1000,
      windowMarginMs: 0,
      roundTripsBeforeDating: 2,
    });
    const [a] = await take(budget, 1);
    vi.advanceTimersByTime(200);
    budget.answered(a!, undefined, 'succeeded', 200); // one round trip: not enough
    let next: number | undefined;
    void budget.acquire().then((t) => (next = t - T0));
    await vi.advanceTimersByTimeAsync(1100);
    expect(next).toBe(1200);
    expect(() => new RateLimitBudget({ roundTripsBeforeDating: 0 })).toThrow(
      /roundTripsBeforeDating must be an integer ≥ 1 or Infinity, got 0/,
    );
  });

  it('holds the slow first answers by the shortest round trip seen later, not by their own', async () => {
    // A cold start: the first request reaches HubSpot 300 ms late (answered at 400 after 400 ms);
    // its own round trip would say it arrived by 200. The later ones take 100 ms: it arrived by
    // 350 at the latest, and its slot frees at 1350, never at 1200.
    const budget = new RateLimitBudget({
      max: 2,
      intervalMs: 1000,
      windowMarginMs: 0,
      roundTripsBeforeDating: 1,
    });
    const [cold] = await take(budget, 1);
    vi.advanceTimersByTime(400);
    budget.answered(cold!, undefined, 'succeeded', 400);
    const [warm] = await take(budget, 1);
    vi.advanceTimersByTime(100);
    budget.answered(warm!, undefined, 'succeeded', 100);
    const next = budget.acquire();
    await vi.advanceTimersByTimeAsync(1000); // t = 1500
    expect((await next) - T0).toBe(1350);
  });

  it.each([0, 5_000, -5_000])(
    "frees a slot one window after HubSpot's startedAt, whatever its clock (HubSpot %i ms ahead)",
    async (skewMs) => {
      const budget = new RateLimitBudget({
        max: 1,
        intervalMs: 1000,
        windowMarginMs: 0,
        roundTripsBeforeDating: 1,
      });
      const [a] = await take(budget, 1);
      vi.advanceTimersByTime(200);
      // HubSpot started on it at 30 and completed it at 170 (its clock: skewMs ahead of ours).
      // Completed before the answer came at 200: its clock reads at most 30 ms more than ours,
      // so it started by 60 of ours (+1 ms for whole-ms stamps), not 100 as half the round
      // trip says.
      budget.answered(a!, undefined, 'succeeded', 200, {
        startedAt: T0 + skewMs + 30,
        completedAt: T0 + skewMs + 170,
      });
      const next = budget.acquire();
      await vi.advanceTimersByTimeAsync(1000);
      expect((await next) - T0).toBe(1061);
    },
  );

  it('dates a stamped answer by the earlier of its stamps and half the shortest round trip', async () => {
    const budget = new RateLimitBudget({
      max: 2,
      intervalMs: 1000,
      windowMarginMs: 0,
      roundTripsBeforeDating: 1,
    });
    const [quick, long] = await take(budget, 2);
    vi.advanceTimersByTime(100);
    // HubSpot says it spent 10 of the 100 ms on it: by the stamps it started by 91, by half the
    // shortest round trip (100) by 50.
    budget.answered(quick!, undefined, 'succeeded', 100, { startedAt: 7, completedAt: 17 });
    vi.advanceTimersByTime(200);
    // 290 of its 300 ms: it started by 11, not 250 (no guard at the answer less r).
    budget.answered(long!, undefined, 'succeeded', 300, { startedAt: 5, completedAt: 295 });
    const next = [budget.acquire(), budget.acquire()];
    await vi.advanceTimersByTimeAsync(1000);
    // long (dated 11) leaves at 1011, before quick (dated 50) at 1050: out of answer order.
    expect((await Promise.all(next)).map((t) => t - T0)).toEqual([1011, 1050]);
  });

  it('ignores stamps without a round trip, before dating begins, or longer than the request was out', async () => {
    const stamps = { startedAt: 0, completedAt: 150 };
    const freed = async (
      roundTripsBeforeDating: number,
      roundTripMs: number | undefined,
      s: { startedAt: number; completedAt: number },
    ) => {
      vi.setSystemTime(T0);
      const budget = new RateLimitBudget({
        max: 1,
        intervalMs: 1000,
        windowMarginMs: 0,
        roundTripsBeforeDating,
      });
      const [a] = await take(budget, 1);
      vi.advanceTimersByTime(200);
      budget.answered(a!, undefined, 'succeeded', roundTripMs, s);
      const next = budget.acquire();
      await vi.advanceTimersByTimeAsync(1200);
      return (await next) - T0;
    };
    expect(await freed(1, 200, stamps)).toBe(1051); // the stamps count
    expect(await freed(1, undefined, stamps)).toBe(1200); // no round trip: the answer
    expect(await freed(2, 200, stamps)).toBe(1200); // not dating yet: the answer
    expect(await freed(1, 200, { startedAt: 0, completedAt: 250 })).toBe(1100); // by r/2
    expect(await freed(1, 200, { startedAt: 150, completedAt: 0 })).toBe(1100); // by r/2
  });

  it('never lets HubSpot count more than max in any window, whatever the cold start, within the stated assumption', async () => {
    // A model of the network: each request leaves at its grant, spends `upMs` (one way, the same
    // both ways) plus, for the first `coldRequests` (fewer than roundTripsBeforeDating), a cold
    // start's `coldMs` on the way there, is counted when it arrives, is processed for `procMs`
    // (no less than half the fastest: p0 to 2·p0) and comes back. The budget is told each answer
    // and its round trip; HubSpot's count is checked at each arrival.
    const request = fc.record({
      key: fc.integer({ min: 0, max: 2 }),
      coldMs: fc.integer({ min: 0, max: 2000 }),
      procShare: fc.double({ min: 0, max: 1, noNaN: true }),
      gapMs: fc.integer({ min: 0, max: 400 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom(0, 50, 100),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(),
        fc.array(request, { maxLength: 60 }),
        async (max, upMs, p0, windowMarginMs, roundTripsBeforeDating, cold, requests) => {
          vi.setSystemTime(T0);
          const intervalMs = 3000;
          const coldRequests = cold % roundTripsBeforeDating;
          const budget = new RateLimitBudget({
            max,
            intervalMs,
            windowMarginMs,
            firstBurst: 0,
            roundTripsBeforeDating,
          });
          const arrivals: number[] = [];
          const all: Array<Promise<unknown>> = [];
          let sent = 0;
          for (const r of requests) {
            const key = `k${r.key}`;
            all.push(
              budget.acquire(undefined, key).then((grantedAt) => {
                const coldMs = sent++ < coldRequests ? r.coldMs : 0;
                const procMs = Math.round(p0 * (1 + r.procShare));
                arrivals.push(grantedAt + upMs + coldMs);
                const roundTrip = 2 * upMs + coldMs + procMs;
                setTimeout(
                  () => budget.answered(grantedAt, key, 'succeeded', roundTrip),
                  roundTrip,
                );
              }),
            );
            await vi.advanceTimersByTimeAsync(r.gapMs);
          }
          await vi.runAllTimersAsync();
          await Promise.all(all);
          arrivals.sort((a, b) => a - b);
          expect(peakInWindow(arrivals, intervalMs)).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("never lets HubSpot count more than max in any window with its stamps, whatever its clock's skew or step back", async () => {
    // The model above, with HubSpot's stamps: its clock reads ours plus `skewMs` (a fraction
    // of a ms included), less `backMs` from `atMs` on (a step back, maybe amid a request), and
    // its stamps are whole ms. It starts on a request at or after counting it (`startShare` of
    // its processing later) and completes it before the answer leaves (`doneShare` of the
    // rest). Some answers carry no stamps. (The ways there and back stay alike: the stamps only
    // ever date a request earlier than its round trip would, so its assumption still holds.)
    const request = fc.record({
      key: fc.integer({ min: 0, max: 2 }),
      coldMs: fc.integer({ min: 0, max: 2000 }),
      procShare: fc.double({ min: 0, max: 1, noNaN: true }),
      startShare: fc.double({ min: 0, max: 1, noNaN: true }),
      doneShare: fc.double({ min: 0, max: 1, noNaN: true }),
      stamped: fc.oneof(
        { weight: 9, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      gapMs: fc.integer({ min: 0, max: 400 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(),
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.option(
          fc.record({
            atMs: fc.integer({ min: 0, max: 15_000 }),
            backMs: fc.oneof(
              fc.integer({ min: 1, max: 300 }),
              fc.integer({ min: 1, max: 100_000 }),
            ),
          }),
        ),
        fc.array(request, { maxLength: 60 }),
        async (max, upMs, p0, roundTripsBeforeDating, cold, skewMs, step, requests) => {
          vi.setSystemTime(T0);
          const intervalMs = 3000;
          const coldRequests = cold % roundTripsBeforeDating;
          const budget = new RateLimitBudget({
            max,
            intervalMs,
            windowMarginMs: 0,
            firstBurst: 0,
            roundTripsBeforeDating,
          });
          /** HubSpot's clock at our time `t`, as it stamps it. */
          const stamp = (t: number) =>
            Math.floor(t + skewMs - (step && t >= T0 + step.atMs ? step.backMs : 0));
          const arrivals: number[] = [];
          const all: Array<Promise<unknown>> = [];
          let sent = 0;
          for (const r of requests) {
            const key = `k${r.key}`;
            all.push(
              budget.acquire(undefined, key).then((grantedAt) => {
                const coldMs = sent++ < coldRequests ? r.coldMs : 0;
                const procMs = Math.round(p0 * (1 + r.procShare));
                const arrival = grantedAt + upMs + coldMs;
                arrivals.push(arrival);
                const started = arrival + r.startShare * procMs;
                const completed = started + r.doneShare * (arrival + procMs - started);
                const stamps = r.stamped
                  ? { startedAt: stamp(started), completedAt: stamp(completed) }
                  : undefined;
                const roundTrip = 2 * upMs + coldMs + procMs;
                setTimeout(
                  () => budget.answered(grantedAt, key, 'succeeded', roundTrip, stamps),
                  roundTrip,
                );
              }),
            );
            await vi.advanceTimersByTimeAsync(r.gapMs);
          }
          await vi.runAllTimersAsync();
          await Promise.all(all);
          arrivals.sort((a, b) => a - b);
          expect(peakInWindow(arrivals, intervalMs)).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 300 },
    );
  });
});
