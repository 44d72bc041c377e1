// `hubspot-campaigns update --file FILE`: check the whole file (nothing is sent if any row is
// wrong), then stream it to HubSpot through @campaigns/core in bounded batches, writing the
// report as results arrive.
//
// Memory: rows are never all held. The first pass keeps only the ids (to find duplicates) and
// writes the checked rows to a temporary file (spool.ts), a batch of `batchRows` rows a line; the
// second reads a line back only when its batch can start, and holds at most two batches (both
// being sent). Two batches overlap only while the first has its last few chunks out, and
// together never have more requests in flight than the core's own single run would.
// Every batch draws from one RateLimitBudget, so the whole file runs under one rate budget.
import path from 'node:path';
import {
  CoreCategory,
  DEFAULT_MAX_CONCURRENCY,
  RateLimitBudget,
  updateCampaigns,
  type CampaignBatchError,
  type StopReason,
  type UpdatedCampaign,
} from '@campaigns/core';
import { connect, checkConnectionOptions, type ConnectionOptions } from './connection.js';
import { IdRows, IdSet } from './ids.js';
import { openInput, type InputFile } from './input.js';
import { Spool } from './spool.js';
import {
  count,
  EXIT,
  MAX_PROBLEMS_SHOWN,
  plural,
  StoppedError,
  UsageError,
  type CliIo,
  type ExitCode,
} from './io.js';
import { createProgress, duration, progressMode } from './progress.js';
import { readOkIds, ReportWriter, type ReportLine } from './report.js';
import {
  formatOf,
  readRows,
  RESET_MARKER,
  type FileFormat,
  type InputRow,
  type RowProblem,
} from './rows.js';

export const DEFAULT_BATCH_ROWS = 1_000;
/**
 * A batch's chunks still to be sent or answered when the next batch may start. The next batch
 * fills the pipe meanwhile; with each batch running at most `BATCH_CONCURRENCY` requests, two
 * together never have more in flight than one run of the core (`DEFAULT_MAX_CONCURRENCY`), and
 * every request in flight holds its body and answer in memory.
 */
const TAIL_CHUNKS = 20;
const BATCH_CONCURRENCY = DEFAULT_MAX_CONCURRENCY - TAIL_CHUNKS;
/** Failed ids listed in the summary when there is no report to look them up in. */
const MAX_FAILED_SHOWN = 20;

export interface UpdateOptions extends ConnectionOptions {
  file: string;
  format?: string;
  dryRun?: boolean;
  report?: string;
  resume?: string;
  ignoreColumns?: string;
  batchRows?: string;
  quiet?: boolean;
  /** Plain progress lines: ms between two (tests set it low). */
  progressInterval?: number;
}

export interface Plan {
  input: InputFile;
  format: FileFormat;
  ignoreColumns: Set<string>;
  /** Ids the `--resume` report marked ok. */
  resumedOk: IdSet;
  batchRows: number;
  /** The rows of the file once checked, for the second pass. */
  spool: Spool;
}

export async function updateCommand(options: UpdateOptions, io: CliIo): Promise<ExitCode> {
  if (!options.dryRun) await checkConnectionOptions(options, io);
  const batchRows =
    options.batchRows === undefined ? DEFAULT_BATCH_ROWS : Number(options.batchRows);
  if (!Number.isInteger(batchRows) || batchRows < 1)
    throw new UsageError(`--batch-rows must be a positive whole number, got ${options.batchRows}`);
  const format = formatOf(options.file, options.format);
  if (options.report !== undefined && options.resume !== undefined) {
    if (path.resolve(io.cwd, options.report) === path.resolve(io.cwd, options.resume))
      throw new UsageError(
        '--report must name a new file, not the --resume one (which is still needed if this run stops)',
      );
  }
  let resumedOk = new IdSet();
  if (options.resume !== undefined) {
    const read = await readOkIds(path.resolve(io.cwd, options.resume));
    resumedOk = read.ok;
    if (read.unreadable > 0)
      io.stderr.write(
        `warning: ${plural(read.unreadable, 'line')} of ${options.resume} could not be read; their ids are sent again\n`,
      );
  }
  const input = await openInput(options.file, io);
  const spool = await Spool.create({ lineRows: batchRows });
  try {
    const plan: Plan = {
      input,
      format,
      ignoreColumns: new Set(
        (options.ignoreColumns ?? '')
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      ),
      resumedOk,
      batchRows,
      spool,
    };
    const scan = await scanFile(plan, io);
    if (options.dryRun) return await dryRun(plan, scan, io);
    if (options.gateway !== undefined) {
      // Only loaded when asked for: a run against HubSpot never loads the GraphQL client.
      const { sendThroughGateway } = await import('./gateway-update.js');
      return await sendThroughGateway(plan, scan, options, io);
    }
    return await send(plan, scan, options, io);
  } finally {
    await spool.dispose();
  }
}

