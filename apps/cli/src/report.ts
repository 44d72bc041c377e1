// The report of an update: JSONL, one line per campaign of the file, written as results arrive,
// and read back by `--resume` (which skips every id a report marked `ok`).
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { redactValue } from '@campaigns/redact';
import { UsageError } from './io.js';
import { IdSet } from './ids.js';

/** One line of a report. `row` is the CSV row (the header is row 1) or the JSONL line. */
export type ReportLine =
  | { id: string; row: number; status: 'ok'; properties: Record<string, string> }
  /** Marked ok by the report given to `--resume`: not sent again. */
  | { id: string; row: number; status: 'ok'; resumed: true }
  /** The row changes nothing (every cell empty): not sent. */
  | { id: string; row: number; status: 'skipped'; reason: string }
  | {
      id: string;
      row: number;
      status: 'error';
      /** HubSpot's (`OBJECT_NOT_FOUND`, `VALIDATION_ERROR`, …) or the core's (`CANCELED`, …). */
      category: string;
      message: string;
      subCategory?: string;
      httpStatus?: number;
      correlationId?: string;
    };

/** Lines are gathered into chunks of about this many characters before they are written. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes report lines to a file (or nowhere, without `--report`), buffering a little and
 * honouring back-pressure at `flush()`. Error lines pass through redaction with the token as a
 * known secret, on top of the client's own: a credential never reaches the file.
 */
export class ReportWriter {
  private buffer = '';
  private constructor(
    private readonly stream: WriteStream | undefined,
    private readonly secrets: string[],
  ) {}

  static async open(file: string | undefined, secrets: string[]): Promise<ReportWriter> {
    if (file === undefined) return new ReportWriter(undefined, secrets);
    const stream = createWriteStream(file);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (error) =>
        reject(new UsageError(`cannot write the report ${file}: ${(error as Error).message}`)),
      );
    });
    return new ReportWriter(stream, secrets);
  }

  /** Whether lines go anywhere (`--report` was given): callers may skip building them. */
  get enabled(): boolean {
    return this.stream !== undefined;
  }

  write(line: ReportLine): void {
    if (!this.stream) return;
    const safe = line.status === 'error' ? redactValue(line, this.secrets) : line;
    this.buffer += `${JSON.stringify(safe)}\n`;
    if (this.buffer.length >= CHUNK_CHARS) this.push();
  }

  private push(): void {
    if (this.buffer.length === 0 || !this.stream) return;
    this.stream.write(this.buffer);
    this.buffer = '';
  }

  /** Writes what is buffered and waits until the file has taken it in (bounded memory). */
  async flush(): Promise<void> {
    this.push();
    if (this.stream?.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.push();
    if (!this.stream) return;
    const stream = this.stream;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  }
}

/**
 * The ids an earlier report marked `ok` (sent and applied, or themselves resumed). A line that is
 * not JSON (e.g. the last one of a run killed mid-write) is ignored: its id is sent again, which
 * is safe, since applying the same values twice changes nothing more.
 */
export async function readOkIds(file: string): Promise<{ ok: IdSet; unreadable: number }> {
  const stream = createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) =>
      reject(new UsageError(`cannot read the report ${file}: ${(error as Error).message}`)),
    );
  });
  await opened;
  const ok = new IdSet();
  let unreadable = 0;
  // Loaded only for --resume: a run without one does not pay for node:readline.
  const { createInterface } = await import('node:readline');
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      unreadable++;
      continue;
    }
    const { id, status } = (line ?? {}) as { id?: unknown; status?: unknown };
    if (typeof id !== 'string') unreadable++;
    else if (status === 'ok') ok.add(id);
  }
  return { ok, unreadable };
}
