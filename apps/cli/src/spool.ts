// What the first pass read, kept for the second in a private temporary file of JSON lines. The
// first pass parses the CSV (or JSONL) and checks every row; the second sends them without
// parsing the file again, and standard input, which can be read only once, needs no other copy.
//
// A line holds `lineRows` rows (the second pass's batch: a batch is then one line, read and
// decoded only when it can be sent at once), or fewer once its text passes MAX_LINE_CHARS. It is
// a flat array, `[names, row, id, n, name, value, …, row, id, n, …]`: the property names of the
// line's rows, then per row its number, id, how many properties it changes and each as the index
// of its name and its value ("" resets), in the row's order. Flat arrays of strings and numbers
// are what JSON writes and reads fastest, and a name is written once a line instead of once a row.
//
// Memory: the rows of a line are objects only from the moment the second pass asks for them.
// Between two lines the reader holds one reused buffer of bytes, outside the JavaScript heap, so
// no row waits for its batch long enough for V8 to move it to the old generation, where garbage
// stays until a full collection.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { InputRow } from './rows.js';
import { describeLimit, NotUtf8Error, Utf8Decoder } from './text.js';

/** A line that cannot be read: too long, or not UTF-8. Every line before it was handed out. */
export class LineError extends Error {
  override readonly name = 'LineError';
  constructor(
    /** The line at fault, from 1. */
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ReadLinesOptions {
  /** The longest line taken, in characters (its line break not counted); longer: a LineError. */
  maxLineChars?: number;
}

/**
 * The lines of a UTF-8 stream, a chunk's worth at a time (a line may span chunks), without their
 * `\n`. Linear in the stream's length: each chunk's text is searched once, and the pieces of a
 * line spanning chunks are joined once, when its end arrives.
 */
export async function* readLines(
  source: AsyncIterable<unknown>,
  options: ReadLinesOptions = {},
): AsyncGenerator<string[]> {
  const max = options.maxLineChars ?? Infinity;
  const decoder = new Utf8Decoder();
  /** The start of the current line, in pieces, and their length. */
  let held: string[] = [];
  let heldLength = 0;
  let done = 0;
  const tooLong = () =>
    new LineError(
      done + 1,
      `a line longer than ${describeLimit(max)} (a JSONL line is one campaign: ids and values of at most 65,536 characters)`,
    );
  /** Splits `text` into the lines it ends; the error once a line is too long. */
  const split = (text: string, lines: string[]): LineError | undefined => {
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      if (heldLength + end - start > max) return tooLong();
      let line = text.slice(start, end);
      if (held.length > 0) {
        held.push(line);
        line = held.join('');
        held = [];
        heldLength = 0;
      }
      lines.push(line);
      done++;
      start = end + 1;
    }
    if (start < text.length) {
      heldLength += text.length - start;
      if (heldLength > max) return tooLong();
      held.push(start === 0 ? text : text.slice(start));
    }
    return undefined;
  };
  const take = async function* (read: () => string): AsyncGenerator<string[]> {
    const lines: string[] = [];
    let failure: LineError | undefined;
    try {
      failure = split(read(), lines);
    } catch (error) {
      if (!(error instanceof NotUtf8Error)) throw error;
      // The lines before the bad bytes are handed out; the one holding them is at fault.
      failure = split(error.text, lines) ?? new LineError(done + 1, error.message);
    }
    if (lines.length > 0) yield lines;
    if (failure) throw failure;
  };
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    yield* take(() => decoder.write(bytes));
  }
  yield* take(() => decoder.end());
  if (held.length > 0) yield [held.join('')];
}

/** Rows in a spool line unless told otherwise: the second pass's default batch. */
const DEFAULT_LINE_ROWS = 1_000;
/**
 * A line ends early once the ids and values in it have this many characters: a line is read
 * whole, and rows of long values would otherwise make one line of many megabytes.
 */
export const MAX_LINE_CHARS = 1 << 20;
/** The reader's first buffer; it grows to the longest line. */
const READ_BYTES = 64 * 1024;

export interface SpoolOptions {
  /** Rows in a line (the last line may have fewer, and so may a line of long values). */
  lineRows?: number;
}