export interface Scan {
  rows: number;
  toSend: number;
  resumed: number;
  unchanged: number;
}

function unit(format: FileFormat): string {
  return format === 'csv' ? 'row' : 'line';
}

/**
 * The first pass: every row checked, duplicates found, the rows kept in the spool; nothing
 * sent. Throws when the file is refused.
 */
async function scanFile(plan: Plan, io: CliIo): Promise<Scan> {
  const scan: Scan = { rows: 0, toSend: 0, resumed: 0, unchanged: 0 };
  const problems: RowProblem[] = [];
  let problemCount = 0;
  const firstRows = new IdRows();
  const report = (problem: RowProblem) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS_SHOWN) problems.push(problem);
  };
  for await (const items of readRows(plan.input.open(), plan)) {
    if (io.signal.aborted)
      throw new StoppedError(`interrupted while checking ${plan.input.name}: nothing was sent`);
    const rows: InputRow[] = [];
    for (const item of items) {
      if ('problem' in item) report(item.problem);
      else if (check(item)) rows.push(item);
    }
    // Once the file is known to be refused, there is no need to keep anything.
    if (problemCount === 0) await plan.spool.write(rows);
  }
  await plan.spool.end();
  /** Whether the row is fine so far (a duplicate is not). */
  function check(row: InputRow): boolean {
    scan.rows++;
    const first = firstRows.firstRow(row.id, row.row);
    if (first !== undefined) {
      report({
        where: `${unit(plan.format)} ${row.row}`,
        message: `campaign ${row.id} is also on ${unit(plan.format)} ${first} (each campaign at most once per file: merge the two)`,
      });
      return false;
    }
    if (plan.resumedOk.has(row.id)) scan.resumed++;
    else if (isEmpty(row.properties)) scan.unchanged++;
    else scan.toSend++;
    return true;
  }
  if (problemCount > 0) {
    const lines = problems.map((p) => `  ${p.where}: ${p.message}`);
    if (problemCount > problems.length)
      lines.push(`  … and ${count(problemCount - problems.length)} more`);
    throw new UsageError(
      `${plan.input.name} has ${plural(problemCount, 'problem')}; nothing was sent:\n${lines.join('\n')}`,
    );
  }
  return scan;
}

function isEmpty(record: Record<string, string>): boolean {
  for (const _ in record) return false;
  return true;
}

function describeChange(properties: Record<string, string>): string {
  return Object.entries(properties)
    .map(([name, value]) => `${name}=${value === '' ? RESET_MARKER : JSON.stringify(value)}`)
    .join(' ');
}

async function dryRun(plan: Plan, scan: Scan, io: CliIo): Promise<ExitCode> {
  let sets = 0;
  let resets = 0;
  for await (const rows of plan.spool.read()) {
    let text = '';
    for (const row of rows) {
      if (plan.resumedOk.has(row.id) || isEmpty(row.properties)) continue;
      for (const value of Object.values(row.properties)) {
        if (value === '') resets++;
        else sets++;
      }
      text += `${unit(plan.format)} ${row.row}  ${row.id}  ${describeChange(row.properties)}\n`;
    }
    if (!io.stdout.write(text)) await new Promise((r) => io.stdout.once('drain', r));
  }
  io.stderr.write(
    `dry run: ${plural(scan.toSend, 'campaign')} would be updated (${plural(sets, 'value')} set, ${count(resets)} reset)` +
      `${scan.unchanged ? `, ${plural(scan.unchanged, 'row')} change nothing` : ''}` +
      `${scan.resumed ? `, ${count(scan.resumed)} skipped as ok in the --resume report` : ''}` +
      `; ${plan.input.name} is valid and nothing was sent\n`,
  );
  return EXIT.OK;
}

