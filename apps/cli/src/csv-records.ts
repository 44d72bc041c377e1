// The records of a CSV file, read by papaparse as the file streams in. The CSV grammar is
// papaparse's; ours is only what it leaves to its caller or guesses: the encoding and byte-order
// mark, the line ending, and where the pieces it is given end.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Text papaparse refuses: its error code, and where, as records before the one at fault. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    /** papaparse's code: `MissingQuotes`, `InvalidQuotes`. */
    readonly code: string,
    /** How many records precede the one at fault (all of them were handed over). */
    readonly recordsBefore: number,
    message: string,
  ) {
    super(message);
  }
}

/** Our wording of papaparse's errors (its own messages do not say what to do). */
function describe(code: string, papaMessage: string): string {
  switch (code) {
    case 'MissingQuotes':
      return 'a quoted cell is never closed';
    case 'InvalidQuotes':
      return 'a quoted cell is followed by something other than a comma or the end of the line (quote the whole cell and double the quotes in it)';
    default:
      return papaMessage;
  }
}

/**
 * The file's records, a parsed piece of the file at a time (about 64 KiB), each an array of its
 * cells. An empty line is a record of one empty cell; the end of the file after its last line
 * break is none. Quoted cells may hold commas, doubled quotes and line breaks. The file is read no
 * faster than the records are taken.
 */
export async function* csvRecords(source: AsyncIterable<unknown>): AsyncGenerator<string[][]> {
  const format: TextFormat = {};
  const pieces = csvText(source, format);
  const first = await pieces.next();
  if (first.done) return;
  // Loaded when a CSV file is read: the other commands and JSONL do not pay for it.
  const { default: Papa } = await import('papaparse');
  const text = Readable.from(
    (async function* () {
      yield first.value;
      yield* pieces;
    })(),
    { highWaterMark: 1 },
  );
  const ready: string[][][] = [];
  let failure: unknown;
  let finished = false;
  let seen = 0;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  Papa.parse<string[]>(text, {
    delimiter: ',',
    newline: format.newline!,
    chunk: ({ data, errors }, parser) => {
      if (failure !== undefined) return;
      const bad = errors[0];
      if (bad === undefined) {
        if (data.length > 0) ready.push(data);
      } else {
        // The records before the one at fault are handed over (the caller counts rows and lines
        // with them), then the error.
        const before = Math.min(bad.row ?? 0, data.length);
        if (before > 0) ready.push(data.slice(0, before));
        failure = new CsvSyntaxError(bad.code, seen + before, describe(bad.code, bad.message));
        parser.abort();
      }
      seen += data.length;
      // Nothing more is read until the caller has taken these.
      if (ready.length > 0) text.pause();
      signal();
    },
    complete: () => {
      finished = true;
      signal();
    },
    error: (error: Error) => {
      failure ??= error;
      signal();
    },
  });

  try {
    for (;;) {
      const records = ready.shift();
      if (records !== undefined) {
        yield records;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (finished) return;
      text.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    text.destroy();
  }
}

interface TextFormat {
  /** The file's line ending, known once the first piece of text is out. */
  newline?: '\r\n' | '\n' | '\r';
}

/**
 * The file as text: UTF-8, or UTF-16LE behind its byte-order mark, the mark dropped either way;
 * in pieces that each end with a line break (what follows the last one waits for the next piece),
 * the first once the line ending is known. Papaparse guesses the line ending from its first
 * piece, and a small one misleads it (`id,x\r` alone reads as old-Mac `\r`); and it takes a
 * closing quote at the end of a piece whose line break is in the next one (`"a"\r` then `\n`)
 * for a stray quote.
 */
async function* csvText(
  source: AsyncIterable<unknown>,
  format: TextFormat,
): AsyncGenerator<string> {
  let decoder: StringDecoder | undefined;
  /** The first bytes, held until the byte-order mark can be told. */
  let head: Buffer = Buffer.alloc(0);
  let rest = '';
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let text: string;
    if (decoder) text = decoder.write(bytes);
    else {
      head = head.length === 0 ? bytes : Buffer.concat([head, bytes]);
      if (head.length < 3) continue;
      [decoder, text] = startDecoding(head);
    }
    if (format.newline === undefined) {
      rest += text;
      format.newline = lineEnding(rest, false);
      if (format.newline === undefined) continue;
      text = rest;
      rest = '';
    }
    // Looked for in the new text only, so as not to copy what is held to search it: a `\r\n`
    // split between the two only makes the piece end at an earlier line break.
    const cut = text.lastIndexOf(format.newline);
    if (cut === -1) rest += text;
    else {
      const end = cut + format.newline.length;
      yield rest === '' ? text.slice(0, end) : rest + text.slice(0, end);
      rest = text.slice(end);
    }
  }
  if (!decoder && head.length > 0) [decoder, rest] = startDecoding(head);
  if (decoder) rest += decoder.end();
  if (rest === '') return;
  format.newline ??= lineEnding(rest, true);
  yield rest;
}

/** A decoder for the file's encoding, and the first text with the byte-order mark dropped. */
function startDecoding(head: Buffer): [StringDecoder, string] {
  if (head[0] === 0xff && head[1] === 0xfe) {
    const decoder = new StringDecoder('utf16le');
    return [decoder, decoder.write(head.subarray(2))];
  }
  const decoder = new StringDecoder('utf8');
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  return [decoder, decoder.write(bom ? head.subarray(3) : head)];
}

/** How much of the file's start is looked through for its first line break outside quotes. */
const LINE_ENDING_SEARCH = 1 << 20;

/**
 * The line ending of a file starting with `text`: its first line break outside quotes (a quote
 * opens or closes a quoted cell, `""` inside one closes and reopens it), as RFC 4180 and
 * csv-parse have it; undefined while `text` does not tell yet (`final`: it is the whole file).
 */
function lineEnding(text: string, final: boolean): TextFormat['newline'] {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) {
      if (c === '\n') return '\n';
      if (i + 1 < text.length) return text[i + 1] === '\n' ? '\r\n' : '\r';
      return final ? '\r' : undefined;
    }
  }
  if (!final && text.length < LINE_ENDING_SEARCH) return undefined;
  // None outside quotes (one record, or a stray quote that papaparse reads as text): the first
  // line break at all.
  const first = /\r\n|\n|\r/.exec(text)?.[0];
  return (first ?? '\n') as TextFormat['newline'];
}
