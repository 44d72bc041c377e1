// The audit trail: one JSON line per change, i.e. per updateCampaigns call that reached the
// engine, whatever its result (COMPLETE, partial, CANCELED, or an error of the gateway's own:
// HubSpot may have applied part of it). Refusals – BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN,
// 429 – send nothing and change nothing: they are in the request log, not here. Jobs add three
// lines: a job queued (startCampaignUpdate: who, and what it is to change, as for
// updateCampaigns), a cancel asked (cancelCampaignUpdate), and a job's end (written by the
// process whose worker ended it: status, stop reason and counts, not the ids).
//
// A line says who (subject and auth method), what (property names; values only with
// AUDIT_LOG_VALUES=true), the result of every id (ok, or its error category), the status and
// stop reason, the request id and the time. Its size does not grow with the number of ids: the
// change and the job's start give counts (per set of property names, per error category). When
// those counts and all the ids fit in AUDIT_IDS_PER_LINE, the ids go on that same line
// (`parts: 0`): one write for the usual small change. Otherwise they follow in `.ids` lines of at
// most AUDIT_IDS_PER_LINE ids each, carrying the key to join them on (`auditId` for a change,
// `job` for a job). A 100,000-campaign job is thus one small line and 100 lines of about 40 KB,
// none of which a log pipeline truncates. Lines go through createLogger, so the gateway's
// redaction and secret scrubbing apply.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import type { BatchOutcome, StopReason, UpdateInput } from '@campaigns/core';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Caller } from './auth.js';
import type { AuditConfig } from './config.js';
import { createLogger, serializeError } from './logger.js';

/** One updateCampaigns call that reached the engine. */
export interface AuditEntry {
  requestId: string;
  caller: Pick<Caller, 'subject' | 'method'>;
  /** The inputs as sent to the engine (validated). */
  inputs: ReadonlyArray<UpdateInput>;
  /** The engine's outcome; absent when it threw. */
  outcome?: BatchOutcome<{ id: string }>;
  /** What the engine threw instead of answering. */
  error?: unknown;
  durationMs: number;
}

/** A job queued, a cancel asked for, or a job that ended. */
export type JobAuditEntry =
  | {
      kind: 'start';
      requestId: string;
      caller: Pick<Caller, 'subject' | 'method'>;
      job: { id: string; total: number };
      /** The inputs as queued (validated, before duplicates merged). */
      inputs: ReadonlyArray<UpdateInput>;
    }
  | {
      kind: 'cancel';
      requestId: string;
      caller: Pick<Caller, 'subject' | 'method'>;
      /** The job as the cancel left it (ended, or still stopping). */
      job: { id: string; owner: string; status: string; total: number; done: number };
    }
  | {
      kind: 'end';
      job: {
        id: string;
        owner: string;
        status: string;
        stopReason?: StopReason;
        total: number;
        succeeded: number;
        failed: number;
      };
      durationMs: number;
    };

export interface AuditLog {
  readonly sink: AuditConfig['sink']['kind'];
  /** Writes the lines of one change. Never throws: a failure is logged, the caller's answer stands. */
  record(entry: AuditEntry): void;
  /** Writes the lines of a job's start, cancel or end. Never throws, as `record`. */
  recordJob(entry: JobAuditEntry): void;
  /** Writes out what is buffered and closes a file sink. */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  /** The gateway's log stream (for `stdout`); default stdout. */
  destination?: DestinationStream;
  /** The same secrets function the gateway's logger scrubs with. */
  secrets: () => readonly string[];
  /** The gateway's logger, for problems of the audit log itself. */
  logger: Logger;
}

/**
 * The most ids one audit line lists (an id with its values counts as one, and so does each
 * property name of a heading; on a first line that carries its ids, each count of `counts` and
 * its names count too). More go on further `.ids` lines. 1,000 ids of 36 characters make a line of about 40 KB without values, well under
 * the line limits of log pipelines (Loki, CloudWatch, syslog: 256 KB or less).
 */
export const AUDIT_IDS_PER_LINE = 1000;

/**
 * The ids a record lists: on its first line when they fit there with its counts within
 * AUDIT_IDS_PER_LINE, else spread over `.ids` lines.
 */
