// One request budget per HubSpot token: every concurrent run on the same client draws from
// it, so the project itself never causes a 429. It starts from a budget that is safe on any
// tier, then follows what HubSpot's rate-limit headers advertise.
//
// Waiters take turns by fairness key (the caller, tenant or job owner a request is made for):
// keys are served round-robin, FIFO within a key, so one key's hundred queued chunks do not go
// before another key's one.
//
// How long a request counts. HubSpot counts a request when it arrives, at some time A between
// our grant g and its answer a (A is never known). A request is counted here for as long as
// it has no answer, then until A' + interval, where A' ≥ A is the latest time it can have
// arrived: at first its answer a, which is always safe. This is never over HubSpot's limit: take any HubSpot window (T − interval, T] and, of
// the requests that arrived in it, the one granted last, at g0 ≤ its arrival ≤ T. Every other
// one was granted at or before g0 and arrived after T − interval, so at g0 it was either
// unanswered or answered with A' ≥ its arrival, i.e. still counted until A' + interval > T ≥ g0:
// all were counted at g0, and a grant is only made below max. The margin only serves a caller
// that never answers: with `unansweredHoldMs` 0, a grant counts until g + interval + margin.
// A grant never answered is given up on after `unansweredHoldMs`.
//
// Dating by round trips. Counting from the answer costs one latency per slot and window: over
// a long job at HubSpot's ceiling, each window re-opens one latency after HubSpot's does. When
// HubSpot answered (any status) and the caller passed the round trip, A' is the answer less
// half the shortest round trip seen (r): a request spends at least r/2 after arriving (HubSpot's
// processing and the way back) as long as the way there is no slower than the way back and
// HubSpot takes no less than half of the fastest processing seen. One-off delays on the way
// there (a cold connection, a token refresh) lengthen the round trip they are in, not r, so
// they are covered (the client times a round trip from when the request leaves, its token in
// hand; for a plain openapi-fetch client the runner times it from just before the call); what
// would not be is a run whose every round trip so far was slowed on its way, so
// dating begins only after `roundTripsBeforeDating` answers (100), and r is read when a slot
// is due, not when it was answered: a cold start's first answers are dated by the round trips
// that came after them. Without a round trip (a timeout, a broken connection, a caller that
// does not measure) A' is the answer. Not a request's own round trip: a cold start's delay is on
// the way there (300 ms there, 100 ms after arriving: half its own round trip dates it 100 ms
// before it arrived), and no round trip tells the way there from the rest, so r/2 is the tightest
// dating the assumption allows. Its price: a slot re-opens the request's time after arriving,
// less r/2, after HubSpot's (about 100 ms per window at 80–200 ms of processing).
//
// Dating by HubSpot's stamps. A batch answer says when HubSpot started on the request and when
// it completed it (`startedAt`, `completedAt`: its clock, whole ms). Let o be HubSpot's clock
// less ours. completedAt was stamped before the answer left, so o ≥ completedAt − a (a: when we
// have the answer). If HubSpot counts a request no later than it stamps startedAt (its edge
// counts a request before its service starts on it), A ≤ startedAt − o ≤ a − (completedAt −
// startedAt), plus 1 ms as both stamps are whole ms: the answer less HubSpot's own time on the
// request, in which o cancels out. Once round trips date slots, a stamped answer's A' is the
// earlier of that and a − r/2 (never before the grant: HubSpot's time on a request is taken
// only when no longer than the request was out; otherwise, or without both stamps, as for a
// 204, an error or a 429, the round trip alone dates it). On the simulator a slot so re-opens
// a millisecond or two after HubSpot's instead of ~100 ms.
// o is bounded by this answer alone, not by the largest completedAt − a over recent answers:
// that would win only the way back's jitter (its least is lost either way) and let in three
// hazards: HubSpot's hosts need not share one clock, so a bound learnt from one host's answer
// need not hold for another's; a clock step (HubSpot's back, or ours forward) lowers o and
// leaves a remembered bound too high for as long as it is remembered, unnoticed when the step
// is under a round trip (o is only known to within one); and there is nothing to forget. A step
// within one request only moves that request's A': HubSpot's clock stepping back makes it later
// (safe), stepping forward earlier by the step (a request whose stated time exceeds its round
// trip is dated by its round trip). A step of our own clock moves grants and answers too, as it
// always did.
// If HubSpot stamped startedAt before counting the request (counted it later on, or held it in
// between), a slot could re-open as much as that gap before HubSpot's, at most HubSpot's time on
// the request (it counted it before completing it); a 429 would then follow, met as any other
// (pause and penalty). No guard is kept against it: "never before a − r" (r: the shortest round
// trip) cost most of the gain (slots re-open max(0, p − r) after HubSpot's, p its processing:
// ~60 ms in the simulator against ~1 ms) and does not cover a hold longer than the time after
// counting, nor round trips slower on the way there: on the simulator, with stamps taken 300 ms
// before counting, it still let a 429 through. The Redis budget takes no stamps: there every
// answer is dated by its round trip (safe; slots re-open as they did).
//
// The first burst. Until HubSpot's rate-limit headers have been read (the first answer), the
// budget knows nothing of the account: it lets only `firstBurst` requests go per second (10:
// what every tier allows in one second), through a provisional per-second window. The first
// headers replace it: by HubSpot's own per-second limit when they advertise one, else by none.
//
// 429 bursts. A 429 that still arrives (another process on the token, a clock HubSpot reads
// differently) pauses every grant for its Retry-After (or until the window clears) and lowers
// the budget to 0.8 of the advertised max, once per burst: the 429s answering requests that were
// granted before the burst's first 429 arrived are the same burst, and neither lower it again
// nor stretch the pause beyond their own Retry-After. The first success of a request granted
// after the burst began lifts the penalty.
//
// Cost: O(1) amortised per grant and expiry (FIFO queues pruned from the front in time order;
// an answer that moves a grant leaves a tombstone behind), O(log n) per answer (answered
// grants leave by A', which stamps put in another order than the answers': a heap), except the
// choice of key while heavy keys are held back (reserve in use or paced): O(keys waiting), as
// held-back lanes keep their place in the ring and are scanned past.
import type { RateLimitInfo } from '@campaigns/hubspot-client';
import type { GrantOutcome, RateBudget, ServerStamps } from './budget.js';

