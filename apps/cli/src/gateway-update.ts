// `update --gateway URL`: the checked rows go to the gateway as jobs (startCampaignUpdate) instead
// of to HubSpot from here; the gateway holds the HubSpot credential, the rate budget and the
// engine. The file is checked, the report written and the summary printed as for the direct path
// (update.ts), with the same report lines, so `--resume` reads either.
//
// The spool is read a job's worth at a time (at most --job-size rows, and a body well under the
// gateway's limit); at most MAX_ACTIVE_JOBS of this run's jobs are queued or running at once, so
// the gateway has the next one queued when one ends, and this process holds at most that many
// jobs' rows and one more being read. A job that ended is paged (its results for the `ok` lines
// with the values HubSpot holds now, its error groups for the failed ids) before its rows are
// let go: every row of a job gets exactly one line.
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreCategory, type StopReason } from '@campaigns/core';
import {
  CampaignUpdateJobDocument,
  CampaignUpdateJobErrorGroupsDocument,
  CancelCampaignUpdateDocument,
  StartCampaignUpdateDocument,
  type CampaignUpdateInput,
} from '@campaigns/graphql';
import { redactString } from '@campaigns/redact';
import { PageCursors } from './cursors.js';
import { jobSizeOf } from './gateway-options.js';
import {
  checkCampaignPage,
  checkErrorGroup,
  checkProgress,
  GatewayError,
  openGateway,
  timings,
  type ErrorGroup,
  type GatewayClient,
  type JobProgress,
} from './gateway.js';
import { EXIT, plural, type CliIo, type ExitCode } from './io.js';
import type { InputRow } from './rows.js';
import { heldSecrets } from './secrets.js';
import {
  NOT_SENT,
  newTally,
  openRunOutputs,
  printSummary,
  recordFailure,
  rowsToSend,
  type FailureLine,
  type Plan,
  type Scan,
  type Stop,
  type UpdateOptions,
} from './update.js';

/** This run's jobs queued or running at the gateway at once. */
const MAX_ACTIVE_JOBS = 2;
/**
 * The largest job body sent: half the gateway's default MAX_JOB_BODY_BYTES (16 MiB), which it
 * takes from a caller with a credential; without one (AUTH_MODE=none) its MAX_BODY_BYTES (1 MiB)
 * applies. A gateway set lower answers 413, and the job is split in two.
 */
const MAX_JOB_BODY_BYTES = 8 * 1024 * 1024;
const MAX_ANONYMOUS_BODY_BYTES = 900 * 1024;
/** A job's results and error groups are read this many at a time (the gateway's largest page). */
const PAGE = 1_000;
/** A wait before starting again after JOB_LIMIT_EXCEEDED when none of this run's jobs runs. */
const JOB_LIMIT_WAIT_MS = 1_000;

/** The gateway's stop reasons in the core's words (what NOT_SENT and the summary know). */
const STOP_REASONS: Record<NonNullable<JobProgress['stopReason']>, StopReason> = {
  ABORTED: 'aborted',
  DEADLINE: 'deadline',
  AUTH: 'auth',
  DAILY_LIMIT: 'daily-limit',
};

interface JobRun {
  id: string;
  rows: InputRow[];
  done: number;
  failed: number;
  ended: Promise<void>;
  cancel(): void;
}