export interface AuditIds {
  /** Without values: ids grouped by the property names they changed. */
  changes?: Array<{ properties: string[]; ids: string[] }>;
  /** With AUDIT_LOG_VALUES=true: each input with its values. */
  values?: Array<{ id: string; properties: Record<string, string> }>;
  /** Ids that were updated. */
  ok?: string[];
  /** Ids that were not, by error category. */
  errors?: Array<{ category: string; ids: string[] }>;
}

/** What a first line says was (or is to be) changed, counted (the ids: on it, or on `.ids` lines). */
export interface AuditCounts {
  /** How many distinct sets of property names the change sets. */
  groups: number;
  /**
   * Per set of property names: how many ids (or inputs, with values) change that set. The first
   * sets only when they are many (`counts.length < groups`): the line stays within the bound.
   */
  counts: Array<{ properties: string[]; campaigns: number }>;
  /**
   * How many `.ids` lines follow. 0 when none does: the ids, if any, are on this line itself
   * (`changes`/`values`, `ok`, `errors`).
   */
  parts: number;
}

type AuditResult = 'complete' | 'partial' | 'failed' | 'canceled' | 'error';

/** The audit line of one change, after the logger's own fields (level, time, service, name, msg). */
export interface AuditLine extends AuditCounts, AuditIds {
  audit: true;
  event: 'campaigns.update';
  /** This change's own id, on its `.ids` lines too (a request id may be the caller's, reused). */
  auditId: string;
  reqId: string;
  caller: { subject: string; method: string };
  /** `complete`, `partial`, `failed`, `canceled`, or `error` when the engine threw. */
  result: AuditResult;
  status?: string;
  stopReason?: string;
  campaigns: number;
  succeeded?: number;
  failed?: number;
  durationMs: number;
  /** Ids that were not updated, counted by error category (listed in `errors`). */
  errorCounts?: Array<{ category: string; campaigns: number }>;
  /** When the engine threw (type and message; never a stack). */
  error?: { type: string; message: string };
}

/** Where one change's or one job start's ids are listed: part `part` of `parts` (from 1). */
export type AuditIdsLine = AuditIds & {
  audit: true;
  reqId: string;
  part: number;
  parts: number;
} & (
    { event: 'campaigns.update.ids'; auditId: string } | { event: 'campaigns.job.ids'; job: string }
  );

/** A job's audit lines: queued (with what it is to change), cancel asked, ended (counts only). */
export type JobAuditLine =
  | ({
      audit: true;
      event: 'campaigns.job.start';
      reqId: string;
      caller: { subject: string; method: string };
      job: string;
      /** Inputs as sent; `total` counts distinct ids. */
      campaigns: number;
      total: number;
    } & AuditCounts &
      AuditIds)
  | {
      audit: true;
      event: 'campaigns.job.cancel';
      reqId: string;
      caller: { subject: string; method: string };
      job: string;
      owner: string;
      /** As the cancel left it: CANCELED, COMPLETE (too late to cancel), or PROCESSING (stopping). */
      status: string;
      total: number;
      done: number;
    }
  | {
      audit: true;
      event: 'campaigns.job.end';
      job: string;
      owner: string;
      result: Exclude<AuditResult, 'error'>;
      status: string;
      stopReason?: string;
      total: number;
      succeeded: number;
      failed: number;
      durationMs: number;
    };