/** The key of every acquire that names none: without keys the budget is one FIFO queue. */
export const DEFAULT_FAIRNESS_KEY = '';

/**
 * The least of the fair reserve, in slots (fewer only if `fairReserve` allows fewer): while two
 * or more keys are present, a key at or above its share may not take the window's last this
 * many free slots even as the window re-opens (see `unreserved`). Enough for a key that comes
 * to find a slot at once; small enough that almost none of the window goes unused while no
 * such key needs it. The Redis budget's script follows the same rule with this number.
 */
export const FAIR_RESERVE_SLOTS = 2;

export interface RateLimitBudgetOptions {
  /** Requests per interval before HubSpot's headers say otherwise. Default 100 (safe on every tier). */
  max?: number;
  /** Interval of the rolling window in ms. Default 10 000. */
  intervalMs?: number;
  /**
   * Extra time a grant that is never answered stays in the window past its interval, in ms
   * (only with `unansweredHoldMs` 0: otherwise it counts until its answer or the hold). HubSpot
   * counts a request when it arrives, which can be a little later than when we sent it; an
   * answered request is counted from its answer, which bounds that. Default 100.
   */
  windowMarginMs?: number;
  /** Follow `X-HubSpot-RateLimit-*` headers (raise or lower max, count other clients' use). Default true. */
  adaptive?: boolean;
  /**
   * Share of the window (0–0.5) that light keys are assumed to need per interval: while another
   * key is present (waiting, or with grants still counted), a key at or above its share may not
   * take what they could need until the window next frees a slot, this whole share while that
   * is an interval away, shrinking to `FAIR_RESERVE_SLOTS` (2) as a slot is about to free (0: no
   * reserve). So a key that comes while two or more are using the budget, or one using little,
   * finds a free slot at once instead of waiting for the window to re-open, and the keys above
   * their share still take all but 2 slots as it does. Only with two or more keys present: a
   * lone key always gets the whole window, so a key that comes after a lone key has filled the
   * window waits for the window to roll over, once. Default 0.1.
   */
  fairReserve?: number;
  /**
   * How long, from its grant, a grant that is never `answered()` stays counted at most, in ms.
   * An unanswered request is counted beyond its interval because HubSpot may count it as late
   * as its answer; this bounds that, so a lost answer cannot hold a slot forever. Safe as long
   * as requests reach HubSpot within this time minus the interval (the HubSpot client times
   * out after 30 s, and the runner answers every grant, failed or not). 0: an unanswered grant
   * counts only for the interval plus the margin. Default 60 000.
   */
  unansweredHoldMs?: number;
  /**
   * Requests per second until HubSpot's first rate-limit headers have been read (then the
   * headers decide). Default 10, what every HubSpot tier allows in one second; 0: none (the
   * first burst may take the whole of `max`). Only with `adaptive`.
   */
  firstBurst?: number;
  /**
   * How many requests HubSpot must have answered (each `answered()` with its round trip)
   * before the budget counts answered requests from half the shortest round trip before their
   * answer instead of from the answer (see the top of this file): enough that the fastest of
   * them was not slowed on its way by a cold start. Default 100; `Infinity`: never, every
   * request counts from its answer.
   */
  roundTripsBeforeDating?: number;
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
  /** Its grants still counted in the main window (queued, in flight or late). */
  inWindow: number;
  /** Its grants not yet answered (their main-window entries), by grant time. */
  unanswered: Map<number, Entry[]>;
  /** Neighbours in the ring of turns (only while `inRing`). */
  prev: Lane | undefined;
  next: Lane | undefined;
  inRing: boolean;
}

