// Merges every chunk's answer into one outcome that names each input key exactly once: in
// `results` (input order, whatever order HubSpot used) or in one error.
import type { CampaignBatchError } from './outcome.js';
import { CoreCategory } from './outcome.js';

/** An error before it is attached to ids: HubSpot's StandardError fields plus HTTP facts. */
export type ErrorPayload = Omit<CampaignBatchError, 'ids'>;

/** What one chunk finally came to (after retries and isolation). */
export interface ChunkReport<R> {
  /** Keys this report is about. */
  keys: string[];
  /** Key → result, for the keys that succeeded. */
  results: Array<[string, R]>;
  /** Keys that succeeded but whose results were not kept (`keepResults: false`). */
  succeeded?: string[];
  /** Errors, each for some of the keys. */
  errors: Array<{ keys: string[]; error: ErrorPayload }>;
  requestedAt?: string;
  startedAt?: string;
  completedAt?: string;
  links?: Record<string, string>;
}

/** The merged part of an outcome, shaped like HubSpot's batch response. */
export interface MergedBatch<R> {
  /** One result per succeeded input, in input order. */
  results: R[];
  /** Every failed input is named by exactly one error. */
  errors: CampaignBatchError[];
  /** Number of failed ids (not of error groups). */
  numErrors: number;
  requestedAt: string;
  startedAt: string;
  completedAt: string;
  links: Record<string, string>;
}

/** `ResultBook.state` of an input that succeeded (0: nothing booked yet). */
const SUCCEEDED = 1;

/**
 * The books of a merge, kept by input position instead of by key: the kept results in one
 * array (no key → result map, no pair per result), a byte per input for "succeeded", and the
 * errors of the inputs that have one. Reports are entered as they come ({@link ResultBook.record})
 * and dropped; {@link ResultBook.merge} then reads the outcome off in input order.
 */
export class ResultBook<R> {
  /** Kept results by position (holes until answered), then the merged `results`; none unkept. */
  private readonly values: Array<R | undefined> | undefined;
  private readonly state: Uint8Array;
  /** The first error reported for each position that has one. */
  private readonly errorAt = new Map<number, ErrorPayload>();
  private readonly links: Record<string, string> = {};
  private requestedAt: string | undefined;
  private startedAt: string | undefined;
  private completedAt: string | undefined;
  private merged = false;

  /** `keep: false` books successes without their results (`keepResults: false`). */
  constructor(
    readonly size: number,
    keep = true,
  ) {
    this.values = keep ? new Array<R | undefined>(size) : undefined;
    this.state = new Uint8Array(size);
  }

  /** The first result for a position wins; kept, an undefined one counts for nothing. */
  succeed(position: number, value: R | undefined): void {
    const { values } = this;
    if (!values) {
      this.state[position] = SUCCEEDED;
      return;
    }
    if (value === undefined || values[position] !== undefined) return;
    values[position] = value;
    this.state[position] = SUCCEEDED;
  }

  /** A success reported without its result (a report's `succeeded`). */
  succeedUnkept(position: number): void {
    this.state[position] = SUCCEEDED;
  }

  /** The first error for a position wins; a success, earlier or later, outranks it. */
  fail(position: number, error: ErrorPayload): void {
    if (!this.errorAt.has(position)) this.errorAt.set(position, error);
  }

  /** Enters a report: `positionOf` places its keys (undefined: not an input here, ignored). */
  record(report: ChunkReport<R>, positionOf: (key: string) => number | undefined): void {
    for (const [key, value] of report.results) {
      const position = positionOf(key);
      if (position !== undefined) this.succeed(position, value);
    }
    for (const key of report.succeeded ?? []) {
      const position = positionOf(key);
      if (position !== undefined) this.succeedUnkept(position);
    }
    for (const { keys, error } of report.errors)
      for (const key of keys) {
        const position = positionOf(key);
        if (position !== undefined) this.fail(position, error);
      }
    this.requestedAt = earliest(this.requestedAt, report.requestedAt);
    this.startedAt = earliest(this.startedAt, report.startedAt);
    this.completedAt = latest(this.completedAt, report.completedAt);
    // Own data properties only: a `__proto__` key in HubSpot's JSON stays a plain key.
    for (const [name, link] of Object.entries(report.links ?? {}))
      Object.defineProperty(this.links, name, {
        value: link,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }

  /**
   * The outcome in input order: `keyOf(position)` names each input. A position with a result is a
   * success even if an error was also reported for it; one with neither gets a
   * MISSING_FROM_RESPONSE error. Errors with the same category, message and status are grouped,
   * their ids in input order. The kept results become `results` in place: call this once.
   */
  merge(
    keyOf: (position: number) => string,
    fallback: { startedAt: string; completedAt: string },
    displayId: (key: string) => string = (key) => key,
  ): MergedBatch<R> {
    if (this.merged) throw new Error('a ResultBook is merged once');
    this.merged = true;
    const { values, state, errorAt } = this;
    const groups = new Map<string, CampaignBatchError>();
    const missing: ErrorPayload = {
      status: 'error',
      category: CoreCategory.MISSING_FROM_RESPONSE,
      message: "HubSpot's answer named this id neither in its results nor in its errors",
      errors: [],
      context: {},
      links: {},
    };
    let kept = 0;
    let numErrors = 0;
    for (let position = 0; position < this.size; position++) {
      if (state[position] === SUCCEEDED) {
        const value = values?.[position];
        if (value !== undefined) values![kept++] = value;
        continue;
      }
      const error = errorAt.get(position) ?? missing;
      const groupKey = JSON.stringify([
        error.category,
        error.subCategory,
        error.message,
        error.status,
        error.httpStatus,
        error.correlationId,
        error.errors,
      ]);
      let group = groups.get(groupKey);
      if (!group) {
        group = { ...error, ids: [], context: { ...error.context, ids: [] } };
        groups.set(groupKey, group);
      }
      const id = displayId(keyOf(position));
      group.ids.push(id);
      group.context.ids!.push(id);
      numErrors++;
    }
    if (values) values.length = kept;

    return {
      results: (values ?? []) as R[],
      errors: [...groups.values()],
      numErrors,
      requestedAt: this.requestedAt ?? fallback.startedAt,
      startedAt: this.startedAt ?? fallback.startedAt,
      completedAt: latest(this.completedAt, fallback.completedAt)!,
      links: this.links,
    };
  }
}

/**
 * `order` lists every input key once, in input order. A key with a result is a success even if
 * some report also has an error for it; a key no report mentions gets a MISSING_FROM_RESPONSE
 * error; keys outside `order` are ignored. Errors with the same category, message and status
 * are grouped, their ids in input order.
 */
export function mergeBatchResponses<R>(
  order: readonly string[],
  reports: ReadonlyArray<ChunkReport<R>>,
  fallback: { startedAt: string; completedAt: string },
  displayId: (key: string) => string = (key) => key,
): MergedBatch<R> {
  const positions = new Map<string, number>();
  order.forEach((key, position) => {
    if (!positions.has(key)) positions.set(key, position);
  });
  const book = new ResultBook<R>(order.length);
  for (const report of reports) book.record(report, (key) => positions.get(key));
  return book.merge((position) => order[position]!, fallback, displayId);
}

function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}