export async function openAuditLog(
  config: AuditConfig,
  options: AuditLogOptions,
): Promise<AuditLog> {
  const { sink } = config;
  if (sink.kind === 'off')
    return { sink: 'off', record: () => {}, recordJob: () => {}, close: async () => {} };

  let file: ReturnType<typeof pino.destination> | undefined;
  if (sink.kind === 'file') {
    const boom = pino.destination({
      dest: sink.path,
      append: true,
      mkdir: false,
      sync: false,
      mode: 0o600,
    });
    try {
      await Promise.race([
        once(boom, 'ready'),
        once(boom, 'error').then(([error]: unknown[]) => Promise.reject(error)),
      ]);
    } catch (error) {
      throw new Error(
        `AUDIT_LOG: cannot open ${sink.path} for appending: ${(error as Error).message}`,
      );
    }
    file = boom;
    file.on('error', (error: unknown) =>
      options.logger.error({ err: error, path: sink.path }, 'audit log write failed'),
    );
    warnIfReadableByOthers(sink.path, options.logger);
  }

  // Always at info, whatever LOG_LEVEL says: the trail does not depend on the log's verbosity.
  const audit = createLogger({
    level: 'info',
    name: 'audit',
    secrets: options.secrets,
    ...(file
      ? { destination: file }
      : options.destination
        ? { destination: options.destination }
        : {}),
  });
  let closed: Promise<void> | undefined;

  /** Writes the lines of one entry; a failure is logged, never thrown. */
  const write = (
    lines: () => ReadonlyArray<{ event: keyof typeof MESSAGES }>,
    reqId: string | undefined,
  ) => {
    try {
      for (const line of lines()) audit.info(line, MESSAGES[line.event]);
    } catch (error) {
      options.logger.error(
        { err: error, ...(reqId ? { reqId } : {}) },
        'could not write the audit lines',
      );
    }
  };

  return {
    sink: sink.kind,
    record(entry) {
      write(() => auditLines(entry, config.includeValues), entry.requestId);
    },
    recordJob(entry) {
      write(
        () => jobAuditLines(entry, config.includeValues),
        entry.kind === 'end' ? undefined : entry.requestId,
      );
    },
    close() {
      closed ??= (async () => {
        audit.flush();
        if (!file) return;
        const done = once(file, 'close');
        file.end();
        await done;
      })();
      return closed;
    },
  };
}

/** How `.ids` lines are made: their join key for a change, their size (tests use small ones). */
export interface IdsLineOptions {
  /** The change's `auditId`; a fresh one by default. */
  auditId?: string;
  /** At most this many ids a line; AUDIT_IDS_PER_LINE by default. */
  perLine?: number;
}

/**
 * The lines of one change: the `campaigns.update` line (counts, and the ids when they fit on it),
 * then, when they do not, its `campaigns.update.ids` lines, joined to it by `auditId`.
 */
export function auditLines(
  entry: AuditEntry,
  includeValues: boolean,
  { auditId = randomUUID(), perLine = AUDIT_IDS_PER_LINE }: IdsLineOptions = {},
): [AuditLine, ...AuditIdsLine[]] {
  const { outcome } = entry;
  const changes = changesOf(entry.inputs, includeValues);
  const lists: IdList[] = [...changes.lists];
  let errorCounts: AuditLine['errorCounts'];
  if (outcome) {
    const ok = outcome.results.map((r) => r.id);
    const byCategory = new Map<string, string[]>();
    for (const error of outcome.errors) {
      const ids = byCategory.get(error.category) ?? [];
      for (const id of error.ids) ids.push(id);
      byCategory.set(error.category, ids);
    }
    lists.push(idList(ok, (part, ids) => (part.ok ??= []).push(...ids)));
    errorCounts = [];
    for (const [category, ids] of byCategory) {
      errorCounts.push({ category, campaigns: ids.length });
      lists.push(idList(ids, (part, slice) => (part.errors ??= []).push({ category, ids: slice })));
    }
  }
  const counts = boundedCounts(changes.counts, perLine);
  const { inline, parts } = placeIds(lists, counts, perLine);
  const line: AuditLine = {
    audit: true,
    event: 'campaigns.update',
    auditId,
    reqId: entry.requestId,
    caller: { subject: entry.caller.subject, method: entry.caller.method },
    result: outcome ? resultOf(outcome.status, outcome.results.length, outcome.numErrors) : 'error',
    ...(outcome ? { status: outcome.status } : {}),
    ...(outcome?.stopReason ? { stopReason: outcome.stopReason } : {}),
    campaigns: entry.inputs.length,
    ...(outcome ? { succeeded: outcome.results.length, failed: outcome.numErrors } : {}),
    durationMs: entry.durationMs,
    groups: changes.counts.length,
    counts,
    ...(errorCounts ? { errorCounts } : {}),
    parts: parts.length,
    ...inline,
  };
  if (!outcome) {
    const { type, message } = serializeError(entry.error);
    line.error = { type, message };
  }
  return [
    line,
    ...parts.map((ids, index): AuditIdsLine => ({
      audit: true,
      event: 'campaigns.update.ids',
      auditId,
      reqId: entry.requestId,
      part: index + 1,
      parts: parts.length,
      ...ids,
    })),
  ];
}