/** Where an entry is counted: see `Window`. */
type Place = 'queued' | 'inFlight' | 'late' | 'gone';

/** One grant as one window counts it. */
interface Entry {
  grantedAt: number;
  /** When its answer came (or it failed); undefined until then. See `arrivedBy`. */
  answeredAt: number | undefined;
  /** Its answer was HubSpot's (a response, whatever its status). */
  viaHubSpot: boolean;
  /** HubSpot's own time on it (completedAt − startedAt), when the answer said; see `arrivedBy`. */
  serverMs: number | undefined;
  /** While `late`: `arrivedBy` as last computed, its key in `Window.late`. */
  due: number;
  place: Place;
  /** Whom it was granted to (main window only; undefined: others' use seen through headers). */
  lane: Lane | undefined;
  /** The same grant in the per-second window, if there was one when it was granted. */
  twin: Entry | undefined;
  /** The per-second window `twin` is counted in (it may have been replaced since). */
  twinWindow: Window | undefined;
  /**
   * Right after its grant: the window's `used` and `admitted` (main window only). What HubSpot
   * can have counted when this request arrived is at most `usedAtGrant` plus what was admitted
   * since (see `observe`).
   */
  usedAtGrant: number;
  admittedAtGrant: number;
}

/**
 * A rolling window. An entry is `queued` from its grant; at grantedAt + interval + margin it
 * leaves, or, still unanswered, goes `inFlight`. An answer (whenever it comes) makes it `late`
 * (from `queued` or `inFlight`): it leaves at `arrivedBy` + interval. An entry unanswered at
 * grantedAt + unansweredHoldMs leaves. `queued` and `inFlight` are in the order their entries
 * leave, `late` is a heap by `due`; an entry that moved on stays behind in the old one as a
 * tombstone (skipped when it reaches the front).
 */