/** Why rows never handed to the engine were not sent, by the reason the run stopped. */
export const NOT_SENT: Record<StopReason, { category: string; message: string }> = {
  aborted: { category: CoreCategory.CANCELED, message: 'not sent: the run was interrupted' },
  deadline: { category: CoreCategory.CANCELED, message: 'not sent: the run was interrupted' },
  auth: {
    category: CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE,
    message: 'not sent: HubSpot refused the credentials',
  },
  'daily-limit': {
    category: CoreCategory.DAILY_LIMIT_REACHED,
    message: "not sent: HubSpot's daily request limit is used up",
  },
};

/** Failures that mean "not done because the run stopped" rather than "HubSpot said no". */
const NOT_DONE_CATEGORIES: ReadonlySet<string> = new Set([
  CoreCategory.CANCELED,
  CoreCategory.CANCELED_IN_FLIGHT,
  CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE,
  CoreCategory.DAILY_LIMIT_REACHED,
]);

/** A batch handed to the engine: its progress, and when it nears its end and ends. */
interface BatchRun {
  idsDone: number;
  failed: number;
  /** Resolves once the batch's remaining requests no longer wait for a slot (or it is done). */
  tail: Promise<void>;
  enterTail: () => void;
  done: Promise<void>;
}

export interface Tally {
  ok: number;
  failed: number;
  /** Of `failed`: not done because the run stopped (NOT_DONE_CATEGORIES). */
  notSent: number;
  retries: number;
  rateLimited: number;
  requests: number;
  byCategory: Map<string, { count: number; message: string; ids: string[] }>;
}

/**
 * What a sending run writes to, whichever way it sends: the report (`--report`, redacted with
 * `secrets`) and the progress display.
 */
export async function openRunOutputs(options: UpdateOptions, io: CliIo, secrets: string[]) {
  const report = await ReportWriter.open(
    options.report === undefined ? undefined : path.resolve(io.cwd, options.report),
    secrets,
  );
  const progress = await createProgress(io, {
    verb: 'updated',
    mode: progressMode(io, options.quiet === true),
    ...(options.progressInterval !== undefined ? { intervalMs: options.progressInterval } : {}),
  });
  return { report, progress };
}