/** A list of ids (or of inputs with values) and how a slice of it goes on an `.ids` line. */
interface IdList<T = unknown> {
  items: ReadonlyArray<T>;
  /** What its heading costs on every line it is on: one per property name. */
  heading: number;
  put(part: AuditIds, slice: T[]): void;
}

function idList<T>(
  items: ReadonlyArray<T>,
  put: (part: AuditIds, slice: T[]) => void,
  heading = 0,
): IdList<T> {
  return { items, heading, put };
}

/**
 * The `.ids` lines' contents: every item of `lists` once, in order, at most `perLine` to a line,
 * where an id costs one and so does each property name of a heading (a caller's thousands of
 * distinct sets of names must not make a line long either). A list cut between two lines goes on
 * both under the same heading (property names, category). A line always takes at least one id,
 * so a heading longer than `perLine` goes on a line with a single id.
 */
function splitIds(lists: ReadonlyArray<IdList>, perLine: number): AuditIds[] {
  if (!Number.isInteger(perLine) || perLine < 1)
    throw new RangeError(`ids per audit line must be a whole number ≥ 1, got ${perLine}`);
  const parts: AuditIds[] = [];
  let part: AuditIds = {};
  let room = perLine;
  let empty = true;
  for (const list of lists) {
    for (let from = 0; from < list.items.length;) {
      if (!empty && room < list.heading + 1) {
        parts.push(part);
        part = {};
        room = perLine;
        empty = true;
      }
      const slice = list.items.slice(from, from + Math.max(1, room - list.heading));
      list.put(part, slice);
      from += slice.length;
      room -= list.heading + slice.length;
      empty = false;
    }
  }
  if (!empty) parts.push(part);
  return parts;
}

/** What a count on the first line costs against the bound: one per name and one for the count. */
const countCost = (count: AuditCounts['counts'][number]) => count.properties.length + 1;

/** The first line's counts, as many as fit in `perLine`. */
function boundedCounts(counts: AuditCounts['counts'], perLine: number): AuditCounts['counts'] {
  let room = perLine;
  let fit = 0;
  for (const count of counts) {
    room -= countCost(count);
    if (room < 0) break;
    fit++;
  }
  return fit === counts.length ? counts : counts.slice(0, fit);
}

/**
 * Where a record's ids go: all on its first line (`inline`, no `parts`) when they fit there with
 * its `counts` within `perLine` (each non-empty list costing its heading once and one per item,
 * as on an `.ids` line), else on the `.ids` lines `parts`.
 */
function placeIds(
  lists: ReadonlyArray<IdList>,
  counts: AuditCounts['counts'],
  perLine: number,
): { inline?: AuditIds; parts: AuditIds[] } {
  const parts = splitIds(lists, perLine);
  let cost = counts.reduce((n, count) => n + countCost(count), 0);
  for (const list of lists) if (list.items.length > 0) cost += list.heading + list.items.length;
  return parts.length <= 1 && cost <= perLine ? { inline: parts[0] ?? {}, parts: [] } : { parts };
}

/**
 * What `inputs` change, counted per set of property names, and the list for the `.ids` lines:
 * ids by the property names they set (each once per set), or (`includeValues`) every input with
 * its values.
 */
