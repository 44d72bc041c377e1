// `hubspot-campaigns export`: every campaign, page by page through HubSpot's list endpoint,
// written as each page arrives (CSV or JSONL). Each page is paced by a RateLimitBudget and
// retried the way the core retries a chunk (its failure classes and backoff), so an export of
// a large account neither causes 429s nor dies of one.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { setTimeout as wait } from 'node:timers/promises';
import {
  checkPropertyName,
  describeFailure,
  DEFAULT_RETRY_POLICY,
  RateLimitBudget,
} from '@campaigns/core';
// The core's failure classes and backoff, so a page is retried exactly as a chunk would be.
import { backoffDelay, classifyFailure } from '@campaigns/core/internal';
import {
  HubSpotApiError,
  rateLimitOf,
  type HubSpotClient,
  type PublicCampaign,
} from '@campaigns/hubspot-client';
import { connect, type ConnectionOptions } from './connection.js';
import { EXIT, plural, StoppedError, UsageError, type CliIo, type ExitCode } from './io.js';
import { createProgress, duration, progressMode } from './progress.js';
import { formatOf } from './rows.js';

/** The properties exported without --properties: what an operator usually edits. */
export const DEFAULT_EXPORT_PROPERTIES: readonly string[] = [
  'hs_name',
  'hs_campaign_status',
  'hs_start_date',
  'hs_end_date',
  'hs_owner',
  'hs_goal',
  'hs_audience',
  'hs_notes',
];

/** HubSpot's largest page. */
const PAGE_SIZE = 100;

export interface ExportOptions extends ConnectionOptions {
  properties?: string;
  name?: string;
  format?: string;
  output?: string;
  bom?: boolean;
  quiet?: boolean;
  progressInterval?: number;
}

interface Sink {
  write(campaign: PublicCampaign): Promise<void> | void;
  end(): Promise<void>;
}

export async function exportCommand(options: ExportOptions, io: CliIo): Promise<ExitCode> {
  const properties =
    options.properties === undefined
      ? [...DEFAULT_EXPORT_PROPERTIES]
      : options.properties
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
  if (properties.length === 0) throw new UsageError('--properties names no property');
  for (const name of properties) {
    const problem = checkPropertyName(name);
    if (problem) throw new UsageError(`--properties: ${problem}`);
  }
  const format = formatOf(options.output ?? '', options.format);
  const connection = await connect(options, io);
  let out: Writable = io.stdout;
  try {
    if (options.output !== undefined) out = await openOutput(options.output, io);
  } catch (error) {
    await connection.close();
    throw error;
  }
  const own = out !== io.stdout;
  const sink =
    format === 'csv'
      ? await csvSink(out, own, properties, options.bom === true)
      : jsonlSink(out, own);
  const progress = await createProgress(io, {
    verb: 'exported',
    mode: progressMode(io, options.quiet === true),
    ...(options.progressInterval !== undefined ? { intervalMs: options.progressInterval } : {}),
  });
  const started = performance.now();
  const budget = new RateLimitBudget();
  const figures = { done: 0, failed: 0, retries: 0, rateLimited: 0 };
  const where = options.output ?? 'standard output';
  let outcome: { code: ExitCode; message: string } | undefined;
  try {
    let after: string | undefined;
    let first = true;
    do {
      const page = await fetchPage(
        connection.client,
        budget,
        {
          limit: PAGE_SIZE,
          properties,
          ...(after !== undefined ? { after } : {}),
          ...(options.name !== undefined ? { name: options.name } : {}),
        },
        io.signal,
        figures,
      );
      if (first) progress.start(page.total);
      first = false;
      for (const campaign of page.results) {
        const pending = sink.write(campaign);
        if (pending) await pending;
      }
      figures.done += page.results.length;
      progress.update(figures);
      after = page.paging?.next?.after;
    } while (after !== undefined);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    outcome =
      error instanceof StoppedError
        ? { code: EXIT.STOPPED, message: error.message }
        : {
            code: EXIT.SOME_FAILED,
            message:
              error instanceof PageFailedError ? error.message : describeFailure(error).summary,
          };
  } finally {
    progress.stop();
    await sink.end();
    await connection.close();
  }
  const elapsed = duration(performance.now() - started);
  if (outcome) {
    io.stderr.write(
      `Stopped after ${plural(figures.done, 'campaign')} (${outcome.message}); ${where} is incomplete.\n`,
    );
    return outcome.code;
  }
  io.stderr.write(
    `Exported ${plural(figures.done, 'campaign')} from ${connection.target} to ${where} in ${elapsed} ` +
      `(${format}: id, ${properties.join(', ')}).\n`,
  );
  return EXIT.OK;
}

