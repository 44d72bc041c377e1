// `hubspot-campaigns export`: every campaign, page by page through HubSpot's list endpoint,
// written as each page arrives (CSV or JSONL). Each page is read by the core's listCampaignsPage:
// paced by a RateLimitBudget and retried the way the core retries a chunk (its failure classes
// and backoff), so an export of a large account neither causes 429s nor dies of one.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Writable } from 'node:stream';
import {
  checkPropertyName,
  DEFAULT_LIST_PROPERTIES,
  describeFailure,
  DEFAULT_RETRY_POLICY,
  listCampaignsPage,
  ListPageError,
  MAX_LIST_PAGE_SIZE,
  RateLimitBudget,
  type ListPage,
  type ListQuery,
} from '@campaigns/core';
import type { HubSpotClient, PublicCampaign } from '@campaigns/hubspot-client';
import { checkConnectionOptions, connect, type ConnectionOptions } from './connection.js';
import { PageCursors } from './cursors.js';
import { EXIT, plural, StoppedError, UsageError, type CliIo, type ExitCode } from './io.js';
import { createProgress, duration, progressMode } from './progress.js';
import { formatOf } from './rows.js';

/** The properties exported without --properties: the core's list default, what an operator usually edits. */
export const DEFAULT_EXPORT_PROPERTIES: readonly string[] = DEFAULT_LIST_PROPERTIES;

export interface ExportOptions extends ConnectionOptions {
  properties?: string;
  name?: string;
  format?: string;
  output?: string;
  bom?: boolean;
  quiet?: boolean;
  progressInterval?: number;
}

/** What an export writes of a campaign: its id and the properties it was read with. */
export type ExportedCampaign = Pick<PublicCampaign, 'id'> & {
  properties: Record<string, string | null | undefined>;
};

/** One page, from HubSpot or from the gateway. */
export interface ExportPage {
  results: ExportedCampaign[];
  total: number;
  nextAfter?: string | undefined;
}

/** Where pages come from: HubSpot through the core, or the gateway's campaignList (gateway-export.ts). */
export interface PageSource {
  /** For the summary: `HubSpot (v3)`, `the gateway at …`. */
  target: string;
  page(query: ListQuery, figures: { retries: number; rateLimited: number }): Promise<ExportPage>;
  close(): Promise<void>;
}

interface Sink {
  write(campaign: ExportedCampaign): Promise<void> | void;
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
  const connection = await pageSource(options, io);
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
  const figures = { done: 0, failed: 0, retries: 0, rateLimited: 0 };
  const where = options.output ?? 'standard output';
  let outcome: { code: ExitCode; message: string } | undefined;
  try {
    let after: string | undefined;
    let first = true;
    const cursors = new PageCursors();
    do {
      const page = await connection.page(
        {
          limit: MAX_LIST_PAGE_SIZE,
          properties,
          ...(after !== undefined ? { after } : {}),
          ...(options.name !== undefined ? { name: options.name } : {}),
        },
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
      after = page.nextAfter;
      if (after !== undefined && !cursors.advance(after))
        throw new StoppedError(
          `${connection.target} answered a page cursor it had already given: its pages would never end`,
        );
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

/** HubSpot's pages through the core, or the gateway's with --gateway. */
async function pageSource(options: ExportOptions, io: CliIo): Promise<PageSource> {
  if (options.gateway !== undefined) {
    await checkConnectionOptions(options, io);
    // Only loaded when asked for: an export from HubSpot never loads the GraphQL client.
    const { gatewayPages } = await import('./gateway-export.js');
    return gatewayPages(options, io);
  }
  const connection = await connect(options, io);
  const budget = new RateLimitBudget();
  return {
    target: connection.target,
    page: (query, figures) => fetchPage(connection.client, budget, query, io.signal, figures),
    close: () => connection.close(),
  };
}

/** A page that could not be read; the message is safe to show (no host, path, body or secret). */
export class PageFailedError extends Error {
  override readonly name = 'PageFailedError';
}

/** One page through the core (paced by the budget, retried like a chunk), failures in CLI terms. */
async function fetchPage(
  client: HubSpotClient,
  budget: RateLimitBudget,
  query: ListQuery,
  signal: AbortSignal,
  figures: { retries: number; rateLimited: number },
): Promise<ListPage> {
  try {
    return await listCampaignsPage(client, query, {
      budget,
      signal,
      retry: DEFAULT_RETRY_POLICY,
      onRetry: ({ rateLimited }) => {
        figures.retries++;
        if (rateLimited) figures.rateLimited++;
      },
    });
  } catch (error) {
    if (!(error instanceof ListPageError)) throw error;
    switch (error.failure) {
      case 'aborted':
        throw new StoppedError('interrupted');
      case 'auth':
      case 'daily-limit':
        throw new StoppedError(error.message);
      default:
        throw new PageFailedError(error.message);
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