function changesOf(
  inputs: ReadonlyArray<UpdateInput>,
  includeValues: boolean,
): { counts: AuditCounts['counts']; lists: IdList[] } {
  const groups = new Map<string, { properties: string[]; ids: Set<string>; inputs: number }>();
  for (const input of inputs) {
    const names = Object.keys(input.properties).sort();
    const key = names.join('\u0000');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { properties: names, ids: new Set(), inputs: 0 }));
    group.ids.add(input.id);
    group.inputs++;
  }
  const counts = [...groups.values()].map((g) => ({
    properties: g.properties,
    campaigns: includeValues ? g.inputs : g.ids.size,
  }));
  if (includeValues) {
    const values = inputs.map((input) => ({
      id: input.id,
      // Own entries only, copied into a fresh object (the names are validated already).
      properties: Object.fromEntries(Object.entries(input.properties)),
    }));
    return {
      counts,
      lists: [idList(values, (part, slice) => (part.values ??= []).push(...slice))],
    };
  }
  // One list per group: a group cut between two lines has its property names on both.
  return {
    counts,
    lists: [...groups.values()].map((g) =>
      idList(
        [...g.ids],
        (part, ids) => (part.changes ??= []).push({ properties: g.properties, ids }),
        g.properties.length,
      ),
    ),
  };
}

/** Each event's `msg`. */
const MESSAGES: Record<AuditLine['event'] | AuditIdsLine['event'] | JobAuditLine['event'], string> =
  {
    'campaigns.update': 'campaigns updated',
    'campaigns.update.ids': 'campaigns updated: ids',
    'campaigns.job.start': 'campaign update job queued',
    'campaigns.job.ids': 'campaign update job queued: ids',
    'campaigns.job.cancel': 'campaign update job cancel asked',
    'campaigns.job.end': 'campaign update job ended',
  };

/**
 * The lines of a job's start (its ids on it when they fit, else on `campaigns.job.ids` lines after
 * it), cancel or end.
 */
export function jobAuditLines(
  entry: JobAuditEntry,
  includeValues: boolean,
  { perLine = AUDIT_IDS_PER_LINE }: Pick<IdsLineOptions, 'perLine'> = {},
): [JobAuditLine, ...AuditIdsLine[]] {
  const who = (caller: Pick<Caller, 'subject' | 'method'>) => ({
    subject: caller.subject,
    method: caller.method,
  });
  switch (entry.kind) {
    case 'start': {
      const changes = changesOf(entry.inputs, includeValues);
      const counts = boundedCounts(changes.counts, perLine);
      const { inline, parts } = placeIds(changes.lists, counts, perLine);
      return [
        {
          audit: true,
          event: 'campaigns.job.start',
          reqId: entry.requestId,
          caller: who(entry.caller),
          job: entry.job.id,
          campaigns: entry.inputs.length,
          total: entry.job.total,
          groups: changes.counts.length,
          counts,
          parts: parts.length,
          ...inline,
        },
        ...parts.map((ids, index): AuditIdsLine => ({
          audit: true,
          event: 'campaigns.job.ids',
          job: entry.job.id,
          reqId: entry.requestId,
          part: index + 1,
          parts: parts.length,
          ...ids,
        })),
      ];
    }
    case 'cancel':
      return [
        {
          audit: true,
          event: 'campaigns.job.cancel',
          reqId: entry.requestId,
          caller: who(entry.caller),
          job: entry.job.id,
          owner: entry.job.owner,
          status: entry.job.status,
          total: entry.job.total,
          done: entry.job.done,
        },
      ];
    case 'end': {
      const { job } = entry;
      return [
        {
          audit: true,
          event: 'campaigns.job.end',
          job: job.id,
          owner: job.owner,
          result: resultOf(job.status, job.succeeded, job.failed),
          status: job.status,
          ...(job.stopReason ? { stopReason: job.stopReason } : {}),
          total: job.total,
          succeeded: job.succeeded,
          failed: job.failed,
          durationMs: entry.durationMs,
        },
      ];
    }
  }
}

function resultOf(
  status: string,
  succeeded: number,
  failed: number,
): Exclude<AuditResult, 'error'> {
  if (status === 'CANCELED') return 'canceled';
  if (failed === 0) return 'complete';
  return succeeded === 0 ? 'failed' : 'partial';
}

/** The file is created 0600; one that already existed may be more open than that. */
function warnIfReadableByOthers(path: string, logger: Logger): void {
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077)
      logger.warn(
        { path, mode: `0${mode.toString(8)}` },
        'AUDIT_LOG: the audit file is readable or writable by other users (chmod 600 it)',
      );
  } catch {
    // It was just opened; a stat failure here is not worth failing the start for.
  }
}
