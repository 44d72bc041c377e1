// Bytes to text for the update file, CSV or JSONL: strict UTF-8 (a file in another encoding is
// refused, never sent garbled), and the bound on one record or line that keeps the work of
// reading any file linear and its memory small.
import { count } from './io.js';

/**
 * The longest CSV record or JSONL line read, in characters (UTF-16 code units). HubSpot takes at
 * most 65,536 characters a value; a record this long is almost always an unclosed quote that
 * swallowed the rest of the file. Without a bound, one enormous line is held whole (and past
 * about 512 Mi characters JavaScript cannot even make the string).
 */
export const MAX_RECORD_CHARS = 8 * 1024 * 1024;

/** `8 Mi characters`: the bound as messages name it. */
export function describeLimit(chars: number): string {
  return chars % (1024 * 1024) === 0
    ? `${chars / (1024 * 1024)} Mi characters`
    : `${count(chars)} characters`;
}

/** Bytes that are not UTF-8: where (from the file's first byte), and the text before them. */
export class NotUtf8Error extends Error {
  override readonly name = 'NotUtf8Error';
  constructor(
    /** The offset in the file of the first byte of the bad sequence. */
    readonly offset: number,
    /** What decoded fine before it, not yet handed out by the decoder. */
    readonly text: string,
  ) {
    super(
      `not UTF-8 (byte ${count(offset)} of the file): save the file as 'CSV UTF-8' (or UTF-8 text)`,
    );
  }
}

/**
 * A strict streaming UTF-8 decoder that can say where a file stops being UTF-8. Each piece given
 * to the underlying decoder starts and ends on a character boundary (an incomplete character at
 * a piece's end is carried to the next), so a failing piece can be searched from its start.
 */
export class Utf8Decoder {
  // A byte-order mark is the caller's to drop: each piece is decoded on its own, and a U+FEFF
  // at the start of a later piece is text.
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** The bytes of an incomplete last character, carried to the next piece. */
  private carry: Uint8Array = new Uint8Array(0);
  /** The file offset of `carry`'s first byte (of the next piece's, without one). */
  private offset: number;

  constructor(
    /** The file offset of the first byte given (after a byte-order mark). */
    start = 0,
  ) {
    this.offset = start;
  }

  /** The text of `bytes` (and of what was carried); throws NotUtf8Error at a bad sequence. */
  write(bytes: Uint8Array): string {
    const all = this.carry.length === 0 ? bytes : concat(this.carry, bytes);
    const cut = completeLength(all);
    this.carry = all.slice(cut);
    return this.decode(all.subarray(0, cut), cut);
  }

  /** The end of the file: what is carried is an incomplete character, which is not UTF-8. */
  end(): string {
    if (this.carry.length === 0) return '';
    const bytes = this.carry;
    this.carry = new Uint8Array(0);
    return this.decode(bytes, bytes.length);
  }

  private decode(bytes: Uint8Array, consumed: number): string {
    const at = this.offset;
    this.offset += consumed;
    try {
      return this.decoder.decode(bytes);
    } catch {
      // The failure path only: find the bad sequence, and decode what precedes it.
      const bad = firstInvalid(bytes);
      throw new NotUtf8Error(at + bad, this.decoder.decode(bytes.subarray(0, bad)));
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** The length of the bytes' longest prefix that does not end inside a character. */
function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  // The lead byte of the last character is at most 3 bytes before the end.
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = bytes[i]!;
    if (b < 0x80) return n;
    if (b >= 0xc0) return i + sequenceLength(b) > n ? i : n;
  }
  // Only continuation bytes at the end: not UTF-8, which the decoder will say.
  return n;
}

/** How many bytes a sequence starting with lead byte `b` has (1 for a byte that cannot lead). */
function sequenceLength(b: number): number {
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 1;
}

/** The offset of the first byte of the first sequence that is not UTF-8 (bytes.length if none). */
export function firstInvalid(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const length = sequenceLength(b);
    if (length === 1 || i + length > bytes.length) return i;
    const second = bytes[i + 1]!;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += length;
  }
  return bytes.length;
}