async function send(plan: Plan, scan: Scan, options: UpdateOptions, io: CliIo): Promise<ExitCode> {
  const connection = await connect(options, io);
  const { report, progress } = await openRunOutputs(options, io, connection.secrets);
  const tally = newTally();
  let stop: { reason: StopReason; message: string } | undefined;
  /** Ids done in finished batches, and failures among them; progress adds the running ones'. */
  const finished = { done: 0, failed: 0 };
  const running = new Set<BatchRun>();
  const showProgress = () => {
    let { done, failed } = finished;
    for (const batch of running) {
      done += batch.idsDone;
      failed += batch.failed;
    }
    progress.update({ done, failed, retries: tally.retries, rateLimited: tally.rateLimited });
  };
  const budget = new RateLimitBudget();
  const started = performance.now();

  const fail = (row: InputRow, error: FailureLine) => recordFailure(tally, report, row, error);
  const notSent = (rows: InputRow[]) => {
    const why = NOT_SENT[stop?.reason ?? 'aborted'];
    for (const row of rows) fail(row, why);
    finished.done += rows.length;
    finished.failed += rows.length;
  };

  const sendBatch = async (rows: InputRow[], batch: BatchRun): Promise<void> => {
    if (!stop && io.signal.aborted) stop = { reason: 'aborted', message: 'interrupted' };
    if (stop) return notSent(rows);
    // Which row an id came from: for the report's lines, and for errors (built when needed).
    let rowOf: Map<string, InputRow> | undefined;
    const byId = () => {
      if (rowOf) return rowOf;
      rowOf = new Map();
      for (const row of rows) rowOf.set(row.id, row);
      return rowOf;
    };
    // The rows go in as they are: the core sends only each input's id and properties.
    const outcome = await updateCampaigns(connection.client, rows, {
      budget,
      signal: io.signal,
      keepResults: false,
      maxConcurrency: BATCH_CONCURRENCY,
      onResults: (results: UpdatedCampaign[]) => {
        tally.ok += results.length;
        if (!report.enabled) return;
        const rowById = byId();
        for (const campaign of results) {
          const row = rowById.get(campaign.id);
          if (!row) continue;
          const now: Record<string, string> = {};
          // The values HubSpot holds now for what the row changed ("" once reset).
          for (const name in row.properties) now[name] = campaign.properties[name] ?? '';
          report.write({ id: row.id, row: row.row, status: 'ok', properties: now });
        }
      },
      onProgress: (p) => {
        batch.idsDone = p.idsDone;
        batch.failed = p.failed;
        // Little is left of this batch: the next may start filling the pipe.
        if (p.chunksTotal - p.chunksDone <= TAIL_CHUNKS) batch.enterTail();
        showProgress();
      },
      onEvent: (event) => {
        if (event.type === 'retry') tally.retries++;
        else if (event.type === 'rate-limited') tally.rateLimited++;
        else if (event.type === 'stop' && !stop)
          stop = { reason: event.reason, message: event.message };
      },
    });
    tally.requests += outcome.stats.requests;
    for (const error of outcome.errors)
      for (const id of error.ids) {
        const row = byId().get(id);
        if (row) fail(row, error);
      }
    if (outcome.status === 'CANCELED' && !stop)
      stop = { reason: outcome.stopReason ?? 'aborted', message: 'stopped' };
    finished.done += rows.length;
    finished.failed += outcome.numErrors;
    await report.flush();
  };

  const startBatch = (rows: InputRow[]): BatchRun => {
    let enterTail = () => undefined as void;
    const tail = new Promise<void>((resolve) => (enterTail = resolve));
    const batch: BatchRun = { idsDone: 0, failed: 0, tail, enterTail, done: tail };
    running.add(batch);
    batch.done = sendBatch(rows, batch).finally(() => {
      running.delete(batch);
      enterTail();
    });
    // Awaited later; a rejection must not count as unhandled until then.
    batch.done.catch(() => undefined);
    return batch;
  };

  progress.start(scan.toSend);
  const source = rowsToSend(plan, report);
  /** Rows read and not yet handed to the engine: only when the spool's lines are not batches. */
  let carry: InputRow[] = [];
  /**
   * The next batch's rows, read from the spool (a line is a batch, unless some of its rows are
   * not to be sent) and made objects only now that the batch can start: rows held while the
   * previous batches run would live long enough to reach V8's old generation. The exception is
   * the rest of a line a batch did not take (fewer than `batchRows` rows, after `--resume` or
   * rows that change nothing), carried to the next batch.
   */
  const nextBatch = async (): Promise<InputRow[]> => {
    let rows = carry;
    carry = [];
    while (rows.length < plan.batchRows) {
      const next = await source.next();
      if (next.done) break;
      if (rows.length === 0) rows = next.value;
      else for (const row of next.value) rows.push(row);
    }
    if (rows.length > plan.batchRows) {
      carry = rows.slice(plan.batchRows);
      rows = rows.slice(0, plan.batchRows);
    }
    return rows;
  };
  let previous: BatchRun | undefined;
  let beforePrevious: Promise<void> = Promise.resolve();
  try {
    // At most two batches run at once: the next starts when the previous one's last requests
    // are on their way (its tail), so the pipe stays full across batch boundaries.
    for (;;) {
      if (previous) {
        await previous.tail;
        await beforePrevious;
        beforePrevious = previous.done;
      }
      const rows = await nextBatch();
      if (rows.length === 0) break;
      previous = startBatch(rows);
    }
    await beforePrevious;
    await previous?.done;
  } finally {
    await source.return(undefined);
    progress.stop();
    await report.close();
    await connection.close();
  }

  const elapsed = performance.now() - started;
  printSummary(io, {
    scan,
    tally,
    stop,
    elapsed,
    options,
    target: connection.target,
    traffic: `requests ${count(tally.requests)}, retries ${count(tally.retries)}, 429s ${count(tally.rateLimited)}`,
  });
  if (stop) return EXIT.STOPPED;
  return tally.failed > 0 ? EXIT.SOME_FAILED : EXIT.OK;
}

export function newTally(): Tally {
  return {
    ok: 0,
    failed: 0,
    notSent: 0,
    retries: 0,
    rateLimited: 0,
    requests: 0,
    byCategory: new Map(),
  };
}

export type FailureLine = Pick<CampaignBatchError, 'category' | 'message'> &
  Partial<Pick<CampaignBatchError, 'subCategory' | 'httpStatus' | 'correlationId'>>;