/** A page HubSpot would not give; the message is safe to show (no host, path or body). */
class PageFailedError extends Error {
  override readonly name = 'PageFailedError';
}

type ListQuery = {
  limit: number;
  properties: string[];
  after?: string;
  name?: string;
};

/** One page, paced by the budget and retried like one of the core's chunks. */
async function fetchPage(
  client: HubSpotClient,
  budget: RateLimitBudget,
  query: ListQuery,
  signal: AbortSignal,
  figures: { retries: number; rateLimited: number },
) {
  const policy = DEFAULT_RETRY_POLICY;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw new StoppedError('interrupted');
    let grantedAt: number;
    try {
      grantedAt = await budget.acquire(signal);
    } catch (error) {
      if (signal.aborted) throw new StoppedError('interrupted');
      throw new StoppedError(describeFailure(error).summary);
    }
    const sentAt = Date.now();
    try {
      const { data, response } = await client.GET('/', { params: { query }, signal });
      const info = rateLimitOf(response);
      if (info) budget.observe(info, grantedAt);
      budget.answered(grantedAt, undefined, 'succeeded', Date.now() - sentAt);
      return data!;
    } catch (error) {
      const answered = error instanceof HubSpotApiError;
      if (answered && error.rateLimit) budget.observe(error.rateLimit, grantedAt);
      budget.answered(grantedAt, undefined, 'failed', answered ? Date.now() - sentAt : undefined);
      if (signal.aborted) throw new StoppedError('interrupted');
      const failure = classifyFailure(error);
      const summary = describeFailure(error).summary;
      switch (failure.kind) {
        case 'auth':
          throw new StoppedError(`HubSpot refused the credentials: ${summary}`);
        case 'daily-limit':
          budget.exhaust(failure.resetsAt);
          throw new StoppedError(summary);
        case 'rate-limited':
          figures.rateLimited++;
          budget.penalize(failure.retryAfterMs, grantedAt);
          break;
        case 'transient':
          break;
        default:
          throw new PageFailedError(summary);
      }
      if (attempt >= policy.maxAttempts)
        throw new PageFailedError(`gave up after ${attempt} attempts; last failure: ${summary}`);
      figures.retries++;
      await wait(backoffDelay(attempt, policy), undefined, { signal }).catch(() => undefined);
    }
  }
}

async function openOutput(file: string, io: CliIo): Promise<Writable> {
  const stream = createWriteStream(path.resolve(io.cwd, file));
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) =>
      reject(new UsageError(`cannot write ${file}: ${(error as Error).message}`)),
    );
  });
  return stream;
}

/** `own`: the sink ends the stream (a file it opened), else leaves it open (standard output). */
async function csvSink(
  out: Writable,
  own: boolean,
  properties: string[],
  bom: boolean,
): Promise<Sink> {
  // Loaded here: an update never needs it.
  const { stringify } = await import('csv-stringify');
  const stringifier = stringify({ header: true, columns: ['id', ...properties], bom });
  stringifier.pipe(out, { end: own });
  const done = own ? once(out, 'finish') : once(stringifier, 'end');
  return {
    write(campaign) {
      const record = [campaign.id, ...properties.map((p) => campaign.properties[p] ?? '')];
      if (!stringifier.write(record)) return once(stringifier, 'drain').then(() => undefined);
    },
    async end() {
      stringifier.end();
      await done;
    },
  };
}

function jsonlSink(out: Writable, own: boolean): Sink {
  return {
    write(campaign) {
      const line = `${JSON.stringify({ id: campaign.id, properties: campaign.properties })}\n`;
      if (!out.write(line)) return once(out, 'drain').then(() => undefined);
    },
    async end() {
      if (!own) return;
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      });
    },
  };
}