interface Window {
  max: number;
  intervalMs: number;
  /** In grant order. */
  queued: Fifo<Entry>;
  /** Past their interval but not answered, in grant order. */
  inFlight: Fifo<Entry>;
  /** Answered, by `due` (earliest first). */
  late: DueHeap;
  /** Entries counted (queued, in flight and late). */
  used: number;
  /** Entries ever admitted. */
  admitted: number;
}

/** A first-in-first-out queue with O(1) amortised push and shift. */
class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;

  peek(): T | undefined {
    return this.items[this.head];
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): void {
    if (this.head >= this.items.length) return;
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * A binary min-heap of entries by `due`. A key may have gone stale: `prune` looks again at the
 * top before it lets it leave (a key only ever moves later, but when dating begins: then every
 * key is recomputed, see `redate`).
 */
class DueHeap {
  private items: Entry[] = [];

  peek(): Entry | undefined {
    return this.items[0];
  }

  push(entry: Entry): void {
    const items = this.items;
    let i = items.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.due <= entry.due) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): Entry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) this.sink(last, 0);
    return top;
  }

  /** Computes every key again (`key` may move keys earlier) and restores the heap: O(n). */
  rekey(key: (entry: Entry) => number): void {
    for (const entry of this.items) entry.due = key(entry);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.sink(this.items[i]!, i);
  }

  private sink(entry: Entry, from: number): void {
    const items = this.items;
    const n = items.length;
    let i = from;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1]!.due < items[child]!.due) child++;
      if (items[child]!.due >= entry.due) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = entry;
  }
}

const newWindow = (max: number, intervalMs: number): Window => ({
  max,
  intervalMs,
  queued: new Fifo(),
  inFlight: new Fifo(),
  late: new DueHeap(),
  used: 0,
  admitted: 0,
});

