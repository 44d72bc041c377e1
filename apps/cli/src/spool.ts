// What the first pass read, kept for the second in a private temporary file: one JSON line per
// parsed chunk of rows. The first pass parses the CSV (or JSONL) and checks every row; the second
// sends them without parsing the file again, and standard input, which can be read only once,
// needs no other copy.
//
// A line is a flat array, `[names, row, id, n, name, value, …, row, id, n, …]`: the property
// names of the chunk's rows, then per row its number, id, how many properties it changes and
// each as the index of its name and its value ("" resets), in the row's order. Flat arrays of
// strings and numbers are what JSON writes and reads fastest, and a name is written once a
// chunk instead of once a row.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
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

export class Spool {
  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly out: WriteStream,
  ) {}

  static async create(): Promise<Spool> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hubspot-campaigns-'));
    const file = path.join(dir, 'rows.jsonl');
    const out = createWriteStream(file, { mode: 0o600 });
    await once(out, 'open');
    return new Spool(dir, file, out);
  }

  async write(rows: InputRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (!this.out.write(`${JSON.stringify(encode(rows))}\n`)) await once(this.out, 'drain');
  }

  async end(): Promise<void> {
    if (this.out.writableFinished) return;
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }

  /** The rows written, in order, a chunk at a time. Call after `end()`. */
  async *read(): AsyncGenerator<InputRow[]> {
    for await (const lines of readLines(createReadStream(this.file)))
      for (const line of lines) yield decode(JSON.parse(line) as Encoded);
  }

  async dispose(): Promise<void> {
    this.out.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A spool line: the property names, then per row its number, id, count and name-value pairs. */
type Encoded = [string[], ...Array<number | string>];

export function encode(rows: readonly InputRow[]): Encoded {
  const names: string[] = [];
  const indexOf = new Map<string, number>();
  const line: Encoded = [names];
  for (const { row, id, properties } of rows) {
    const at = line.length + 2;
    line.push(row, id, 0);
    let count = 0;
    for (const name in properties) {
      let index = indexOf.get(name);
      if (index === undefined) {
        index = names.push(name) - 1;
        indexOf.set(name, index);
      }
      line.push(index, properties[name]!);
      count++;
    }
    line[at] = count;
  }
  return line;
}

export function decode(line: Encoded): InputRow[] {
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