export class Spool {
  private line = new LineEncoder();

  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly out: WriteStream,
    private readonly lineRows: number,
  ) {}

  static async create(options: SpoolOptions = {}): Promise<Spool> {
    const lineRows = options.lineRows ?? DEFAULT_LINE_ROWS;
    if (!Number.isInteger(lineRows) || lineRows < 1)
      throw new RangeError(`lineRows must be a positive whole number, got ${lineRows}`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hubspot-campaigns-'));
    const file = path.join(dir, 'rows.jsonl');
    const out = createWriteStream(file, { mode: 0o600 });
    await once(out, 'open');
    return new Spool(dir, file, out, lineRows);
  }

  /** Adds rows after those written so far; full lines go to the file. */
  async write(rows: readonly InputRow[]): Promise<void> {
    for (const row of rows) {
      this.line.add(row);
      if (this.line.rows >= this.lineRows || this.line.chars >= MAX_LINE_CHARS)
        await this.writeLine();
    }
  }

  private async writeLine(): Promise<void> {
    if (this.line.rows === 0) return;
    const text = `${JSON.stringify(this.line.encoded)}\n`;
    this.line = new LineEncoder();
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  async end(): Promise<void> {
    if (this.out.writableFinished) return;
    await this.writeLine();
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }

  /**
   * The rows written, in order, a line at a time. Call after `end()`. A line is read from the file
   * and made into rows only when asked for: a caller that asks when it can send them at once
   * holds no rows in between. (Reading the next line's bytes ahead, even outside the heap, let
   * batches start sooner and overlap more, and more of their rows lived long enough to be
   * promoted: the peak RSS of a 100,000-row run rose by 5–15 MB.)
   */
  async *read(): AsyncGenerator<InputRow[]> {
    const file = await open(this.file, 'r');
    let buffer = Buffer.allocUnsafe(READ_BYTES);
    /** The bytes read and not yet handed out: `buffer[start, end)`; no line break before `searched`. */
    let start = 0;
    let end = 0;
    let searched = 0;
    let atEnd = false;
    const readMore = async () => {
      // The start of a line moves to the front, in a buffer twice the size if it fills one.
      if (start === 0 && end === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, end);
        buffer = bigger;
      } else if (start > 0) {
        const kept = end - start;
        if (buffer.length > READ_BYTES && kept < READ_BYTES) {
          // The long line that grew the buffer is handed out: back to the usual size.
          const usual = Buffer.allocUnsafe(READ_BYTES);
          buffer.copy(usual, 0, start, end);
          buffer = usual;
        } else buffer.copy(buffer, 0, start, end);
        end = kept;
        searched -= start;
        start = 0;
      }
      const { bytesRead } = await file.read(buffer, end, buffer.length - end, null);
      if (bytesRead === 0) atEnd = true;
      end += bytesRead;
    };
    /** Where the next line ends, if the buffer holds all of it. */
    const lineEnd = (): number | undefined => {
      const at = buffer.indexOf(10, Math.max(start, searched));
      if (at !== -1 && at < end) return at;
      searched = end;
      return undefined;
    };
    try {
      for (;;) {
        while (!atEnd && lineEnd() === undefined) await readMore();
        const newline = lineEnd();
        // Every line written ends with a line break: what is left without one is nothing.
        if (newline === undefined) return;
        const rows = decodeLine(buffer, start, newline);
        start = searched = newline + 1;
        yield rows;
      }
    } finally {
      await file.close();
    }
  }

  async dispose(): Promise<void> {
    this.out.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A spool line: the property names, then per row its number, id, count and name-value pairs. */
type Encoded = [string[], ...Array<number | string>];

/** One spool line being built, a row at a time. */
class LineEncoder {
  private readonly names: string[] = [];
  private readonly indexOf = new Map<string, number>();
  readonly encoded: Encoded = [this.names];
  rows = 0;
  /** Characters of the ids and values so far. */
  chars = 0;

  add({ row, id, properties }: InputRow): void {
    const line = this.encoded;
    const at = line.length + 2;
    line.push(row, id, 0);
    let count = 0;
    let chars = id.length;
    for (const name in properties) {
      let index = this.indexOf.get(name);
      if (index === undefined) {
        index = this.names.push(name) - 1;
        this.indexOf.set(name, index);
      }
      const value = properties[name]!;
      line.push(index, value);
      chars += value.length;
      count++;
    }
    line[at] = count;
    this.rows++;
    this.chars += chars;
  }
}

/**
 * The rows of the line in `bytes[start, end)`. A function of its own, so that the line's text and
 * the array it parses to are in no frame of the suspended reader: they die here, young.
 */
function decodeLine(bytes: Buffer, start: number, end: number): InputRow[] {
  return decode(JSON.parse(bytes.toString('utf8', start, end)) as Encoded);
}

function decode(line: Encoded): InputRow[] {
  const names = line[0];
  const rows: InputRow[] = [];
  for (let i = 1; i < line.length;) {
    const row = line[i] as number;
    const id = line[i + 1] as string;
    const count = line[i + 2] as number;
    i += 3;
    const properties: Record<string, string> = {};
    for (const end = i + 2 * count; i < end; i += 2)
      properties[names[line[i] as number]!] = line[i + 1] as string;
    rows.push({ row, id, properties });
  }
  return rows;
}