/** A rolling-window request budget shared by everything that calls HubSpot with one token. */
export class RateLimitBudget implements RateBudget {
  private readonly main: Window;
  private secondly: Window | undefined;
  private readonly marginMs: number;
  private readonly holdMs: number;
  private readonly adaptive: boolean;
  private readonly fairReserve: number;
  private readonly now: () => number;
  /** Lowered once per 429 burst, lifted by the first success granted after it. */
  private penalty = 1;
  /** When the current 429 burst's first 429 arrived (see the top of this file). */
  private burstStartedAt: number | undefined;
  /** `secondly` is the first burst's provisional window: no rate-limit header read yet. */
  private provisional = false;
  private pausedUntil = 0;
  private exhaustedUntil = 0;
  /** The next grant to a heavy key waits until then (see `pace`). */
  private pacedUntil = 0;
  /** The shortest round trip of a request HubSpot answered so far, in ms, and how many there were. */
  private shortestRoundTrip = Infinity;
  private roundTrips = 0;
  private readonly roundTripsBeforeDating: number;
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
    const holdMs = options.unansweredHoldMs ?? 60_000;
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`rate budget max must be a positive integer, got ${max}`);
    if (!(intervalMs > 0))
      throw new RangeError(`rate budget intervalMs must be positive, got ${intervalMs}`);
    if (!(fairReserve >= 0 && fairReserve <= 0.5))
      throw new RangeError(`rate budget fairReserve must be between 0 and 0.5, got ${fairReserve}`);
    if (!(Number.isFinite(holdMs) && holdMs >= 0))
      throw new RangeError(
        `rate budget unansweredHoldMs must be a finite number ≥ 0, got ${holdMs}`,
      );
    const firstBurst = options.firstBurst ?? 10;
    if (!(Number.isInteger(firstBurst) && firstBurst >= 0))
      throw new RangeError(`rate budget firstBurst must be an integer ≥ 0, got ${firstBurst}`);
    this.main = newWindow(max, intervalMs);
    this.adaptive = options.adaptive ?? true;
    if (this.adaptive && firstBurst > 0) {
      this.secondly = newWindow(firstBurst, 1000);
      this.provisional = true;
    }
    const roundTrips = options.roundTripsBeforeDating ?? 100;
    if (!((Number.isInteger(roundTrips) && roundTrips >= 1) || roundTrips === Infinity))
      throw new RangeError(
        `rate budget roundTripsBeforeDating must be an integer ≥ 1 or Infinity, got ${roundTrips}`,
      );
    this.roundTripsBeforeDating = roundTrips;
    this.holdMs = holdMs;
    this.marginMs = options.windowMarginMs ?? 100;
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
   * window others (other processes with the same token) have used. `grantedAt` (and its key):
   * the grant of the request the headers answer, still unanswered (call this before
   * `answered`), so that its count is compared with ours when it arrived, not with ours now.
   */
  observe(
    info: RateLimitInfo,
    grantedAt?: number,
    fairnessKey: string = DEFAULT_FAIRNESS_KEY,
  ): void {
    if (!this.adaptive) return;
    const now = this.now();
    if (this.provisional && ((info.max ?? 0) > 0 || (info.secondly ?? 0) > 0)) {
      // The account has spoken: its own per-second limit, if it has one, replaces the first burst's.
      this.provisional = false;
      if (!(info.secondly && info.secondly > 0)) this.secondly = undefined;
    }
    if (info.intervalMs && info.intervalMs > 0) this.main.intervalMs = info.intervalMs;
    if (info.max && info.max > 0) this.main.max = info.max;
    if (info.secondly && info.secondly > 0) {
      this.secondly ??= newWindow(info.secondly, 1000);
      this.secondly.max = info.secondly;
    }
    if (info.max && info.remaining !== undefined) {
      // HubSpot saw (max − remaining) requests in its window when this one arrived; if that is
      // more than we can have sent, someone else shares the token: count their use as if we
      // had sent it now. What we can have sent: everything counted at this request's grant
      // (its arrival came later) plus everything admitted since. Compared with our count now
      // instead, grants that left our window between its arrival and its answer would pass
      // for someone else's and hold a slot for a whole window.
      this.prune(this.main, now);
      const entry =
        grantedAt === undefined
          ? undefined
          : this.lanes.get(fairnessKey)?.unanswered.get(grantedAt)?.[0];
      const ours = entry
        ? entry.usedAtGrant + (this.main.admitted - entry.admittedAtGrant)
        : this.main.used;
      const unseen = info.max - info.remaining - ours;
      for (let i = 0; i < unseen; i++) this.admit(this.main, this.entry(now, undefined, now));
    }
    this.reschedule();
  }

  /**
   * The request granted at `grantedAt` (what `acquire` resolved with) was answered, or failed,
   * now. Call it once per grant, whatever the outcome: until then the grant is counted even
   * past its interval (HubSpot may count it as late as its answer), up to `unansweredHoldMs`;
   * after it, until the later of now plus the interval and its grant plus interval and margin
   * (see the top of this file). An unknown grant (already answered, or given up on) is ignored.
   * `'not-sent'`: the request never left (the run stopped first), its slot is free at once;
   * `'succeeded'`: also lifts the penalty of a 429 burst that began before this grant.
   * `stamps` (with `roundTripMs`): HubSpot's startedAt and completedAt from the answer, which
   * may date it earlier (see the top of this file).
   */
  answered(
    grantedAt: number,
    fairnessKey: string = DEFAULT_FAIRNESS_KEY,
    outcome: GrantOutcome = 'failed',
    roundTripMs?: number,
    stamps?: ServerStamps,
  ): void {
    const lane = this.lanes.get(fairnessKey);
    const same = lane?.unanswered.get(grantedAt);
    if (!lane || !same) return;
    // Grants of one key in one millisecond are alike: answer any of them.
    const entry = same.pop()!;
    if (same.length === 0) lane.unanswered.delete(grantedAt);
    const now = this.now();
    if (outcome === 'not-sent') {
      // HubSpot never saw it: it leaves every window now (a tombstone where it was queued).
      entry.answeredAt = now;
      if (entry.place !== 'gone') this.release(this.main, entry);
      if (entry.twin && entry.twinWindow && entry.twin.place !== 'gone') {
        entry.twin.answeredAt = now;
        this.release(entry.twinWindow, entry.twin);
      }
      return this.reschedule();
    }
    if (
      outcome === 'succeeded' &&
      this.burstStartedAt !== undefined &&
      grantedAt > this.burstStartedAt
    )
      this.penalty = 1;
    const viaHubSpot = roundTripMs !== undefined && roundTripMs >= 0;
    let serverMs: number | undefined;
    if (viaHubSpot) {
      this.shortestRoundTrip = Math.min(this.shortestRoundTrip, roundTripMs, now - grantedAt);
      if (++this.roundTrips === this.roundTripsBeforeDating) this.redate();
      // HubSpot's time on it, if the stamps make sense: not negative, not longer than all the
      // time it was ours to wait for (a clock that stepped within the request).
      const spent = stamps ? stamps.completedAt - stamps.startedAt : NaN;
      if (spent >= 0 && spent <= now - grantedAt) serverMs = spent;
    }
    this.answer(this.main, entry, now, viaHubSpot, serverMs);
    if (entry.twin && entry.twinWindow)
      this.answer(entry.twinWindow, entry.twin, now, viaHubSpot, serverMs);
    // A waiter's timer may be set for an in-flight grant's hold: it now leaves sooner.
    this.reschedule();
  }

  /**
   * A 429 arrived anyway, for the request granted at `grantedAt`: pause for Retry-After (or the
   * rest of the window) and slow down, once per burst (see the top of this file). Without
   * `grantedAt` every 429 is a burst of its own.
   */
  penalize(retryAfterMs?: number, grantedAt?: number): void {
    const now = this.now();
    const sameBurst =
      grantedAt !== undefined &&
      this.burstStartedAt !== undefined &&
      grantedAt <= this.burstStartedAt;
    if (!sameBurst) {
      this.penalty = Math.max(0.25, this.penalty * 0.8);
      this.burstStartedAt = now;
    }
    this.prune(this.main, now);
    // Until the oldest grant leaves.
    const pause =
      retryAfterMs !== undefined ? retryAfterMs : Math.max(1000, this.untilOldestLeaves(now));
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
      used: this.main.used,
      remaining: Math.max(0, effectiveMax - this.main.used),
      waiting: this.waiting,
      waitingKeys: this.waitingLanes,
      ...(this.pausedUntil > now ? { pausedUntil: this.pausedUntil } : {}),
      ...(this.exhaustedUntil > now ? { exhaustedUntil: this.exhaustedUntil } : {}),
    };
  }

  private effectiveMax(): number {
    return Math.max(1, Math.floor(this.main.max * this.penalty));
  }

  private entry(grantedAt: number, lane: Lane | undefined, answeredAt: number | undefined): Entry {
    return {
      grantedAt,
      answeredAt,
      viaHubSpot: false,
      serverMs: undefined,
      due: 0,
      place: 'queued',
      lane,
      twin: undefined,
      twinWindow: undefined,
      usedAtGrant: 0,
      admittedAtGrant: 0,
    };
  }

  /** Counts a new entry (queued: in grant order, as `now` only grows). */
  private admit(window: Window, entry: Entry): void {
    window.queued.push(entry);
    window.used++;
    window.admitted++;
  }

  /**
   * The latest time an answered entry can have been counted by HubSpot (A'): its answer a; once
   * enough round trips were seen and when HubSpot answered it, a − r/2 (r: the shortest round
   * trip seen so far), or with HubSpot's stamps the earlier of that and a − HubSpot's time on
   * it + 1 ms (see the top of this file). Evaluated when asked, so a cold
   * start's slow first answers are held by the round trips seen after them. Once dating has
   * begun, r only shrinks, so A' only moves later: a key in `late` may be too early (`prune`
   * looks again), never too late.
   */
  private arrivedBy(entry: Entry): number {
    const answeredAt = entry.answeredAt!;
    if (!entry.viaHubSpot || this.roundTrips < this.roundTripsBeforeDating) return answeredAt;
    const r = this.shortestRoundTrip;
    const byRoundTrip = answeredAt - r / 2;
    return entry.serverMs === undefined
      ? byRoundTrip
      : Math.min(byRoundTrip, answeredAt - entry.serverMs + 1);
  }

  /** Dating begins: every answered entry's A' moves earlier, so `late` is keyed again. */
  private redate(): void {
    const key = (entry: Entry) => this.arrivedBy(entry);
    this.main.late.rekey(key);
    this.secondly?.late.rekey(key);
  }

  /** Answered at `now`: it counts from when it may have arrived at HubSpot. */
  private answer(
    window: Window,
    entry: Entry,
    now: number,
    viaHubSpot: boolean,
    serverMs: number | undefined,
  ): void {
    entry.answeredAt = now;
    entry.viaHubSpot = viaHubSpot;
    entry.serverMs = serverMs;
    if (entry.place === 'gone') return;
    // Its answer bounds its arrival: the margin (a guess at how late it might arrive) is no
    // longer needed, whenever the answer came.
    entry.place = 'late'; // a tombstone where it was
    entry.due = this.arrivedBy(entry);
    window.late.push(entry);
  }

  /** Moves on every entry whose time is up (see `Window`): O(1) amortised per entry. */
  private prune(window: Window, now: number): void {
    const { queued, inFlight, late, intervalMs } = window;
    for (let e = queued.peek(); e; e = queued.peek()) {
      if (e.place === 'queued') {
        if (e.grantedAt > now - intervalMs - this.marginMs) break;
        if (e.answeredAt === undefined) {
          e.place = 'inFlight';
          inFlight.push(e);
        } else this.release(window, e);
      }
      queued.shift();
    }
    for (let e = inFlight.peek(); e; e = inFlight.peek()) {
      if (e.place === 'inFlight') {
        if (e.grantedAt > now - this.holdMs) break;
        this.release(window, e); // no answer in all that time: given up on
      }
      inFlight.shift();
    }
    for (let e = late.peek(); e; e = late.peek()) {
      if (e.place === 'late') {
        const due = this.arrivedBy(e);
        if (due > e.due) {
          // Its key went stale (r shrank): to its place, and look at the new top.
          late.pop();
          e.due = due;
          late.push(e);
          continue;
        }
        if (due > now - intervalMs) break;
        this.release(window, e);
      }
      late.pop();
    }
  }

  private release(window: Window, entry: Entry): void {
    const unanswered = entry.answeredAt === undefined;
    entry.place = 'gone';
    window.used--;
    const lane = entry.lane;
    if (window !== this.main || !lane) return;
    if (unanswered) {
      const same = lane.unanswered.get(entry.grantedAt);
      const at = same ? same.indexOf(entry) : -1;
      if (at >= 0) same!.splice(at, 1);
      if (same?.length === 0) lane.unanswered.delete(entry.grantedAt);
    }
    lane.inWindow--;
    this.forgetIfIdle(lane);
  }

  /** Ms until the next entry leaves or moves on (Infinity: none counted). Call after prune(). */
  private untilLeave(window: Window, now: number): number {
    const queued = window.queued.peek();
    const inFlight = window.inFlight.peek();
    const late = window.late.peek();
    return (
      Math.min(
        queued ? queued.grantedAt + window.intervalMs + this.marginMs : Infinity,
        inFlight ? inFlight.grantedAt + this.holdMs : Infinity,
        late ? this.arrivedBy(late) + window.intervalMs : Infinity,
      ) - now
    );
  }

  /**
   * Ms until one more grant may fit in every window (0 = now). A full window is looked at again
   * each time an entry leaves or moves on; an answer looks again at once.
   */
  private delay(now: number): number {
    let wait = Math.max(0, this.pausedUntil - now);
    const windows: Array<[Window, number]> = [[this.main, this.effectiveMax()]];
    if (this.secondly) windows.push([this.secondly, this.secondly.max]);
    for (const [window, max] of windows) {
      this.prune(window, now);
      if (window.used >= max) wait = Math.max(wait, this.untilLeave(window, now));
    }
    return wait;
  }

  /**
   * Whose turn it is, or how long until someone's. A lone key may take every free slot. With two
   * or more keys present, a key holding less than its share ("light", see `isHeavy`) may too; a
   * key at or above it ("heavy") is held back twice: it may not take the reserve (the last free
   * slots, see `unreserved`), and its grants are paced (see `pace`). Light lanes are looked for
   * past held-back heavy ones, which keep their place in the ring.
   */
  private nextLane(now: number): { lane: Lane; wait: 0 } | { lane: undefined; wait: number } {
    if (this.lanes.size < 2) return { lane: this.turnHead!, wait: 0 };
    const max = this.effectiveMax();
    const used = this.main.used;
    const unreserved = this.unreserved(max, now);
    const heavyMay = used < unreserved && now >= this.pacedUntil;
    for (let lane = this.turnHead; lane; lane = lane.next)
      if (heavyMay || !this.isHeavy(lane, max)) return { lane, wait: 0 };
    // Only heavy keys wait: until their pace allows, or a grant leaves the window.
    const expiry = this.untilLeave(this.main, now);
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
    const left = Math.max(1, this.unreserved(this.effectiveMax(), now) - this.main.used);
    this.pacedUntil = now + this.untilOldestLeaves(now) / left;
  }

  /**
   * Ms until the main window's oldest grant leaves, not longer than an interval (plus margin): a
   * grant in flight past it leaves when its answer comes. Call after prune().
   */
  private untilOldestLeaves(now: number): number {
    return Math.min(this.untilLeave(this.main, now), this.main.intervalMs + this.marginMs);
  }

  /**
   * The part of the main window a heavy key may take: all but the fair reserve. The reserve is
   * what light keys could need until the window next frees a slot, were they to use the
   * `fairReserve` share of a window per interval, and never fewer than `FAIR_RESERVE_SLOTS`:
   * the whole share while that is an interval away (an empty window, or one a burst filled just
   * now), 2 slots as a slot is about to free. So heavy keys take all but 2 slots of the window
   * as it re-opens, and a light key that comes before it re-opens still finds one. Call after
   * prune().
   */
  private unreserved(max: number, now: number): number {
    const share = Math.floor(max * this.fairReserve);
    const untilFree = this.untilOldestLeaves(now);
    const reserve =
      Math.min(FAIR_RESERVE_SLOTS, share) + Math.floor((share * untilFree) / this.main.intervalMs);
    return max - Math.min(share, reserve);
  }

  /**
   * Whether `lane` holds at least its share while two or more keys are present: the share it
   * would have if one more key came (max ÷ (keys present + 1)). Keys that all hold less than
   * their equal share could otherwise fill the window between them and leave a key that comes
   * nothing but the roll-over.
   */
  private isHeavy(lane: Lane, max: number): boolean {
    const present = this.lanes.size;
    return present >= 2 && lane.inWindow * (present + 1) >= max;
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
      const heavy = this.isHeavy(lane, this.effectiveMax());
      const entry = this.entry(now, lane, undefined);
      if (this.secondly) {
        entry.twin = this.entry(now, undefined, undefined);
        entry.twinWindow = this.secondly;
        this.admit(this.secondly, entry.twin);
      }
      this.admit(this.main, entry);
      entry.usedAtGrant = this.main.used;
      entry.admittedAtGrant = this.main.admitted;
      lane.inWindow++;
      const same = lane.unanswered.get(now);
      if (same) same.push(entry);
      else lane.unanswered.set(now, [entry]);
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
        inWindow: 0,
        unanswered: new Map(),
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
    this.waiting--;
    if (!lane.head) {
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
    if (!lane.head && lane.inWindow === 0 && this.lanes.get(lane.key) === lane)
      this.lanes.delete(lane.key);
  }
}
