// What the first pass read, kept for the second in a private temporary file: one JSON array of
// rows per parsed chunk. The first pass parses the CSV (or JSONL) and checks every row; the
// second sends them without parsing the file again (a JSON.parse per thousand rows instead of
// csv-parse per row), and standard input, which can be read only once, needs no other copy.
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
    if (!this.out.write(`${JSON.stringify(rows)}\n`)) await once(this.out, 'drain');
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
      for (const line of lines) yield JSON.parse(line) as InputRow[];
  }

  async dispose(): Promise<void> {
    this.out.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}