/** A row that failed: counted, grouped by category for the summary, and written to the report. */
export function recordFailure(
  tally: Tally,
  report: ReportWriter,
  row: InputRow,
  error: FailureLine,
): void {
  tally.failed++;
  if (NOT_DONE_CATEGORIES.has(error.category)) tally.notSent++;
  const group = tally.byCategory.get(error.category) ?? {
    count: 0,
    message: error.message,
    ids: [],
  };
  group.count++;
  if (group.ids.length < MAX_FAILED_SHOWN) group.ids.push(row.id);
  tally.byCategory.set(error.category, group);
  report.write({
    id: row.id,
    row: row.row,
    status: 'error',
    category: error.category,
    message: error.message,
    ...(error.subCategory !== undefined ? { subCategory: error.subCategory } : {}),
    ...(error.httpStatus !== undefined ? { httpStatus: error.httpStatus } : {}),
    ...(error.correlationId !== undefined ? { correlationId: error.correlationId } : {}),
  });
}

/**
 * The second pass's rows that are to be sent, a chunk at a time. The others are reported here:
 * `ok` (resumed) for an id the --resume report had ok, `skipped` for a row that changes nothing.
 */
export async function* rowsToSend(
  plan: Pick<Plan, 'spool' | 'resumedOk'>,
  report: Pick<ReportWriter, 'write' | 'flush'>,
): AsyncGenerator<InputRow[]> {
  for await (const rows of plan.spool.read()) {
    /** The rows to send, once some row of the line is not (until then: all of them). */
    let send: InputRow[] | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const resumed = plan.resumedOk.has(row.id);
      if (resumed || isEmpty(row.properties)) {
        send ??= rows.slice(0, i);
        const line: ReportLine = resumed
          ? { id: row.id, row: row.row, status: 'ok', resumed: true }
          : { id: row.id, row: row.row, status: 'skipped', reason: 'nothing to change' };
        report.write(line);
      } else send?.push(row);
    }
    // A file of mostly resumed rows writes its lines here, faster than a disk may take them:
    // wait for the report to catch up, so that memory stays bounded whatever the file's length.
    if (send) await report.flush();
    send ??= rows;
    if (send.length > 0) yield send;
  }
}

/** Why a run stopped; `headline` replaces the reason's own words in the summary. */
export interface Stop {
  reason: string;
  message: string;
  headline?: string;
}

export function printSummary(
  io: CliIo,
  s: {
    scan: Scan;
    tally: Tally;
    stop: Stop | undefined;
    elapsed: number;
    options: UpdateOptions;
    target: string;
    /** What it took: `requests 106, retries 6, 429s 6`, `jobs 3`. */
    traffic: string;
  },
): void {
  const { scan, tally, stop, options } = s;
  const lines: string[] = [];
  const rate = tally.ok + tally.failed - tally.notSent;
  const perSecond = s.elapsed > 0 ? Math.round((rate / s.elapsed) * 1000) : 0;
  const head = stop
    ? `Stopped (${stop.headline ?? (stop.reason === 'aborted' ? 'interrupted' : stop.reason === 'auth' ? 'HubSpot refused the credentials' : stop.reason === 'daily-limit' ? "HubSpot's daily limit is used up" : stop.reason)})`
    : 'Done';
  lines.push(
    `${head}: ${count(tally.ok)} of ${plural(scan.toSend, 'campaign')} updated on ${s.target} in ${duration(s.elapsed)} (${count(perSecond)}/s); ` +
      `${count(tally.failed - tally.notSent)} failed${tally.notSent ? `, ${count(tally.notSent)} not done (stopped)` : ''}.`,
  );
  if (stop && (stop.reason === 'auth' || stop.headline !== undefined))
    lines.push(`  ${stop.message}`);
  const extras = [s.traffic];
  if (scan.resumed) extras.push(`${count(scan.resumed)} skipped as ok in ${options.resume}`);
  if (scan.unchanged) extras.push(`${plural(scan.unchanged, 'row')} change nothing`);
  lines.push(`  ${extras.join('; ')}`);
  for (const [category, group] of tally.byCategory) {
    const ids =
      options.report === undefined
        ? ` (${group.ids.join(', ')}${group.count > group.ids.length ? ', …' : ''})`
        : '';
    lines.push(`  ${category} × ${count(group.count)}: ${group.message}${ids}`);
  }
  if (options.report !== undefined) {
    lines.push(`Report: ${options.report}`);
    if (stop || tally.failed > 0)
      lines.push(
        `Send what is not ok yet: hubspot-campaigns update --file ${options.file} --resume ${options.report} --report NEW_REPORT`,
      );
  } else if (stop || tally.failed > 0) {
    lines.push('Pass --report FILE to record every campaign and --resume it later.');
  }
  io.stderr.write(`${lines.join('\n')}\n`);
}
