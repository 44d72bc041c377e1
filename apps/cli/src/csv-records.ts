// The records of a CSV file, read by papaparse as the file streams in. The CSV grammar is
// papaparse's; ours is only what it leaves to its caller or guesses: the encoding and byte-order
// mark, the line ending, and where the pieces it is given end.
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { describeLimit, MAX_RECORD_CHARS, NotUtf8Error, Utf8Decoder } from './text.js';

/**
 * Text that cannot be read as CSV: papaparse's errors, and ours (a record too long, mixed line
 * endings, bytes that are not UTF-8); where, as records before the one at fault.
 */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    /** papaparse's code (`MissingQuotes`, `InvalidQuotes`) or ours (`RecordTooLong`, …). */
    readonly code: string,
    /** How many records precede the one at fault (all of them were handed over). */
    readonly recordsBefore: number,
    message: string,
    /** The column (from 0) of the cell at fault, when known. */
    readonly column?: number,
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

export interface CsvOptions {
  /** The longest record read, in characters; longer: a `RecordTooLong` error (tests lower it). */
  maxRecordChars?: number;
}

/**
 * The file's records, a parsed piece of the file at a time (about 64 KiB), each an array of its
 * cells. An empty line is a record of one empty cell; the end of the file after its last line
 * break is none. Quoted cells may hold commas, doubled quotes and line breaks. The file is read no
 * faster than the records are taken.
 */
