// The audit trail: one JSON line per change, i.e. per updateCampaigns call that reached the
// engine, whatever its result (COMPLETE, partial, CANCELED, or an error of the gateway's own:
// HubSpot may have applied part of it). Refusals – BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN,
// 429 – send nothing and change nothing: they are in the request log, not here. Jobs add three
// lines: a job queued (startCampaignUpdate: who, and what it is to change, as for
// updateCampaigns), a cancel asked (cancelCampaignUpdate), and a job's end (written by the
// process whose worker ended it: status, stop reason and counts, not the ids).
//
// A line says who (subject and auth method), what (ids and property names; values only with
// AUDIT_LOG_VALUES=true), the result of every id (ok, or its error category), the status and
// stop reason, the request id and the time. It is compact – ids grouped by the set of property
// names they changed and by result – so a 1,000-campaign mutation is one line of a few tens of
// KB. Lines go through createLogger, so the gateway's redaction and secret scrubbing apply.
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
  /** Writes the line for one change. Never throws: a failure is logged, the caller's answer stands. */
  record(entry: AuditEntry): void;
  /** Writes the line of a job's start, cancel or end. Never throws, as `record`. */
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

/** What a line says was (or is to be) changed: ids by property names, or with values. */
export interface AuditChanges {
  /** Without values: ids grouped by the property names they changed. */
  changes?: Array<{ properties: string[]; ids: string[] }>;
  /** With AUDIT_LOG_VALUES=true: each input with its values. */
  values?: Array<{ id: string; properties: Record<string, string> }>;
}

type AuditResult = 'complete' | 'partial' | 'failed' | 'canceled' | 'error';

/** The audit line's fields after the logger's own (level, time, service, name, msg). */
export interface AuditLine extends AuditChanges {
  audit: true;
  event: 'campaigns.update';
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
  /** Ids that were updated. */
  ok?: string[];
  /** Ids that were not, by error category. */
  errors?: Array<{ category: string; ids: string[] }>;
  /** When the engine threw (type and message; never a stack). */
  error?: { type: string; message: string };
}

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
    } & AuditChanges)
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

  /** Writes one line; a failure is logged, never thrown. */
  const write = (line: () => object, message: string, reqId: string | undefined) => {
    try {
      audit.info(line(), message);
    } catch (error) {
      options.logger.error(
        { err: error, ...(reqId ? { reqId } : {}) },
        'could not write the audit line',
      );
    }
  };

  return {
    sink: sink.kind,
    record(entry) {
      write(() => auditLine(entry, config.includeValues), 'campaigns updated', entry.requestId);
    },
    recordJob(entry) {
      write(
        () => jobAuditLine(entry, config.includeValues),
        JOB_MESSAGES[entry.kind],
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

/** The audit line of one change. */
export function auditLine(entry: AuditEntry, includeValues: boolean): AuditLine {
  const { outcome } = entry;
  const line: AuditLine = {
    audit: true,
    event: 'campaigns.update',
    reqId: entry.requestId,
    caller: { subject: entry.caller.subject, method: entry.caller.method },
    result: outcome ? resultOf(outcome.status, outcome.results.length, outcome.numErrors) : 'error',
    ...(outcome ? { status: outcome.status } : {}),
    ...(outcome?.stopReason ? { stopReason: outcome.stopReason } : {}),
    campaigns: entry.inputs.length,
    ...(outcome ? { succeeded: outcome.results.length, failed: outcome.numErrors } : {}),
    durationMs: entry.durationMs,
  };

  Object.assign(line, changesOf(entry.inputs, includeValues));

  if (outcome) {
    line.ok = outcome.results.map((r) => r.id);
    const byCategory = new Map<string, string[]>();
    for (const error of outcome.errors) {
      const ids = byCategory.get(error.category) ?? [];
      for (const id of error.ids) ids.push(id);
      byCategory.set(error.category, ids);
    }
    line.errors = [...byCategory].map(([category, ids]) => ({ category, ids }));
  } else {
    const { type, message } = serializeError(entry.error);
    line.error = { type, message };
  }
  return line;
}

/** What `inputs` change: ids by the property names they set, or (`includeValues`) each value. */
function changesOf(inputs: ReadonlyArray<UpdateInput>, includeValues: boolean): AuditChanges {
  if (includeValues)
    return {
      values: inputs.map((input) => ({
        id: input.id,
        // Own entries only, copied into a fresh object (the names are validated already).
        properties: Object.fromEntries(Object.entries(input.properties)),
      })),
    };
  const groups = new Map<string, { properties: string[]; ids: Set<string> }>();
  for (const input of inputs) {
    const names = Object.keys(input.properties).sort();
    const key = names.join('\u0000');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { properties: names, ids: new Set() }));
    group.ids.add(input.id);
  }
  return {
    changes: [...groups.values()].map((g) => ({ properties: g.properties, ids: [...g.ids] })),
  };
}

const JOB_MESSAGES: Record<JobAuditEntry['kind'], string> = {
  start: 'campaign update job queued',
  cancel: 'campaign update job cancel asked',
  end: 'campaign update job ended',
};

/** The audit line of a job's start, cancel or end. */
export function jobAuditLine(entry: JobAuditEntry, includeValues: boolean): JobAuditLine {
  const who = (caller: Pick<Caller, 'subject' | 'method'>) => ({
    subject: caller.subject,
    method: caller.method,
  });
  switch (entry.kind) {
    case 'start':
      return {
        audit: true,
        event: 'campaigns.job.start',
        reqId: entry.requestId,
        caller: who(entry.caller),
        job: entry.job.id,
        campaigns: entry.inputs.length,
        total: entry.job.total,
        ...changesOf(entry.inputs, includeValues),
      };
    case 'cancel':
      return {
        audit: true,
        event: 'campaigns.job.cancel',
        reqId: entry.requestId,
        caller: who(entry.caller),
        job: entry.job.id,
        owner: entry.job.owner,
        status: entry.job.status,
        total: entry.job.total,
        done: entry.job.done,
      };
    case 'end': {
      const { job } = entry;
      return {
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
      };
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
