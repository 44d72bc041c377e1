// The temporary file between the two passes of `update`: rows come back as written, a line of
// `lineRows` rows at a time, whatever their length or characters.
import { describe, expect, it } from 'vitest';
import type { InputRow } from '../src/rows.js';
import { MAX_LINE_CHARS, Spool } from '../src/spool.js';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

async function roundTrip(
  writes: InputRow[][],
  lineRows: number,
): Promise<{ lines: InputRow[][]; rows: InputRow[] }> {
  const spool = await Spool.create({ lineRows });
  try {
    for (const rows of writes) await spool.write(rows);
    await spool.end();
    const lines: InputRow[][] = [];
    for await (const rows of spool.read()) lines.push(rows);
    return { lines, rows: lines.flat() };
  } finally {
    await spool.dispose();
  }
}

describe('Spool', () => {
  it('gives back lines of lineRows rows, whatever the writes were', async () => {
    const rows = Array.from({ length: 10 }, (_, n) => ({
      row: n + 2,
      id: id(n),
      properties: n % 3 === 0 ? {} : { hs_notes: `n${n}`, ...(n % 2 ? { hs_goal: '' } : {}) },
    }));
    const { lines, rows: back } = await roundTrip(
      [rows.slice(0, 4), [], rows.slice(4, 8), rows.slice(8)],
      3,
    );
    expect(lines.map((l) => l.length)).toEqual([3, 3, 3, 1]);
    expect(back).toEqual(rows);
  });

  it('keeps every character, across the reads of the file and in lines longer than a read', async () => {
    // Values of characters of 1 to 4 bytes in UTF-8, and of JSON escapes; lines of about 700 KB,
    // so the reader's buffer grows and characters straddle its refills.
    const text = 'é€😀"\\\n\u2028\t a,b';
    const rows = Array.from({ length: 60 }, (_, n) => ({
      row: n + 2,
      id: id(n),
      properties: { hs_notes: text.repeat(500 + n), [`hs_x${n % 4}`]: `${n}` },
    }));
    const { lines, rows: back } = await roundTrip([rows.slice(0, 7), rows.slice(7)], 25);
    expect(lines.map((l) => l.length)).toEqual([25, 25, 10]);
    expect(back).toEqual(rows);
  });

  it('reads short lines after a long one intact (the buffer the long line grew goes back to its size)', async () => {
    const rows = Array.from({ length: 40 }, (_, n) => ({
      row: n + 2,
      id: id(n),
      properties: { hs_notes: n === 5 ? 'é😀'.repeat(150_000) : `short ${n} é😀` },
    }));
    // Lines of 4 rows: the second holds the long value (about 1 MB), the eight after it are short.
    const { lines, rows: back } = await roundTrip([rows], 4);
    expect(lines.map((l) => l.length)).toEqual(Array(10).fill(4));
    expect(back).toEqual(rows);
  });

  it('ends a line early once its values pass MAX_LINE_CHARS', async () => {
    const value = 'v'.repeat(Math.ceil(MAX_LINE_CHARS / 3));
    const rows = Array.from({ length: 8 }, (_, n) => ({
      row: n + 2,
      id: id(n),
      properties: { hs_notes: value },
    }));
    const { lines, rows: back } = await roundTrip([rows], 1_000);
    expect(lines.map((l) => l.length)).toEqual([3, 3, 2]);
    expect(back).toEqual(rows);
  });

  it('an empty spool reads as no lines; a read stopped early lets the spool go', async () => {
    expect((await roundTrip([], 5)).lines).toEqual([]);
    const spool = await Spool.create({ lineRows: 2 });
    try {
      await spool.write(
        Array.from({ length: 6 }, (_, n) => ({ row: n + 2, id: id(n), properties: {} })),
      );
      await spool.end();
      for await (const rows of spool.read()) {
        expect(rows.map((r) => r.id)).toEqual([id(0), id(1)]);
        break;
      }
    } finally {
      await spool.dispose();
    }
  });

  it('refuses a line of no rows', async () => {
    await expect(Spool.create({ lineRows: 0 })).rejects.toThrow(RangeError);
  });
});
