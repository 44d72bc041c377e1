// Injected trouble: latency, 5xx answers, hangs and dropped connections, at random rates or as a
// scripted queue, so retries, timeouts and isolation can be tested deterministically. The
// settings themselves are parsed in options.ts.
import {
  parseLatency,
  parseRefusal,
  parseScriptedFaults,
  parseSimFaults,
  SimConfigError,
  type ScriptedFault,
  type SimFaults,
  type SimLatency,
  type SimRefusal,
} from './options.js';
import type { SeededRandom } from './random.js';

/** What happens to one API call before normal handling. */
export type FaultAction =
  | { kind: 'status'; status: number; policyName?: string; retryAfterSeconds?: number }
  | { kind: 'hang'; ms?: number }
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number };

/** A fault that replaces the answer (a delay only postpones it). */
export type AnswerFault = Exclude<FaultAction, { kind: 'delay' }>;

export const DEFAULT_ERROR_STATUSES: readonly number[] = [500, 502, 503, 504];

export class FaultPlan {
  readonly #random: SeededRandom;
  #faults: SimFaults = {};
  #latency: SimLatency | undefined;
  readonly #script: ScriptedFault[] = [];

  constructor(random: SeededRandom, faults: SimFaults = {}, latency?: SimLatency) {
    this.#random = random;
    this.setFaults(faults);
    this.setLatency(latency);
  }

  setFaults(faults: SimFaults): void {
    this.#faults = parseSimFaults(faults);
  }

  setLatency(latency: SimLatency | undefined): void {
    this.#latency = parseLatency(latency);
  }

  /** Queues faults for the next API calls, after any already queued. */
  script(faults: readonly ScriptedFault[]): void {
    this.#script.push(...parseScriptedFaults(faults));
  }

  /** The next scripted fault, if one is queued; consumes it. */
  takeScripted(): FaultAction | undefined {
    const next = this.#script.shift();
    return next && ('status' in next ? { kind: 'status', ...next } : next);
  }

  /** Milliseconds this call should take before it is handled. */
  latencyMs(): number {
    const latency = this.#latency;
    if (!latency) return 0;
    return 'fixedMs' in latency
      ? latency.fixedMs
      : this.#random.integer(latency.minMs, latency.maxMs);
  }

  /** One roll of the dice for a random fault; undefined means handle normally. */
  rollRandom(): AnswerFault | undefined {
    const { dropRate = 0, hangRate = 0, errorRate = 0 } = this.#faults;
    if (dropRate + hangRate + errorRate === 0) return undefined;
    const roll = this.#random.next();
    if (roll < dropRate) return { kind: 'drop' };
    if (roll < dropRate + hangRate)
      return {
        kind: 'hang',
        ...(this.#faults.hangMs === undefined ? {} : { ms: this.#faults.hangMs }),
      };
    if (roll < dropRate + hangRate + errorRate) {
      return {
        kind: 'status',
        status: this.#random.pick(this.#faults.errorStatuses ?? DEFAULT_ERROR_STATUSES),
      };
    }
    return undefined;
  }
}

/**
 * Campaigns HubSpot refuses to update (`sim.refuse`): a batch update naming one answers 207 with
 * an item error for it (200 with the error folded in, for a spec that declares no 207) and
 * applies the rest. A refusal with `times` is used up by that many
 * batches naming the id; then the id is accepted again, as a retry would be.
 */
export class Refusals {
  readonly #byId = new Map<string, { category: string; message: string; left?: number }>();

  refuse(ids: readonly string[], refusal: SimRefusal): void {
    const parsed = parseRefusal(refusal);
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id === ''))
      throw new SimConfigError('refuse needs a list of campaign ids (non-empty strings)');
    for (const id of ids)
      this.#byId.set(id, {
        category: parsed.category,
        message: parsed.message,
        ...(parsed.times === undefined ? {} : { left: parsed.times }),
      });
  }

  clear(): void {
    this.#byId.clear();
  }

  /** The refusals for those of `ids` that are refused now, by id; uses one of each's `times`. */
  take(ids: readonly string[]): Map<string, { category: string; message: string }> {
    const taken = new Map<string, { category: string; message: string }>();
    for (const id of ids) {
      const refusal = this.#byId.get(id);
      if (!refusal) continue;
      taken.set(id, { category: refusal.category, message: refusal.message });
      if (refusal.left !== undefined && --refusal.left === 0) this.#byId.delete(id);
    }
    return taken;
  }
}
