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
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { InputRow } from './rows.js';

/** The lines of a stream, a chunk's worth at a time (a line may span chunks). */
export async function* readLines(source: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of source) {
    const parts = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = parts.pop()!;
    if (parts.length > 0) yield parts;
  }
  const last = rest + decoder.end();
  if (last !== '') yield [last];
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
