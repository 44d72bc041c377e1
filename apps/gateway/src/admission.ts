// Admission control: how many GraphQL operations this process serves at once, in all and per
// caller. Past either cap the request is refused with HTTP 429 and a Retry-After before any work
// is queued on the HubSpot budget: a caller who floods the gateway gets refusals, not everyone
// else's latency. The order matters: the caller's slot is taken first (right after
// authentication, from the headers alone), the process slot only once the body has been read, so
// clients that trickle their bodies can hold at most their own MAX_INFLIGHT_PER_CALLER slots,
// never the whole process's. Memory is bounded by the caps themselves.
import type { AdmissionConfig } from './config.js';

/** `extensions.code` of a refusal. */
export const TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS';

export type RefusalReason = 'process' | 'caller';

export interface Refusal {
  reason: RefusalReason;
  /** The setting whose cap was reached. */
  setting: 'MAX_INFLIGHT_OPERATIONS' | 'MAX_INFLIGHT_PER_CALLER';
  max: number;
  /** Seconds after which a retry has a fair chance (the recent typical operation time, 1–30 s). */
  retryAfterSeconds: number;
  message: string;
}

/** One request's hold: a slot of its caller's from `admit`, a process slot from `enterProcess`. */
export interface Ticket {
  /** Takes a process slot; a refusal when the process is at its cap. Once per ticket. */
  enterProcess(): Refusal | undefined;
  /** Gives back every slot this ticket holds. Idempotent. */
  release(): void;
}

export interface AdmissionOptions {
  /** Called for every refusal (metrics). */
  onRefuse?: (reason: RefusalReason) => void;
  /** Clock, for tests. */
  now?: () => number;
}

const MIN_RETRY_AFTER_S = 1;
const MAX_RETRY_AFTER_S = 30;

export class Admission {
  private inflight = 0;
  /** Callers with requests admitted, and how many: entries are dropped when they reach 0. */
  private readonly perCaller = new Map<string, number>();
  /** Moving average of admitted operations' durations, for Retry-After. */
  private averageMs = 1000;
  private readonly now: () => number;

  constructor(
    private readonly limits: AdmissionConfig,
    private readonly options: AdmissionOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Operations in flight now in the process, or requests admitted for one caller. */
  inflightCount(subject?: string): number {
    return subject === undefined ? this.inflight : (this.perCaller.get(subject) ?? 0);
  }

  /** Takes a slot of `subject`'s for one request, or refuses it (MAX_INFLIGHT_PER_CALLER). */
  admit(subject: string): Ticket | Refusal {
    const running = this.perCaller.get(subject) ?? 0;
    if (running >= this.limits.maxInflightPerCaller)
      return this.refuse(
        'caller',
        'MAX_INFLIGHT_PER_CALLER',
        this.limits.maxInflightPerCaller,
        `you already have MAX_INFLIGHT_PER_CALLER=${this.limits.maxInflightPerCaller} operations in flight on this gateway; wait for one to finish`,
      );
    this.perCaller.set(subject, running + 1);
    let inProcess = false;
    let started: number | undefined;
    let released = false;
    return {
      enterProcess: () => {
        if (released || inProcess) return undefined;
        if (this.inflight >= this.limits.maxInflight)
          return this.refuse(
            'process',
            'MAX_INFLIGHT_OPERATIONS',
            this.limits.maxInflight,
            `the gateway is serving its maximum of MAX_INFLIGHT_OPERATIONS=${this.limits.maxInflight} operations at once`,
          );
        this.inflight++;
        inProcess = true;
        started = this.now();
        return undefined;
      },
      release: () => {
        if (released) return;
        released = true;
        const left = (this.perCaller.get(subject) ?? 1) - 1;
        if (left > 0) this.perCaller.set(subject, left);
        else this.perCaller.delete(subject);
        if (!inProcess) return;
        this.inflight--;
        this.averageMs += 0.2 * (this.now() - started! - this.averageMs);
      },
    };
  }

  private refuse(
    reason: RefusalReason,
    setting: Refusal['setting'],
    max: number,
    what: string,
  ): Refusal {
    this.options.onRefuse?.(reason);
    const retryAfterSeconds = Math.min(
      MAX_RETRY_AFTER_S,
      Math.max(MIN_RETRY_AFTER_S, Math.ceil(this.averageMs / 1000)),
    );
    return {
      reason,
      setting,
      max,
      retryAfterSeconds,
      message: `too many requests: ${what}; retry after ${retryAfterSeconds} s`,
    };
  }
}

export function isRefusal(value: Ticket | Refusal): value is Refusal {
  return 'reason' in value;
}

/** The `extensions` of a refusal's GraphQL-shaped error body. */
export function refusalExtensions(refusal: Refusal) {
  return {
    code: TOO_MANY_REQUESTS,
    limit: { setting: refusal.setting, max: refusal.max },
    retryAfterSeconds: refusal.retryAfterSeconds,
  };
}