export async function* csvRecords(
  source: AsyncIterable<unknown>,
  options: CsvOptions = {},
): AsyncGenerator<string[][]> {
  const format: TextFormat = { fed: [] };
  const pieces = csvText(source, format, options.maxRecordChars ?? MAX_RECORD_CHARS);
  const first = await pieces.next();
  if (first.done) {
    if (format.problem) throw problemError(format.problem, 0);
    return;
  }
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
  /** Where in the file's text papaparse's next parse starts (its `meta.cursor` so far). */
  let parsedUpTo = 0;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  Papa.parse<string[]>(text, {
    delimiter: ',',
    newline: format.newline!,
    chunk: ({ data, errors, meta }, parser) => {
      if (failure !== undefined) return;
      const bad = errors[0];
      if (bad === undefined) {
        if (data.length > 0) ready.push(data);
      } else {
        // The records before the one at fault are handed over (the caller counts rows and lines
        // with them), then the error.
        const before = Math.min(bad.row ?? 0, data.length);
        if (before > 0) ready.push(data.slice(0, before));
        const column =
          bad.index === undefined ? undefined : columnAt(format, parsedUpTo + bad.index);
        failure = new CsvSyntaxError(
          bad.code,
          seen + before,
          describe(bad.code, bad.message),
          column,
        );
        parser.abort();
      }
      seen += data.length;
      parsedUpTo = meta.cursor;
      while (
        format.fed.length > 0 &&
        format.fed[0]!.start + format.fed[0]!.text.length <= parsedUpTo
      )
        format.fed.shift();
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
      if (finished) {
        // Every record before the one at fault was in the text papaparse was given.
        if (format.problem) throw problemError(format.problem, seen);
        return;
      }
      text.resume();
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    text.destroy();
  }
}

/** The column of the cell at `position` in the file's text, from the pieces papaparse has. */
function columnAt(format: TextFormat, position: number): number | undefined {
  const piece = format.fed.find((p) => p.start <= position && position <= p.start + p.text.length);
  if (!piece) return undefined;
  // A piece starts at a record's start: counting cells from there finds the column.
  const scanner = new RecordScanner(format.newline!, Infinity);
  scanner.scan(piece.text.slice(0, position - piece.start));
  return scanner.cells;
}

function problemError(problem: Problem, recordsBefore: number): CsvSyntaxError {
  return new CsvSyntaxError(problem.code, recordsBefore, problem.message);
}

export interface Problem {
  code: 'RecordTooLong' | 'MixedLineEndings' | 'NotUtf8';
  message: string;
}

export interface TextFormat {
  /** The file's line ending, known once the first piece of text is out. */
  newline?: '\r\n' | '\n' | '\r';
  /** Why the text stopped before the file's end: the record at fault is not in it. */
  problem?: Problem;
  /** The pieces handed out and not yet parsed to their end, with where each starts. */
  fed: Array<{ start: number; text: string }>;
}

/**
 * The file as text: UTF-8, or UTF-16LE behind its byte-order mark, the mark dropped either way;
 * in pieces that each end where a record ends (what follows the last one waits for the next
 * piece), the first once the line ending is known. Papaparse guesses the line ending from its
 * first piece, and a small one misleads it (`id,x\r` alone reads as old-Mac `\r`); and it
 * takes a closing quote at the end of a piece whose line break is in the next one (`"a"\r` then
 * `\n`) for a stray quote. A piece never ends inside a record, because papaparse parses the
 * unfinished record again with every piece that does not finish it (quadratic in its length).
 */
export async function* csvText(
  source: AsyncIterable<unknown>,
  format: TextFormat,
  maxRecordChars: number,
): AsyncGenerator<string> {
  let decoder: TextDecoding | undefined;
  let scanner: RecordScanner | undefined;
  /** The first bytes, held until the byte-order mark can be told. */
  let head: Buffer = Buffer.alloc(0);
  /** The text of the unfinished record (all the text while the line ending is unknown). */
  let rest = '';
  let handedOut = 0;
  const hand = (piece: string) => {
    format.fed.push({ start: handedOut, text: piece });
    handedOut += piece.length;
    return piece;
  };
  /** Scans new text: the complete records it ends, to hand out; false once a problem is found. */
  function* take(text: string, final: boolean): Generator<string, boolean> {
    if (format.newline === undefined) {
      rest += text;
      format.newline = lineEnding(rest, final);
      if (format.newline === undefined) return true;
      text = rest;
      rest = '';
    }
    scanner ??= new RecordScanner(format.newline, maxRecordChars);
    const end = scanner.scan(text, final);
    if (end > 0) {
      yield hand(rest === '' ? text.slice(0, end) : rest + text.slice(0, end));
      rest = text.slice(end);
    } else rest += text;
    if (scanner.problem) {
      format.problem = scanner.problem;
      return false;
    }
    return true;
  }
  /** The text of `bytes`, and a problem when it stops being UTF-8 (the text then stops short). */
  const decode = (read: () => string): { text: string; problem?: Problem } => {
    try {
      return { text: read() };
    } catch (error) {
      if (!(error instanceof NotUtf8Error)) throw error;
      return { text: error.text, problem: { code: 'NotUtf8', message: error.message } };
    }
  };

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let decoded: { text: string; problem?: Problem };
    if (decoder) decoded = decode(() => decoder!.write(bytes));
    else {
      head = head.length === 0 ? bytes : Buffer.concat([head, bytes]);
      if (head.length < 3) continue;
      decoder = startDecoding(head);
      decoded = decode(() => decoder!.write(head.subarray(decoder!.bom)));
    }
    if (!(yield* take(decoded.text, false))) return;
    if (decoded.problem) {
      format.problem = decoded.problem;
      return;
    }
  }
  let last: { text: string; problem?: Problem };
  if (!decoder && head.length > 0) {
    decoder = startDecoding(head);
    last = decode(() => decoder!.write(head.subarray(decoder!.bom)) + decoder!.end());
  } else last = decoder ? decode(() => decoder!.end()) : { text: '' };
  if (!(yield* take(last.text, true))) return;
  if (last.problem) {
    format.problem = last.problem;
    return;
  }
  if (rest !== '') yield hand(rest);
}

interface TextDecoding {
  /** How many bytes of the file's start are its byte-order mark. */
  bom: number;
  write(bytes: Uint8Array): string;
  end(): string;
}

/** A decoder for the file's encoding, told by its first bytes. */
function startDecoding(head: Buffer): TextDecoding {
  if (head[0] === 0xff && head[1] === 0xfe) {
    const decoder = new StringDecoder('utf16le');
    return {
      bom: 2,
      write: (bytes) => decoder.write(bytes as Buffer),
      end: () => decoder.end(),
    };
  }
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const decoder = new Utf8Decoder(bom);
  return { bom, write: (bytes) => decoder.write(bytes), end: () => decoder.end() };
}

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;
const CR = 13;
const LF = 10;
const QUOTE = 34;
const COMMA = 44;

/**
 * Where records end in a CSV text given in pieces, as papaparse reads it: a quote opens a quoted
 * cell only at the cell's start, and closes it when a comma, the line ending or spaces and one of
 * these follow (`""` is a quote in the cell). Finds the problems papaparse would not: a record
 * longer than the bound, and a line break outside quotes that is not the file's line ending
 * (a `\r` there would otherwise be sent as the end of a value).
 */
class RecordScanner {
  private state = FIELD_START;
  /** A `\r` outside quotes was last, in a `\r\n` file: a `\n` must follow. */
  private pendingCr = false;
  /** The characters of the current record in the pieces before this one. */
  private carried = 0;
  /** The cells of the current record that are complete (the column of the one being read). */
  cells = 0;
  problem: Problem | undefined;

  constructor(
    private readonly newline: '\r\n' | '\n' | '\r',
    private readonly max: number,
  ) {}

  /**
   * Scans the next piece of text; returns where in it the last complete record ends (0: none).
   * Stops at a problem (then `problem` is set, and what follows the returned end is the record
   * at fault).
   */
  scan(text: string, final = false): number {
    const { newline, max } = this;
    let state = this.state;
    let pendingCr = this.pendingCr;
    let cells = this.cells;
    /** Where the current record starts in `text` (negative: `carried` characters before). */
    let start = -this.carried;
    let end = 0;
    const mixed = (what: string) => {
      this.problem = {
        code: 'MixedLineEndings',
        message: `mixed line endings: ${what} where the file's first line ends with ${name(newline)} (save the file with one kind of line ending)`,
      };
    };
    const tooLong = () => {
      this.problem = {
        code: 'RecordTooLong',
        message: `a record over ${describeLimit(max)} (an unclosed quote?): HubSpot takes at most 65,536 characters a value`,
      };
    };
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (state === QUOTED) {
        const quote = text.indexOf('"', i);
        if (quote === -1) {
          i = text.length;
          break;
        }
        i = quote;
        state = AFTER_QUOTE;
        continue;
      }
      if (pendingCr) {
        pendingCr = false;
        if (c !== LF) {
          mixed('a line ending with \\r alone');
          break;
        }
      } else if (c === CR) {
        if (newline === '\n') {
          mixed(
            text.charCodeAt(i + 1) === LF ? 'a line ending with \\r\\n' : 'a line ending with \\r',
          );
          break;
        }
        if (newline === '\r\n') {
          pendingCr = true;
          continue;
        }
      } else if (c === LF && newline !== '\n') {
        mixed('a line ending with \\n alone');
        break;
      }
      if (c === CR || c === LF) {
        // The record ends here (its line ending not counted in its length).
        if (i + 1 - newline.length - start > max) {
          tooLong();
          break;
        }
        state = FIELD_START;
        cells = 0;
        start = end = i + 1;
        continue;
      }
      if (c === COMMA) {
        state = FIELD_START;
        cells++;
        continue;
      }
      if (state === FIELD_START) state = c === QUOTE ? QUOTED : UNQUOTED;
      else if (state === AFTER_QUOTE) {
        // `""` inside the cell, or spaces before the comma; anything else papaparse reports.
        if (c === QUOTE || (c !== 32 && c !== 9)) state = QUOTED;
      }
    }
    if (this.problem === undefined) {
      if (final && pendingCr) mixed('a line ending with \\r alone');
      else if (text.length - start - (pendingCr ? 1 : 0) > max) tooLong();
    }
    this.state = state;
    this.pendingCr = pendingCr;
    this.cells = cells;
    this.carried = text.length - start;
    return end;
  }
}

function name(newline: string): string {
  return newline === '\r\n' ? '\\r\\n' : newline === '\n' ? '\\n' : '\\r';
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
