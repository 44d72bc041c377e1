import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DailyLimitReachedError, RateLimitBudget } from '../src/limiter.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Acquires `n` grants as fast as the budget allows; returns the grant times. */
async function grants(budget: RateLimitBudget, n: number, signal?: AbortSignal): Promise<number[]> {
  const times: number[] = [];
  const all = Array.from({ length: n }, () => budget.acquire(signal).then((t) => times.push(t)));
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

  it('grants the first max at once and the next one when the first leaves the window (plus margin)', async () => {
    const budget = new RateLimitBudget({ max: 3, intervalMs: 1000, windowMarginMs: 50 });
    const start = Date.now();
    const times = await grants(budget, 4);
    expect(times.map((t) => t - start)).toEqual([0, 0, 0, 1050]);
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
    await budget.acquire();
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

  it('changes nothing for a request answered within the margin', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 1000, windowMarginMs: 50 });
    const start = Date.now();
    const grantedAt = await budget.acquire();
    vi.advanceTimersByTime(30);
    budget.answered(grantedAt);
    const times = await grants(budget, 1);
    expect(times[0]! - start).toBe(1050);
  });

  it('also honours a per-second limit when HubSpot advertises one', async () => {
    const budget = new RateLimitBudget({ max: 100, intervalMs: 10_000, windowMarginMs: 0 });
    budget.observe({ max: 100, intervalMs: 10_000, secondly: 5 });
    const times = await grants(budget, 12);
    expect(peakInWindow(times, 1000)).toBeLessThanOrEqual(5);
  });
});
