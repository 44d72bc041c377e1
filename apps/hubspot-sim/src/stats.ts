// The server's own count of what it received and answered, so tests and benchmarks check
// invariants (≤ 50 inputs, no 429s, concurrency) against the server, not the client's story.

export interface SimStats {
  /** API calls received (admin `/__sim` calls are not counted). */
  totalRequests: number;
  /**
   * Outcomes by route template, version-independent: `'POST /batch/update' → { '200': 3, '207': 1 }`.
   * Calls that got no answer count as `hang` or `drop`.
   */
  byEndpoint: Record<string, Record<string, number>>;
  /**
   * API calls by the API root they came in on, served or not: `'/marketing/v3/campaigns' → 12`.
   * Which version a client spoke (a root the spec does not serve is answered 404).
   */
  byApiRoot: Record<string, number>;
  /** 429s sent, any policy. */
  rateLimited: number;
  rateLimitedByPolicy: Record<string, number>;
  /** Most inputs seen in one batch request, counting requests refused for having too many. */
  largestBatch: number;
  /** Inputs across every batch request received, retries included. */
  batchInputsReceived: number;
  /** API calls being handled right now, and the most at any one time. */
  inFlight: number;
  peakInFlight: number;
  /** Injected faults by kind: `'503'`, `'429'`, `'hang'`, `'drop'`, `'delay'`. */
  faultsInjected: Record<string, number>;
}

export class StatsRecorder {
  #stats: SimStats = emptyStats(0);

  requestStarted(): void {
    this.#stats.totalRequests++;
    this.#stats.inFlight++;
    this.#stats.peakInFlight = Math.max(this.#stats.peakInFlight, this.#stats.inFlight);
  }

  requestEnded(): void {
    this.#stats.inFlight--;
  }

  /** `outcome` is the status sent, or `hang`/`drop` when none was. */
  answered(routeKey: string, outcome: number | 'hang' | 'drop'): void {
    const counts = (this.#stats.byEndpoint[routeKey] ??= {});
    increment(counts, String(outcome));
  }

  arrivedOn(apiRoot: string): void {
    increment(this.#stats.byApiRoot, apiRoot);
  }

  rateLimited(policyName: string): void {
    this.#stats.rateLimited++;
    increment(this.#stats.rateLimitedByPolicy, policyName);
  }

  batchReceived(inputs: number): void {
    this.#stats.largestBatch = Math.max(this.#stats.largestBatch, inputs);
    this.#stats.batchInputsReceived += inputs;
  }

  faultInjected(kind: string): void {
    increment(this.#stats.faultsInjected, kind);
  }

  /** A deep copy: later calls do not change it. */
  snapshot(): SimStats {
    return structuredClone(this.#stats);
  }

  /** Zeroes every count; calls still in flight stay counted as in flight. */
  reset(): void {
    this.#stats = emptyStats(this.#stats.inFlight);
  }
}

function emptyStats(inFlight: number): SimStats {
  return {
    totalRequests: 0,
    byEndpoint: {},
    byApiRoot: {},
    rateLimited: 0,
    rateLimitedByPolicy: {},
    largestBatch: 0,
    batchInputsReceived: 0,
    inFlight,
    peakInFlight: inFlight,
    faultsInjected: {},
  };
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