export async function sendThroughGateway(
  plan: Plan,
  scan: Scan,
  options: UpdateOptions,
  io: CliIo,
): Promise<ExitCode> {
  /** --job-size, lowered to the gateway's MAX_CAMPAIGNS_PER_JOB once it says it is lower. */
  let jobSize = jobSizeOf(options);
  const gateway = await openGateway(options, io);
  // Every text the gateway sent (its messages, HubSpot's, job ids) is redacted before it is kept.
  const safe = (text: string) => redactString(text, heldSecrets(io));
  const maxBodyBytes = gateway.credentialed ? MAX_JOB_BODY_BYTES : MAX_ANONYMOUS_BODY_BYTES;
  const { report, progress } = await openRunOutputs(options, io, gateway.secrets);
  const tally = newTally();
  let stop: Stop | undefined;
  /** Jobs the gateway accepted: once there is one, something may have been applied. */
  let jobsStarted = 0;
  /** The gateway refused the input before any job ran: exit 2, as for a bad file. */
  let refusedFirst = false;
  const finished = { done: 0, failed: 0 };
  const running = new Set<JobRun>();
  const showProgress = () => {
    let { done, failed } = finished;
    for (const job of running) {
      done += job.done;
      failed += job.failed;
    }
    progress.update({ done, failed, retries: 0, rateLimited: 0 });
  };
  const started = performance.now();
  /** Notices said once a run: `JOB_LIMIT_EXCEEDED` waits, a lower MAX_CAMPAIGNS_PER_JOB. */
  const said = new Set<string>();
  const sayOnce = (key: string, text: string) => {
    if (said.has(key)) return;
    said.add(key);
    io.stderr.write(`${text}\n`);
  };
  // The gateway's words (HubSpot's messages, its refusals) reach the summary on stderr too.
  let lastMessage: [string, string] = ['', ''];
  const fail = (row: InputRow, error: FailureLine) => {
    if (lastMessage[0] !== error.message) lastMessage = [error.message, safe(error.message)];
    recordFailure(tally, report, row, { ...error, message: lastMessage[1] });
  };
  const notSentWhy = (): FailureLine => {
    if (stop?.reason === 'gateway-auth')
      return {
        category: CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE,
        message: 'not sent: the gateway refused the credential',
      };
    if (stop?.reason === 'unreachable')
      return {
        category: CoreCategory.CANCELED,
        message: 'not sent: the gateway could not be reached',
      };
    if (stop?.reason === 'input')
      return {
        category: CoreCategory.CANCELED,
        message: 'not sent: the gateway refused the input of an earlier job',
      };
    return NOT_SENT[(stop?.reason as StopReason | undefined) ?? 'aborted'] ?? NOT_SENT.aborted;
  };
  const notSent = (rows: InputRow[]) => {
    const why = notSentWhy();
    settle(rows, () => why);
  };
  /** The first stop wins; a GatewayError stops the run by what it means. */
  const stopFor = (error: GatewayError) => {
    if (stop) return;
    if (error.failure === 'auth')
      stop = {
        reason: 'gateway-auth',
        message: error.message,
        headline: 'the gateway refused the credential',
      };
    else if (error.failure === 'unreachable')
      stop = {
        reason: 'unreachable',
        message: error.message,
        headline: 'the gateway could not be reached',
      };
    else stop = { reason: 'failed', message: error.message, headline: 'the gateway failed' };
  };

  const onAbort = () => {
    if (!stop) stop = { reason: 'aborted', message: 'interrupted' };
    for (const job of running) job.cancel();
  };
  io.signal.addEventListener('abort', onAbort, { once: true });

  /** Follows a started job to its end, then writes a line for each of its rows. */
  const runJob = (start: JobProgress, rows: InputRow[]): JobRun => {
    let canceling = false;
    /** Aborted when a canceled job did not end in time: it is then no longer waited for. */
    const giveUp = new AbortController();
    let grace: ReturnType<typeof setTimeout> | undefined;
    const job: JobRun = {
      id: start.id,
      rows,
      done: 0,
      failed: 0,
      ended: Promise.resolve(),
      cancel() {
        if (canceling) return;
        canceling = true;
        // Answered once the job ended; its end is seen by following it, failures included.
        gateway.request(CancelCampaignUpdateDocument, { id: start.id }).catch(() => undefined);
        grace = setTimeout(
          () =>
            giveUp.abort(
              new Error(
                `job ${start.id} did not end within ${timings.cancelGraceMs / 1000} s of its cancel`,
              ),
            ),
          timings.cancelGraceMs,
        );
      },
    };
    job.ended = (async () => {
      let failures = 0;
      try {
        const last = await gateway.follow(
          start.id,
          (p) => {
            job.done = p.done;
            job.failed = p.failed;
            showProgress();
          },
          giveUp.signal,
        );
        if (last.status === 'CANCELED' && !stop) {
          const reason = STOP_REASONS[last.stopReason ?? 'ABORTED'];
          stop =
            reason === 'auth'
              ? {
                  reason,
                  message: `HubSpot refused the credential of ${gateway.target}`,
                  headline: "HubSpot refused the gateway's credential",
                }
              : reason === 'aborted'
                ? {
                    reason,
                    message: `job ${start.id} was canceled at the gateway, not by this command`,
                    headline: 'a job was canceled at the gateway',
                  }
                : { reason, message: `job ${start.id} stopped (${last.stopReason})` };
        }
        const outcome = await readOutcome(gateway, start.id, rows, giveUp.signal, safe);
        failures = writeOutcome(start.id, rows, outcome);
      } catch (error) {
        let why: string;
        if (error instanceof GatewayError) {
          stopFor(error);
          why = error.message;
        } else {
          // Nothing planned for: the job's rows still get their lines, and the run stops.
          why = safe(`unexpected error: ${(error as Error)?.message ?? String(error)}`);
          stop ??= {
            reason: 'failed',
            message: `job ${start.id}'s outcome could not be read (${why})`,
            headline: 'an unexpected error',
          };
        }
        // How the job ended cannot be asked: it may have applied any of its updates.
        failures = rows.length;
        for (const row of rows)
          fail(row, {
            category: CoreCategory.CANCELED_IN_FLIGHT,
            message: `sent in job ${start.id}, whose outcome could not be read (${why}): HubSpot may or may not have applied it`,
          });
      } finally {
        clearTimeout(grace);
        running.delete(job);
        finished.done += rows.length;
        finished.failed += failures;
        await report.flush();
        showProgress();
      }
    })();
    return job;
  };

  /**
   * Writes one line per row of an ended job; answers how many failed. A row the job answered
   * both ways, or not at all, is not claimed ok: it says what the gateway answered, and --resume
   * sends it again.
   */
  const writeOutcome = (id: string, rows: InputRow[], outcome: Outcome): number => {
    let failures = 0;
    for (const row of rows) {
      const now = outcome.ok.get(row.id);
      const failure = outcome.failed.get(row.id);
      if (now !== undefined && failure === undefined) {
        tally.ok++;
        report.write({ id: row.id, row: row.row, status: 'ok', properties: now });
        continue;
      }
      failures++;
      fail(
        row,
        failure ?? {
          category: CoreCategory.CANCELED_IN_FLIGHT,
          message: `sent in job ${id}, which has no answer for it (neither among its results nor in its error groups): HubSpot may or may not have applied it`,
        },
      );
    }
    return failures;
  };

  /** Waits until fewer than MAX_ACTIVE_JOBS of this run's jobs are active. */
  const slot = async () => {
    while (running.size >= MAX_ACTIVE_JOBS) await Promise.race([...running].map((j) => j.ended));
  };

  /** Writes these rows' lines as not run, and counts them done. */
  const settle = (rows: InputRow[], line: (row: InputRow) => FailureLine) => {
    for (const row of rows) fail(row, line(row));
    finished.done += rows.length;
    finished.failed += rows.length;
  };

  /**
   * Starts a job with these rows: split when the gateway finds its body too large or its
   * campaigns too many; the rows it refuses are reported, the others sent again (or, when it
   * refused the first job, not: the run stops as for a bad file).
   */
  const launch = async (rows: InputRow[], body: string[]): Promise<void> => {
    await slot();
    if (!stop && io.signal.aborted) stop = { reason: 'aborted', message: 'interrupted' };
    if (stop) return notSent(rows);
    let start: JobProgress;
    /** Waits on JOB_LIMIT_EXCEEDED while none of this run's jobs was active (ms). */
    let waitedAlone = 0;
    for (;;) {
      try {
        const answer = await gateway.request(
          StartCampaignUpdateDocument,
          { inputs: [] },
          {
            // The inputs as they were measured, each serialized once.
            variablesJson: `{"inputs":[${body.join(',')}]}`,
            // A start that may have arrived is never sent again: it would queue a second job.
            retry: false,
          },
        );
        try {
          start = checkProgress(answer.startCampaignUpdate);
        } catch (error) {
          // Answered, but not with a job: the gateway may have queued one all the same.
          const malformed = error as GatewayError;
          stopFor(malformed);
          return settle(rows, () => ({
            category: CoreCategory.CANCELED_IN_FLIGHT,
            message: `sent to the gateway as a job whose answer was malformed (${malformed.message}): it may have queued it, and HubSpot may or may not have applied it`,
          }));
        }
        break;
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        if (error.failure === 'job-limit') {
          // This caller's other jobs (or another run's) hold the gateway's queue: wait for room.
          // Each wait ends: one of this run's jobs ends, or a second passes (other runs' jobs).
          sayOnce(
            'job-limit',
            `${gateway.target} holds as many jobs of this credential as it takes (${error.message}): waiting for one to end`,
          );
          if (running.size > 0) await Promise.race([...running].map((j) => j.ended));
          else if (waitedAlone >= timings.jobLimitGiveUpMs) {
            // Other runs' jobs hold the queue this long: stop rather than wait without end.
            stop ??= {
              reason: 'failed',
              message: `${gateway.target} held as many jobs of this credential as it takes for ${waitedAlone / 1000} s with none of this run's (${error.message})`,
              headline: "the gateway's job queue stayed full",
            };
          } else {
            await sleep(JOB_LIMIT_WAIT_MS);
            waitedAlone += JOB_LIMIT_WAIT_MS;
          }
          if (!stop && io.signal.aborted) stop = { reason: 'aborted', message: 'interrupted' };
          if (stop) return notSent(rows);
          continue;
        }
        const most = jobLimitOf(error);
        if (most !== undefined && most < rows.length) {
          // The gateway takes fewer campaigns per job than --job-size: jobs of its size from here.
          sayOnce(
            'job-size',
            `${gateway.target} takes at most ${plural(most, 'campaign')} per job (its MAX_CAMPAIGNS_PER_JOB): sending jobs of that size`,
          );
          jobSize = Math.min(jobSize, most);
          for (let from = 0; from < rows.length; from += most)
            await launch(rows.slice(from, from + most), body.slice(from, from + most));
          return;
        }
        if (error.failure === 'too-large' && rows.length > 1) {
          const half = Math.ceil(rows.length / 2);
          await launch(rows.slice(0, half), body.slice(0, half));
          await launch(rows.slice(half), body.slice(half));
          return;
        }
        if (error.failure === 'input') return refused(error, rows, body);
        stopFor(error);
        if (error.failure === 'unreachable' && error.mayHaveArrived)
          return settle(rows, () => ({
            category: CoreCategory.CANCELED_IN_FLIGHT,
            message: `sent to the gateway as a job whose answer was lost (${error.message}): it may have queued it, and HubSpot may or may not have applied it`,
          }));
        return notSent(rows);
      }
    }
    jobsStarted++;
    const job = runJob(start, rows);
    running.add(job);
    // Awaited by slot() and at the end; a failure must not count as unhandled until then.
    job.ended.catch(() => undefined);
    if (stop || io.signal.aborted) job.cancel();
  };

  /**
   * BAD_USER_INPUT for a job: nothing of it was queued. The rows it names get its words, by
   * column. The first job refused stops the run (exit 2, as for a bad file: nothing was sent);
   * later, when every problem is named, the other rows go again as a job of their own.
   */
  const refused = async (error: GatewayError, rows: InputRow[], body: string[]) => {
    const { byId: problems, matched } = namedProblems(error, rows, safe);
    const summary = safe(
      problems.size > 0
        ? `${[...problems.values()].slice(0, 3).join('; ')}${problemCountOf(error) > 3 ? '; …' : ''}`
        : error.message,
    );
    io.stderr.write(`${gateway.target} refused a job's input: ${summary}\n`);
    const allNamed = matched > 0 && problemCountOf(error) === matched;
    if (jobsStarted === 0 || !allNamed) {
      if (jobsStarted === 0) {
        refusedFirst = true;
        stop ??= { reason: 'input', message: summary, headline: 'the gateway refused the input' };
      }
      return settle(rows, (row) => {
        const own = problems.get(row.id);
        if (own !== undefined) return { category: 'BAD_USER_INPUT', message: own };
        if (problems.size === 0) return { category: 'BAD_USER_INPUT', message: summary };
        return {
          category: CoreCategory.CANCELED,
          message: `not sent: the gateway refused the job it was in (${summary})`,
        };
      });
    }
    const at = rows.map((row) => !problems.has(row.id));
    settle(
      rows.filter((_, i) => !at[i]),
      (row) => ({ category: 'BAD_USER_INPUT', message: problems.get(row.id)! }),
    );
    const rest = rows.filter((_, i) => at[i]);
    if (rest.length > 0)
      await launch(
        rest,
        body.filter((_, i) => at[i]),
      );
  };

  progress.start(scan.toSend);
  let rows: InputRow[] = [];
  let body: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (rows.length === 0) return;
    const [r, b] = [rows, body];
    rows = [];
    body = [];
    bytes = 0;
    await launch(r, b);
  };
  try {
    for await (const chunk of rowsToSend(plan, report)) {
      for (const row of chunk) {
        const input: CampaignUpdateInput = {
          id: row.id,
          properties: Object.entries(row.properties).map(([name, value]) => ({ name, value })),
        };
        const text = JSON.stringify(input);
        const size = Buffer.byteLength(text) + 1;
        if (rows.length > 0 && (rows.length >= jobSize || bytes + size > maxBodyBytes))
          await flush();
        rows.push(row);
        body.push(text);
        bytes += size;
      }
    }
    await flush();
    while (running.size > 0) await Promise.all([...running].map((j) => j.ended));
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    progress.stop();
    await report.close();
  }

  printSummary(io, {
    scan,
    tally,
    stop: stop && { ...stop, message: safe(stop.message) },
    elapsed: performance.now() - started,
    options,
    target: gateway.target,
    traffic: `${plural(jobsStarted, 'job')} at the gateway`,
  });
  if (refusedFirst && jobsStarted === 0) return EXIT.BAD_INPUT;
  if (stop) return EXIT.STOPPED;
  return tally.failed > 0 ? EXIT.SOME_FAILED : EXIT.OK;
}

