// Fair turns on the shared rate budget: keys are served round-robin, FIFO within a key, with a
// reserve of the window for keys below their share. Fake timers, as in limiter.test.ts.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DailyLimitReachedError, RateLimitBudget } from '../src/limiter.js';

const T0 = 1_700_000_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Internal state, read only to prove that memory is given back. */
const presentKeys = (budget: RateLimitBudget) =>
  (budget as unknown as { lanes: Map<string, unknown> }).lanes.size;

/**
 * Acquires, and answers at once (as a request answered within the margin): these tests are about
 * turns, and a grant never answered would stay counted past its interval (`unansweredHoldMs`).
 */
function acquire(budget: RateLimitBudget, signal?: AbortSignal, key?: string): Promise<number> {
  return budget.acquire(signal, key).then((t) => {
    budget.answered(t, key);
    return t;
  });
}

/** Acquires under `key` and records `label` in `order` when granted. */
function take(
  budget: RateLimitBudget,
  order: string[],
  key: string | undefined,
  label: string,
  signal?: AbortSignal,
): Promise<number> {
  const granted = acquire(budget, signal, key);
  granted.then(
    () => order.push(label),
    () => {},
  );
  return granted;
}

describe('RateLimitBudget fair turns', () => {
  it('without keys serves waiters first come, first served (unchanged behaviour)', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 1000, windowMarginMs: 0 });
    const order: string[] = [];
    for (const label of ['a1', 'a2', 'b1', 'a3', 'b2']) void take(budget, order, undefined, label);
    await vi.runAllTimersAsync();
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3', 'b2']);
  });

  it('serves keys round-robin, FIFO within a key: one key’s backlog does not go first', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 1000, windowMarginMs: 0 });
    const order: string[] = [];
    for (let i = 0; i < 6; i++) void take(budget, order, 'A', `A${i}`);
    void take(budget, order, 'B', 'B0');
    void take(budget, order, 'B', 'B1');
    void take(budget, order, 'C', 'C0');
    await vi.runAllTimersAsync();
    // A0 found the window free; then A, B and C take turns in the order they started waiting.
    expect(order).toEqual(['A0', 'A1', 'B0', 'C0', 'A2', 'B1', 'A3', 'A4', 'A5']);
  });

  it('puts a key that starts waiting behind the keys already waiting', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 1000, windowMarginMs: 0 });
    const order: string[] = [];
    for (let i = 0; i < 4; i++) void take(budget, order, 'A', `A${i}`);
    void take(budget, order, 'B', 'B0');
    await vi.advanceTimersByTimeAsync(1000); // A1
    void take(budget, order, 'C', 'C0');
    await vi.runAllTimersAsync();
    expect(order).toEqual(['A0', 'A1', 'B0', 'A2', 'C0', 'A3']);
  });

  it('lets an aborted waiter leave its key’s queue; a key with no one left leaves the turns', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 1000, windowMarginMs: 0 });
    const order: string[] = [];
    const b = new AbortController();
    void take(budget, order, 'A', 'A0');
    void take(budget, order, 'A', 'A1');
    const b0 = take(budget, order, 'B', 'B0', b.signal);
    const b1 = take(budget, order, 'B', 'B1', b.signal);
    void take(budget, order, 'C', 'C0');
    void take(budget, order, 'A', 'A2');
    expect(budget.snapshot()).toMatchObject({ waiting: 5, waitingKeys: 3 });
    b.abort(new Error('caller B went away'));
    await expect(b0).rejects.toThrow('caller B went away');
    await expect(b1).rejects.toThrow('caller B went away');
    expect(budget.snapshot()).toMatchObject({ waiting: 3, waitingKeys: 2 });
    await vi.runAllTimersAsync();
    expect(order).toEqual(['A0', 'A1', 'C0', 'A2']);
    // Aborted waiters took no slot: 4 grants, one per second.
    expect(Date.now() - T0).toBe(3000);
  });

  it('forgets a key once it has neither waiters nor grants in the window (bounded memory)', async () => {
    const budget = new RateLimitBudget({ max: 5, intervalMs: 1000, windowMarginMs: 0 });
    const all = Array.from({ length: 200 }, (_, i) => acquire(budget, undefined, `caller-${i}`));
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(presentKeys(budget)).toBeLessThanOrEqual(5); // the last window's keys
    vi.advanceTimersByTime(1000);
    expect(budget.snapshot()).toMatchObject({ used: 0, waiting: 0, waitingKeys: 0 });
    expect(presentKeys(budget)).toBe(0);
  });

  it('refuses the waiters of every key once the daily limit is reached', async () => {
    const budget = new RateLimitBudget({ max: 1, intervalMs: 60_000 });
    await acquire(budget, undefined, 'A');
    const waiting = [acquire(budget, undefined, 'A'), acquire(budget, undefined, 'B')];
    budget.exhaust(Date.now() + 3_600_000);
    for (const w of waiting) await expect(w).rejects.toBeInstanceOf(DailyLimitReachedError);
    expect(budget.snapshot()).toMatchObject({ waiting: 0, waitingKeys: 0 });
  });

  describe('pacing and reserve, with two or more keys', () => {
    /** A heavy key fills the window alone; a light key comes, then asks again every 200 ms. */
    const heavyThenLight = async (fairReserve: number) => {
      const budget = new RateLimitBudget({
        max: 20,
        intervalMs: 1000,
        windowMarginMs: 0,
        fairReserve,
        firstBurst: 0, // as if the headers had been read: fairness, not the first burst
      });
      const heavyTimes: number[] = [];
      const heavy = Array.from({ length: 100 }, () =>
        acquire(budget, undefined, 'heavy').then((t) => heavyTimes.push(t - T0)),
      );
      await vi.advanceTimersByTimeAsync(100);
      const first = acquire(budget, undefined, 'light');
      await vi.advanceTimersByTimeAsync(900); // the window rolls over: turns begin
      const firstAt = (await first) - T0;
      const waits: number[] = [];
      for (let i = 0; i < 4; i++) {
        await vi.advanceTimersByTimeAsync(200);
        const askedAt = Date.now();
        let grantedAt: number | undefined;
        void acquire(budget, undefined, 'light').then((t) => (grantedAt = t));
        await vi.advanceTimersByTimeAsync(0);
        waits.push(grantedAt === undefined ? Infinity : grantedAt - askedAt);
      }
      await vi.runAllTimersAsync();
      await Promise.all(heavy);
      return { firstAt, waits, heavyTimes };
    };

    it('a lone key gets the whole window at once', async () => {
      const budget = new RateLimitBudget({
        max: 20,
        intervalMs: 1000,
        windowMarginMs: 0,
        firstBurst: 0,
      });
      const times: number[] = [];
      const all = Array.from({ length: 40 }, () =>
        acquire(budget, undefined, 'alone').then((t) => times.push(t - T0)),
      );
      await vi.runAllTimersAsync();
      await Promise.all(all);
      expect(times.filter((t) => t === 0)).toHaveLength(20);
      expect(times.filter((t) => t === 1000)).toHaveLength(20);
    });

    it('paces a key above its share while another key is present: the other finds a slot at once', async () => {
      for (const fairReserve of [0, 0.25]) {
        vi.setSystemTime(T0);
        const { firstAt, waits, heavyTimes } = await heavyThenLight(fairReserve);
        // The light key came when the heavy one had taken the whole window alone: it waited for
        // the roll-over, and was served in the first turns…
        expect(firstAt).toBe(1000);
        // …after which the heavy key's grants are spread (its equal share of 10, then paced), not
        // all taken at 1000 again…
        expect(heavyTimes.filter((t) => t === 1000).length).toBeLessThanOrEqual(11);
        expect(heavyTimes.filter((t) => t > 1000 && t < 2000).length).toBeGreaterThan(0);
        // …so the light key's next requests find a slot at once: with pacing alone early in the
        // window, and all of them with a reserve that covers its use (4 of 20 here).
        if (fairReserve === 0) expect(waits.slice(0, 2)).toEqual([0, 0]);
        else expect(waits).toEqual([0, 0, 0, 0]);
      }
    });

    it('keeps the reserve from a key above its share while another is present: 2 slots as the window re-opens, fewer if fairReserve says so', async () => {
      const usedBy = async (fairReserve: number) => {
        vi.setSystemTime(T0);
        const budget = new RateLimitBudget({
          max: 20,
          intervalMs: 1000,
          windowMarginMs: 0,
          fairReserve,
          firstBurst: 0,
        });
        await acquire(budget, undefined, 'light');
        const heavy = Array.from({ length: 40 }, () => acquire(budget, undefined, 'heavy'));
        await vi.advanceTimersByTimeAsync(999);
        const used = budget.snapshot().used;
        await vi.runAllTimersAsync();
        await Promise.all(heavy);
        return used;
      };
      // Below the cap, one slot less: the heavy key's last slot is paced to when the oldest
      // grant leaves (at 1000).
      expect(await usedBy(0.25)).toBe(17); // 2 kept free as the oldest is about to leave, not 5
      expect(await usedBy(0.05)).toBe(18); // a share of 1 slot
      expect(await usedBy(0)).toBe(19);
    });

    /**
     * Four jobs at the ceiling (HubSpot's 190 per 10 s) and an editor taking one slot every 2 s:
     * the jobs' grants and the editor's, per 10 s of the run, with when each edit asked and was
     * served. Every grant is answered at once (it counts for exactly one interval).
     */
    const jobsAndEditor = async (seconds: number) => {
      const budget = new RateLimitBudget({
        max: 190,
        intervalMs: 10_000,
        windowMarginMs: 0,
        firstBurst: 0,
      });
      const jobs = ['job1', 'job2', 'job3', 'job4'];
      const perWindow = Array.from({ length: seconds / 10 }, () => ({ jobs: 0, edits: 0 }));
      const slot = (t: number) => perWindow[Math.floor((t - T0) / 10_000)];
      const controller = new AbortController();
      for (let i = 0; i < 400; i++)
        for (const job of jobs)
          acquire(budget, controller.signal, job).then(
            (t) => slot(t) && slot(t)!.jobs++,
            () => {},
          );
      const edits: Array<{ askedAt: number; grantedAt?: number }> = [];
      for (let k = 0; k < seconds / 2; k++) {
        await vi.advanceTimersByTimeAsync(k === 0 ? 1000 : 2000);
        const edit: (typeof edits)[number] = { askedAt: Date.now() };
        edits.push(edit);
        void acquire(budget, undefined, 'editor').then((t) => {
          edit.grantedAt = t;
          slot(t)!.edits++;
        });
      }
      await vi.advanceTimersByTimeAsync(T0 + seconds * 1000 - Date.now());
      controller.abort(new Error('run over'));
      await vi.runAllTimersAsync();
      return { perWindow, edits, budget };
    };

    it('leaves no slot unused that no light key needs: jobs at the ceiling with a light editor', async () => {
      const { perWindow, edits } = await jobsAndEditor(60);
      // In every 10 s, the jobs together take at least 95% of what the editor leaves (183 of
      // 185 here; the old reserve of 10% of the window left them 166).
      for (const { jobs, edits: taken } of perWindow) {
        expect(jobs + taken).toBeLessThanOrEqual(190);
        expect(jobs).toBeGreaterThanOrEqual(0.95 * (190 - taken));
      }
      // The editor still finds a slot at once every time it asks.
      expect(edits.every((e) => e.grantedAt === e.askedAt)).toBe(true);
    });

    it('gives a key that comes while four jobs hold the window a slot at once, then every slot that frees', async () => {
      const budget = new RateLimitBudget({
        max: 190,
        intervalMs: 10_000,
        windowMarginMs: 0,
        firstBurst: 0,
      });
      const controller = new AbortController();
      const jobGrants: number[] = [];
      for (let i = 0; i < 300; i++)
        for (const job of ['job1', 'job2', 'job3', 'job4'])
          acquire(budget, controller.signal, job).then(
            (t) => jobGrants.push(t),
            () => {},
          );
      await vi.advanceTimersByTimeAsync(15_000);
      // The jobs take all but the reserve (2), their last slot paced to when the next one leaves:
      // the window is as full as they may make it.
      expect(budget.snapshot().used).toBeGreaterThanOrEqual(187);
      const askedAt = Date.now();
      const newcomer: number[] = [];
      for (let i = 0; i < 4; i++)
        void acquire(budget, undefined, 'newcomer').then((t) => newcomer.push(t));
      await vi.advanceTimersByTimeAsync(5_000);
      controller.abort(new Error('run over'));
      await vi.runAllTimersAsync();
      expect(newcomer).toHaveLength(4);
      // The bound: its first 2 requests at once (the reserve); each further one no later than
      // the next slot to leave the window after it asked (the jobs are held back meanwhile).
      expect(newcomer.slice(0, 2)).toEqual([askedAt, askedAt]);
      const leaving = jobGrants
        .map((t) => t + 10_000)
        .filter((t) => t > askedAt)
        .sort((a, b) => a - b);
      expect(newcomer[2]).toBeLessThanOrEqual(leaving[0]!);
      expect(newcomer[3]).toBeLessThanOrEqual(leaving[1]!);
      expect(jobGrants.filter((t) => t >= askedAt && t < newcomer[3]!)).toEqual([]);
    });

    it('rejects a reserve outside 0–0.5, naming it', () => {
      expect(() => new RateLimitBudget({ fairReserve: 0.8 })).toThrow(
        /fairReserve must be between 0 and 0.5, got 0.8/,
      );
    });
  });

  describe('properties', () => {
    type Command =
      | { kind: 'acquire'; key: number; abortable: boolean }
      | { kind: 'abort'; pick: number }
      | { kind: 'tick' };
    const command: fc.Arbitrary<Command> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('acquire' as const),
          key: fc.integer({ min: 0, max: 3 }),
          abortable: fc.boolean(),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const) }) },
    );

    it('every waiter is granted once or rejected on abort; keys alternate; none waits more than one turn per other key', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
          vi.setSystemTime(T0);
          // One grant per 100 ms tick, so the order of grants is the order of turns.
          const budget = new RateLimitBudget({
            max: 1,
            intervalMs: 100,
            windowMarginMs: 0,
            fairReserve: 0,
          });
          interface Entry {
            seq: number;
            key: number;
            controller?: AbortController;
            aborted: boolean;
            settled: Array<'granted' | 'rejected'>;
          }
          const entries: Entry[] = [];
          const grants: Entry[] = [];
          // A reference model: plain arrays, a queue per key, keys in turn order.
          const model = { queues: new Map<number, Entry[]>(), turns: [] as number[], free: true };
          const modelGrants: Entry[] = [];
          const modelServe = () => {
            if (!model.free || model.turns.length === 0) return;
            const key = model.turns.shift()!;
            const queue = model.queues.get(key)!;
            modelGrants.push(queue.shift()!);
            if (queue.length) model.turns.push(key);
            model.free = false;
          };
          for (const c of commands) {
            if (c.kind === 'acquire') {
              const entry: Entry = { seq: entries.length, key: c.key, aborted: false, settled: [] };
              if (c.abortable) entry.controller = new AbortController();
              entries.push(entry);
              acquire(budget, entry.controller?.signal, `key-${c.key}`).then(
                () => {
                  entry.settled.push('granted');
                  grants.push(entry);
                },
                () => entry.settled.push('rejected'),
              );
              const queue = model.queues.get(c.key) ?? [];
              model.queues.set(c.key, queue);
              if (queue.length === 0) model.turns.push(c.key);
              queue.push(entry);
              modelServe();
            } else if (c.kind === 'abort') {
              const abortable = entries.filter((e) => e.controller && !e.aborted);
              if (abortable.length === 0) continue;
              const entry = abortable[c.pick % abortable.length]!;
              entry.aborted = true;
              entry.controller!.abort(new Error('gone'));
              const queue = model.queues.get(entry.key)!;
              const at = queue.indexOf(entry);
              if (at >= 0) {
                queue.splice(at, 1);
                if (queue.length === 0) model.turns.splice(model.turns.indexOf(entry.key), 1);
              }
            } else {
              await vi.advanceTimersByTimeAsync(100);
              model.free = true;
              modelServe();
            }
          }
          await vi.runAllTimersAsync();
          while (!model.free || model.turns.length) {
            model.free = true;
            modelServe();
          }

          // Each waiter settles exactly once: granted, or rejected because it was aborted first.
          for (const e of entries) {
            expect(e.settled).toHaveLength(1);
            if (e.settled[0] === 'rejected') expect(e.aborted).toBe(true);
          }
          // The same turns as the reference model.
          expect(grants.map((e) => e.seq)).toEqual(modelGrants.map((e) => e.seq));
          // FIFO within a key.
          for (let key = 0; key < 4; key++) {
            const seqs = grants.filter((e) => e.key === key).map((e) => e.seq);
            expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          }
          // Nothing left behind.
          expect(budget.snapshot()).toMatchObject({ waiting: 0, waitingKeys: 0 });
        }),
        { numRuns: 150 },
      );
    });

    it('no key starves: while a key waits, each other key is served at most once before it', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 12 })), {
            minLength: 1,
            maxLength: 8,
          }),
          async (bursts) => {
            vi.setSystemTime(T0);
            const budget = new RateLimitBudget({
              max: 1,
              intervalMs: 100,
              windowMarginMs: 0,
              fairReserve: 0,
            });
            // Each grant with when its waiter asked and when it was served, on one counter.
            let clock = 0;
            const order: Array<{ key: number; askedAt: number; grantedAt: number }> = [];
            const all: Array<Promise<unknown>> = [];
            // Bursts arrive one tick apart, each a key asking for several slots at once.
            for (const [key, count] of bursts) {
              for (let i = 0; i < count; i++) {
                const askedAt = ++clock;
                all.push(
                  budget
                    .acquire(undefined, `k${key}`)
                    .then(() => order.push({ key, askedAt, grantedAt: ++clock })),
                );
              }
              await vi.advanceTimersByTimeAsync(100);
            }
            await vi.runAllTimersAsync();
            await Promise.all(all);
            expect(order).toHaveLength(bursts.reduce((n, [, c]) => n + c, 0));
            // Between two grants to a key that kept waiting, no other key is served twice.
            for (let i = 0; i < order.length; i++) {
              const key = order[i]!.key;
              const next = order.findIndex((g, j) => j > i && g.key === key);
              if (next < 0 || order[next]!.askedAt > order[i]!.grantedAt) continue;
              const between = order.slice(i + 1, next).map((g) => g.key);
              expect(new Set(between).size).toBe(between.length);
            }
          },
        ),
        { numRuns: 100 },
      );
    });

    it('never grants more than max in any rolling interval, whatever the keys and reserve', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 30 }),
          fc.double({ min: 0, max: 0.5, noNaN: true }),
          fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 120 }),
          async (max, fairReserve, keys) => {
            vi.setSystemTime(T0);
            const budget = new RateLimitBudget({
              max,
              intervalMs: 1000,
              windowMarginMs: 0,
              fairReserve,
            });
            const times: number[] = [];
            const all = keys.map((k) =>
              acquire(budget, undefined, `k${k}`).then((t) => times.push(t)),
            );
            await vi.runAllTimersAsync();
            await Promise.all(all);
            expect(times).toHaveLength(keys.length);
            times.sort((a, b) => a - b);
            let peak = 0;
            for (let i = 0, j = 0; j < times.length; j++) {
              while (times[j]! - times[i]! >= 1000) i++;
              peak = Math.max(peak, j - i + 1);
            }
            expect(peak).toBeLessThanOrEqual(max);
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});
