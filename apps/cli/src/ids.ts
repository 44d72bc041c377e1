// The ids of an update file seen so far, and the row each was first on: what finds a campaign
// named twice. It holds every id of the file for the whole check, so it is kept compact: an id
// in HubSpot's own shape (a GUID in lower case, `7d09b6cc-4a0b-40e3-9118-12b9ab6d39a6`) is held
// as its 16 bytes in a typed-array hash table, outside the JavaScript heap (about 40 bytes an id
// with the table's free slots, against about 100 for a string in a Map, which the garbage
// collector would also have to trace and move); any other id is kept as a string in a Map.
// Both are exact: ids are compared, not their hashes.

import { randomInt } from 'node:crypto';

const GUID_LENGTH = 36;
/** Slots per id at most before the table doubles (linear probing stays short below this). */
const MAX_LOAD = 0.6;
const FIRST_CAPACITY = 1 << 12;

/**
 * A string of its own with the text of `text`. The file reader's cells are slices of a whole
 * piece of the file's text, and a slice keeps that text alive: an id kept for the rest of the
 * check would keep the whole file in memory.
 */
function ownString(text: string): string {
  return (' ' + text).slice(1);
}

/** The value of each lower-case hex digit by character code; -1 for any other character. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;
/** Where a GUID's 32 hex digits are (between the dashes at 8, 13, 18 and 23). */
const DIGITS = Int8Array.from({ length: GUID_LENGTH }, (_, i) => i).filter(
  (i) => i !== 8 && i !== 13 && i !== 18 && i !== 23,
);

export class IdRows {
  private capacity = FIRST_CAPACITY;
  /** Four 32-bit words of GUID per slot. */
  private words = new Uint32Array(FIRST_CAPACITY * 4);
  /** The row of each slot's GUID; 0 for a free slot (rows start at 1). */
  private rows = new Uint32Array(FIRST_CAPACITY);
  private guids = 0;
  private readonly others = new Map<string, number>();
  /** The GUID being looked up, as four words. */
  private readonly key = new Uint32Array(4);
  /**
   * The hash's seed, drawn per table: ids crafted to collide (a file can hold any GUIDs) cannot
   * be made for a seed they do not know.
   */
  private readonly seed = randomInt(2 ** 32);
  /** The most slots one lookup has looked at (a test's measure of how well ids spread). */
  longestProbe = 0;

  get size(): number {
    return this.guids + this.others.size;
  }

  /**
   * The row `id` was first seen on, if it was; otherwise records it on `row` (≥ 1) and returns
   * undefined.
   */
  firstRow(id: string, row: number): number | undefined {
    if (!this.pack(id)) {
      const first = this.others.get(id);
      if (first === undefined) this.others.set(ownString(id), row);
      return first;
    }
    if ((this.guids + 1) / this.capacity > MAX_LOAD) this.grow();
    const key = this.key;
    const slot = this.find(key[0]!, key[1]!, key[2]!, key[3]!);
    const first = this.rows[slot]!;
    if (first !== 0) return first;
    this.put(slot, key[0]!, key[1]!, key[2]!, key[3]!, row);
    this.guids++;
    return undefined;
  }

  /** The row `id` was first seen on, or undefined if it was not; records nothing. */
  rowOf(id: string): number | undefined {
    if (!this.pack(id)) return this.others.get(id);
    const key = this.key;
    const row = this.rows[this.find(key[0]!, key[1]!, key[2]!, key[3]!)]!;
    return row === 0 ? undefined : row;
  }

  /** Puts a lower-case GUID's 128 bits into `key`; false for any other id. */
  private pack(id: string): boolean {
    if (
      id.length !== GUID_LENGTH ||
      id.charCodeAt(8) !== 45 ||
      id.charCodeAt(13) !== 45 ||
      id.charCodeAt(18) !== 45 ||
      id.charCodeAt(23) !== 45
    )
      return false;
    const key = this.key;
    // Any character that is not a hex digit makes `bad` negative.
    let bad = 0;
    let word = 0;
    for (let n = 0; n < 32; n++) {
      const code = id.charCodeAt(DIGITS[n]!);
      const value = code < 128 ? HEX[code]! : -1;
      bad |= value;
      word = (word << 4) | (value & 15);
      if ((n & 7) === 7) {
        key[n >> 3] = word;
        word = 0;
      }
    }
    return bad >= 0;
  }

  /** The slot holding the GUID `a b c d`, or the free slot where it goes. */
  private find(a: number, b: number, c: number, d: number): number {
    const { words, rows } = this;
    // Each word mixed in turn, then murmur3's finaliser: every bit of every word moves every bit
    // of the hash (a xor of the words, even multiplied, lets crafted ids all land on one slot).
    let h = this.seed;
    h = fmix32(h ^ a);
    h = fmix32(h ^ b);
    h = fmix32(h ^ c);
    h = fmix32(h ^ d);
    const mask = this.capacity - 1;
    for (let slot = h & mask, probes = 1; ; slot = (slot + 1) & mask, probes++) {
      if (probes > this.longestProbe) this.longestProbe = probes;
      if (rows[slot] === 0) return slot;
      const at = slot * 4;
      if (words[at] === a && words[at + 1] === b && words[at + 2] === c && words[at + 3] === d)
        return slot;
    }
  }

  private grow(): void {
    const { words, rows, capacity } = this;
    this.capacity = capacity * 2;
    this.words = new Uint32Array(this.capacity * 4);
    this.rows = new Uint32Array(this.capacity);
    for (let slot = 0; slot < capacity; slot++) {
      if (rows[slot] === 0) continue;
      const at = slot * 4;
      const a = words[at]!;
      const b = words[at + 1]!;
      const c = words[at + 2]!;
      const d = words[at + 3]!;
      this.put(this.find(a, b, c, d), a, b, c, d, rows[slot]!);
    }
  }

  private put(slot: number, a: number, b: number, c: number, d: number, row: number): void {
    const at = slot * 4;
    const words = this.words;
    words[at] = a;
    words[at + 1] = b;
    words[at + 2] = c;
    words[at + 3] = d;
    this.rows[slot] = row;
  }
}

/** MurmurHash3's 32-bit finaliser: a bijection that spreads each input bit over all 32. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A set of ids stored like `IdRows`: a lower-case GUID takes 16 bytes in a typed array instead of
 * a string in a `Set` (about 80 bytes each), so the ids of a million-row report stay small.
 */
export class IdSet {
  readonly #table = new IdRows();

  add(id: string): void {
    this.#table.firstRow(id, 1);
  }

  has(id: string): boolean {
    return this.#table.rowOf(id) !== undefined;
  }

  get size(): number {
    return this.#table.size;
  }
}