/** A BAD_USER_INPUT's count of problems (`problemCount`; 1 when it does not say). */
function problemCountOf(error: GatewayError): number {
  const n = error.extensions.problemCount;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 1;
}

/** The MAX_CAMPAIGNS_PER_JOB a BAD_USER_INPUT says the gateway has, when that is its reason. */
function jobLimitOf(error: GatewayError): number | undefined {
  if (error.failure !== 'input') return undefined;
  const limit = error.extensions.limit as { setting?: unknown; max?: unknown } | undefined;
  return limit?.setting === 'MAX_CAMPAIGNS_PER_JOB' &&
    typeof limit.max === 'number' &&
    Number.isSafeInteger(limit.max) &&
    limit.max > 0
    ? limit.max
    : undefined;
}

/**
 * A BAD_USER_INPUT's problems by the id of the row each is about, in the file's words: `row 12
 * (id …) hs_notes: is 70000 characters long, …` (the gateway names `inputs[i].properties[j]`).
 */
function namedProblems(
  error: GatewayError,
  rows: InputRow[],
  safe: (text: string) => string,
): { byId: Map<string, string>; matched: number } {
  const named = new Map<string, string>();
  let matched = 0;
  const problems = Array.isArray(error.extensions.problems) ? error.extensions.problems : [];
  for (const problem of problems) {
    const { index, field, message } = (problem ?? {}) as Record<string, unknown>;
    const row = typeof index === 'number' ? rows[index] : undefined;
    if (!row || typeof message !== 'string') continue;
    const where = typeof field === 'string' ? ` ${columnOf(row, field)}` : '';
    const text = safe(`row ${row.row} (${row.id})${where}: ${message}`);
    const before = named.get(row.id);
    named.set(row.id, before === undefined ? text : `${before}; ${text}`);
    matched++;
  }
  return { byId: named, matched };
}

