// Injected trouble: latency, 5xx answers, hangs and dropped connections, at random rates or as a
// scripted queue, so retries, timeouts and isolation can be tested deterministically.
import type { SeededRandom } from './random.js';

export interface SimFaults {
  /** Share of API calls (0–1) answered with one of `errorStatuses`. */
  errorRate?: number;
  /** Statuses for `errorRate`, picked at random. Default 500, 502, 503, 504. */
  errorStatuses?: number[];
  /** Share of API calls (0–1) that hang: no answer, then the connection drops. */
  hangRate?: number;
  /** How long a hang lasts. Default: until the client gives up or the sim closes. */
  hangMs?: number;
  /** Share of API calls (0–1) whose connection is dropped without an answer. */
  dropRate?: number;
}

export type SimLatency = { fixedMs: number } | { minMs: number; maxMs: number };

export type ScriptedFault =
  | { status: number; policyName?: string; retryAfterSeconds?: number }
  | { kind: 'hang'; ms?: number }
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number };

/** What happens to one API call before normal handling. */
export type FaultAction =
  | { kind: 'status'; status: number; policyName?: string; retryAfterSeconds?: number }
  | { kind: 'hang'; ms?: number }
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number };

/** A fault that replaces the answer (a delay only postpones it). */
export type AnswerFault = Exclude<FaultAction, { kind: 'delay' }>;

export const DEFAULT_ERROR_STATUSES: readonly number[] = [500, 502, 503, 504];

/** A fault or latency setting that cannot be honoured; the message names the setting. */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
}

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

export function parseSimFaults(value: unknown): SimFaults {
  const faults = asRecord(value, 'faults', [
    'errorRate',
    'errorStatuses',
    'hangRate',
    'hangMs',
    'dropRate',
  ]);
  const rates = (['errorRate', 'hangRate', 'dropRate'] as const).map((name) => {
    const rate = faults[name];
    if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
      throw new SimConfigError(
        `faults.${name} must be a number from 0 to 1, got ${JSON.stringify(rate)}`,
      );
    }
    return rate ?? 0;
  });
  if (rates.reduce((a, b) => a + b, 0) > 1) {
    throw new SimConfigError('faults.errorRate + hangRate + dropRate must not exceed 1');
  }
  const { errorStatuses, hangMs } = faults;
  if (
    errorStatuses !== undefined &&
    !(
      Array.isArray(errorStatuses) &&
      errorStatuses.length > 0 &&
      errorStatuses.every(isErrorStatus)
    )
  ) {
    throw new SimConfigError(
      'faults.errorStatuses must be a non-empty list of statuses from 400 to 599',
    );
  }
  if (hangMs !== undefined) nonNegativeInteger(hangMs, 'faults.hangMs');
  return { ...faults } as SimFaults;
}

export function parseLatency(value: unknown): SimLatency | undefined {
  if (value === undefined || value === null) return undefined;
  const latency = asRecord(value, 'latency', ['fixedMs', 'minMs', 'maxMs']);
  if ('fixedMs' in latency)
    return { fixedMs: nonNegativeInteger(latency.fixedMs, 'latency.fixedMs') };
  if ('minMs' in latency || 'maxMs' in latency) {
    const minMs = nonNegativeInteger(latency.minMs, 'latency.minMs');
    const maxMs = nonNegativeInteger(latency.maxMs, 'latency.maxMs');
    if (minMs > maxMs) throw new SimConfigError('latency.minMs must not exceed latency.maxMs');
    return { minMs, maxMs };
  }
  if (Object.keys(latency).length === 0) return undefined;
  throw new SimConfigError('latency must be { fixedMs } or { minMs, maxMs }');
}

export function parseScriptedFaults(value: unknown): ScriptedFault[] {
  if (!Array.isArray(value)) throw new SimConfigError('script must be a list of faults');
  return value.map((entry: unknown, i) => {
    const fault = asRecord(entry, `script[${i}]`, [
      'status',
      'policyName',
      'retryAfterSeconds',
      'kind',
      'ms',
    ]);
    if ('status' in fault) {
      if (!isErrorStatus(fault.status))
        throw new SimConfigError(`script[${i}].status must be from 400 to 599`);
      if (fault.policyName !== undefined && typeof fault.policyName !== 'string') {
        throw new SimConfigError(`script[${i}].policyName must be a string`);
      }
      return {
        status: fault.status,
        ...(fault.policyName === undefined ? {} : { policyName: fault.policyName }),
        ...(fault.retryAfterSeconds === undefined
          ? {}
          : {
              retryAfterSeconds: nonNegativeInteger(
                fault.retryAfterSeconds,
                `script[${i}].retryAfterSeconds`,
              ),
            }),
      };
    }
    switch (fault.kind) {
      case 'drop':
        return { kind: 'drop' };
      case 'hang':
        return fault.ms === undefined
          ? { kind: 'hang' }
          : { kind: 'hang', ms: nonNegativeInteger(fault.ms, `script[${i}].ms`) };
      case 'delay':
        return { kind: 'delay', ms: nonNegativeInteger(fault.ms, `script[${i}].ms`) };
      default:
        throw new SimConfigError(`script[${i}] must have a status, or kind hang, drop or delay`);
    }
  });
}

function asRecord(
  value: unknown,
  what: string,
  knownKeys: readonly string[],
): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SimConfigError(`${what} must be an object`);
  }
  const unknown = Object.keys(value).filter((key) => !knownKeys.includes(key));
  if (unknown.length > 0)
    throw new SimConfigError(`${what} has unknown settings: ${unknown.join(', ')}`);
  return value as Record<string, unknown>;
}

function nonNegativeInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SimConfigError(
      `${what} must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function isErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}
