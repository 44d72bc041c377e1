// The update file: a file, or standard input (`-`). It is read once: the first pass keeps what
// the second needs (see spool.ts).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError, type CliIo } from './io.js';

export interface InputFile {
  /** `orders.csv`, `standard input`: for messages. */
  name: string;
  open(): Readable;
}

export async function openInput(file: string, io: CliIo): Promise<InputFile> {
  if (file === '-') return { name: 'standard input', open: () => io.stdin };
  const resolved = path.resolve(io.cwd, file);
  try {
    if (!(await stat(resolved)).isFile()) throw new UsageError(`${file} is not a file`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `cannot read ${file} (${(error as { code?: string }).code ?? 'unreadable'})`,
    );
  }
  return { name: file, open: () => createReadStream(resolved) };
}
