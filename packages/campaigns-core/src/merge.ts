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
  const results = new Map<string, R>();
  const succeededWithoutValue = new Set<string>();
  const errorOf = new Map<string, ErrorPayload>();
  const links: Record<string, string> = {};
  let requestedAt: string | undefined;
  let startedAt: string | undefined;
  let completedAt: string | undefined;

  for (const report of reports) {
    for (const [key, value] of report.results) if (!results.has(key)) results.set(key, value);
    for (const key of report.succeeded ?? []) succeededWithoutValue.add(key);
    for (const { keys, error } of report.errors)
      for (const key of keys) if (!errorOf.has(key)) errorOf.set(key, error);
    requestedAt = earliest(requestedAt, report.requestedAt);
    startedAt = earliest(startedAt, report.startedAt);
    completedAt = latest(completedAt, report.completedAt);
    // Own data properties only: a `__proto__` key in HubSpot's JSON stays a plain key.
    for (const [name, link] of Object.entries(report.links ?? {}))
      Object.defineProperty(links, name, {
        value: link,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }

  const merged: R[] = [];
  const groups = new Map<string, CampaignBatchError>();
  const missing: ErrorPayload = {
    status: 'error',
    category: CoreCategory.MISSING_FROM_RESPONSE,
    message: "HubSpot's answer named this id neither in its results nor in its errors",
    errors: [],
    context: {},
    links: {},
  };
  let numErrors = 0;
  for (const key of order) {
    const result = results.get(key);
    if (result !== undefined) {
      merged.push(result);
      continue;
    }
    if (succeededWithoutValue.has(key)) continue;
    const error = errorOf.get(key) ?? missing;
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
    const id = displayId(key);
    group.ids.push(id);
    group.context.ids!.push(id);
    numErrors++;
  }

  return {
    results: merged,
    errors: [...groups.values()],
    numErrors,
    requestedAt: requestedAt ?? fallback.startedAt,
    startedAt: startedAt ?? fallback.startedAt,
    completedAt: latest(completedAt, fallback.completedAt)!,
    links,
  };
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