/** `properties[1].value` → the column (property) it is, as the row sent them; else as it is. */
function columnOf(row: InputRow, field: string): string {
  const at = /^properties\[(\d+)\](?:\.(?:name|value))?$/.exec(field);
  if (!at) return field;
  const name = Object.keys(row.properties)[Number(at[1])];
  return name ?? field;
}

interface Outcome {
  /** Per updated id, the values HubSpot holds now for the properties its row changed. */
  ok: Map<string, Record<string, string>>;
  failed: Map<string, FailureLine>;
}

/**
 * An ended job's answers: its results page by page (with the campaigns' values), and its error
 * groups (those listed with the first page when they are all there, else page by page). Only what
 * the rows need is kept. A gateway whose pages do not end (a cursor seen before, more pages than
 * the job's rows need, a page over the size asked) is refused as malformed; `signal` ends the
 * reading (a canceled job no longer waited for).
 */
async function readOutcome(
  gateway: GatewayClient,
  id: string,
  rows: InputRow[],
  signal: AbortSignal,
  safe: (text: string) => string,
): Promise<Outcome> {
  const rowById = new Map(rows.map((row) => [row.id, row]));
  const ok = new Map<string, Record<string, string>>();
  const failed = new Map<string, FailureLine>();
  let groups: ErrorGroup[] | undefined;
  let after: string | null = null;
  const cursors = new PageCursors();
  let most = 1;
  for (let pages = 1; ; pages++) {
    const answer: Awaited<ReturnType<typeof readResults>> = await readResults(
      gateway,
      id,
      after,
      signal,
    );
    const job = answer.campaignUpdateJob;
    const progress = checkProgress(job, id);
    // A job of `total` rows has at most ceil(total / PAGE) pages of results (and one empty).
    if (pages === 1) most = Math.ceil(progress.total / PAGE) + 1;
    const page = checkCampaignPage(job!.results, `job ${id}'s results`);
    if (page.campaigns.length > PAGE) throw malformed(id, 'results', `a page over ${PAGE}`);
    if (groups === undefined) {
      const count: unknown = job!.errorCount;
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)
        throw malformed(id, 'error count', 'not a count');
      const listed: ErrorGroup[] = [];
      if (Array.isArray(job!.errors)) {
        if (job!.errors.length > PAGE) throw malformed(id, 'error groups', `over ${PAGE}`);
        for (const group of job!.errors) listed.push(checkErrorGroup(group));
      }
      groups = count <= listed.length ? listed : await readErrorGroups(gateway, id, count, signal);
    }
    for (const campaign of page.campaigns) {
      const row = rowById.get(campaign.id);
      if (!row) continue;
      const now: Record<string, string> = {};
      // The values HubSpot holds now for what the row changed ("" once reset).
      for (const name in row.properties) now[name] = campaign.properties[name] ?? '';
      ok.set(campaign.id, now);
    }
    if (!page.hasNextPage || !page.endCursor) break;
    if (!cursors.advance(page.endCursor)) throw malformed(id, 'results', 'a cursor seen before');
    if (pages >= most) throw malformed(id, 'results', `more than ${most} pages`);
    after = page.endCursor;
  }
  for (const group of groups) {
    const line: FailureLine = {
      category: safe(group.category),
      message: safe(group.message),
      ...(group.subCategory !== undefined ? { subCategory: safe(group.subCategory) } : {}),
      ...(group.httpStatus !== undefined ? { httpStatus: group.httpStatus } : {}),
      ...(group.correlationId !== undefined ? { correlationId: safe(group.correlationId) } : {}),
    };
    for (const failedId of group.ids) if (rowById.has(failedId)) failed.set(failedId, line);
  }
  return { ok, failed };
}

