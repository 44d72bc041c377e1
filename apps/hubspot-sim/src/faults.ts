// Injected trouble: latency, 5xx answers, hangs and dropped connections, at random rates or as a
// scripted queue, so retries, timeouts and isolation can be tested deterministically. The
// settings themselves are parsed in options.ts.
import {
  parseLatency,
  parseScriptedFaults,
  parseSimFaults,
  type ScriptedFault,
  type SimFaults,
  type SimLatency,
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
