// Admission control: how many GraphQL operations this process serves at once, in all and per
// caller. Past either cap the request is refused at once with HTTP 429 and a Retry-After, before
// it reads more of its body or queues any work on the HubSpot budget: a caller who floods the
// gateway gets refusals, not everyone else's latency. Memory is bounded by the caps themselves.
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
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

/** One request's hold on the process; `admitCaller` once the caller is known; `release` when done. */
export interface Ticket {
  /** Takes a slot of `subject`'s; a refusal when the caller is at its cap. Once per ticket. */
  admitCaller(subject: string): Refusal | undefined;
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
  /** Callers with operations in flight, and how many: never more entries than `maxInflight`. */
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

  /** Operations in flight now, in all and for one caller. */
  inflightCount(subject?: string): number {
    return subject === undefined ? this.inflight : (this.perCaller.get(subject) ?? 0);
  }

  /** Takes a process slot for one request, or refuses it (MAX_INFLIGHT_OPERATIONS). */
  enter(): Ticket | Refusal {
    if (this.inflight >= this.limits.maxInflight)
      return this.refuse(
        'process',
        'MAX_INFLIGHT_OPERATIONS',
        this.limits.maxInflight,
        `the gateway is serving its maximum of MAX_INFLIGHT_OPERATIONS=${this.limits.maxInflight} operations at once`,
      );
    this.inflight++;
    const started = this.now();
    let subject: string | undefined;
    let released = false;
    return {
      admitCaller: (who) => {
        if (released || subject !== undefined) return undefined;
        const running = this.perCaller.get(who) ?? 0;
        if (running >= this.limits.maxInflightPerCaller)
          return this.refuse(
            'caller',
            'MAX_INFLIGHT_PER_CALLER',
            this.limits.maxInflightPerCaller,
            `you already have MAX_INFLIGHT_PER_CALLER=${this.limits.maxInflightPerCaller} operations in flight on this gateway; wait for one to finish`,
          );
        this.perCaller.set(who, running + 1);
        subject = who;
        return undefined;
      },
      release: () => {
        if (released) return;
        released = true;
        this.inflight--;
        if (subject === undefined) return;
        const left = (this.perCaller.get(subject) ?? 1) - 1;
        if (left > 0) this.perCaller.set(subject, left);
        else this.perCaller.delete(subject);
        this.averageMs += 0.2 * (this.now() - started - this.averageMs);
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

/** The GraphQL error body of a refusal (also sent as is when Apollo is not involved). */
export function refusalExtensions(refusal: Refusal) {
  return {
    code: TOO_MANY_REQUESTS,
    limit: { setting: refusal.setting, max: refusal.max },
    retryAfterSeconds: refusal.retryAfterSeconds,
  };
}

/** A refusal as a GraphQLError that Apollo answers with HTTP 429 and Retry-After. */
export function refusalError(refusal: Refusal): GraphQLError {
  return new GraphQLError(refusal.message, {
    extensions: {
      ...refusalExtensions(refusal),
      http: {
        status: 429,
        headers: new HeaderMap([['retry-after', String(refusal.retryAfterSeconds)]]),
      },
    },
  });
}