/** A gateway answer refused for how it pages: the job's rows cannot be told. */
function malformed(id: string, what: string, why: string): GatewayError {
  return new GatewayError(
    `the gateway's answer (job ${id}'s ${what}) is malformed: ${why}`,
    'failed',
  );
}

function readResults(
  gateway: GatewayClient,
  id: string,
  after: string | null,
  signal: AbortSignal,
) {
  return gateway.request(CampaignUpdateJobDocument, { id, first: PAGE, after }, { signal });
}

/** A job's error groups, page by page: at most `count` (its errorCount) groups, so pages. */
async function readErrorGroups(
  gateway: GatewayClient,
  id: string,
  count: number,
  signal: AbortSignal,
): Promise<ErrorGroup[]> {
  const groups: ErrorGroup[] = [];
  let after: string | null = null;
  const cursors = new PageCursors();
  for (let pages = 1; ; pages++) {
    const answer: Awaited<ReturnType<typeof readGroupsPage>> = await readGroupsPage(
      gateway,
      id,
      after,
      signal,
    );
    const job = answer.campaignUpdateJob;
    if (!job) checkProgress(job, id);
    const page = job!.errorGroups;
    if (!page || !Array.isArray(page.groups) || typeof page.pageInfo?.hasNextPage !== 'boolean')
      throw malformed(id, 'error groups', 'not a page');
    if (page.groups.length > PAGE) throw malformed(id, 'error groups', `a page over ${PAGE}`);
    for (const group of page.groups) groups.push(checkErrorGroup(group));
    if (groups.length > count) throw malformed(id, 'error groups', `more than its ${count}`);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return groups;
    const cursor = page.pageInfo.endCursor;
    if (!cursors.advance(cursor)) throw malformed(id, 'error groups', 'a cursor seen before');
    if (pages >= count) throw malformed(id, 'error groups', `more than ${count} pages`);
    after = cursor;
  }
}

function readGroupsPage(
  gateway: GatewayClient,
  id: string,
  after: string | null,
  signal: AbortSignal,
) {
  return gateway.request(
    CampaignUpdateJobErrorGroupsDocument,
    { id, first: PAGE, after },
    { signal },
  );
}
