// CSV through papaparse: the records a file holds, or the error, whatever pieces it arrives in
// (the bytes-to-text step and the piece sizes are ours; a misstep there shows as a wrong record).
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRecords, CsvSyntaxError } from '../src/csv-records.js';

/** Feeds `bytes` in pieces of the given sizes (the rest in one piece), takes every record. */
async function records(bytes: Buffer | Array<Buffer | string>, pieces: number[] = []) {
  let chunks: Array<Buffer | string>;
  if (Array.isArray(bytes)) chunks = bytes;
  else {
    chunks = [];
    let at = 0;
    for (const size of pieces) {
      if (at >= bytes.length) break;
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    if (at < bytes.length) chunks.push(bytes.subarray(at));
  }
  const taken: string[][] = [];
  try {
    for await (const batch of csvRecords(Readable.from(chunks))) taken.push(...batch);
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      return { taken, error: error.code, before: error.recordsBefore };
    throw error;
  }
  return taken;
}

/** A small deterministic random source (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('csvRecords', () => {
  it('reads what a file holds (quotes, commas and line breaks in cells, empty lines, any line ending, a BOM) in any pieces', async () => {
    const next = random(14);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    const plain = ['a', 'b', ' ', 'é', '東', '0'];
    const quoted = [...plain, ',', '""', '\n', '\r', '\r\n'];
    for (let n = 0; n < 3_000; n++) {
      const lineEnd = pick(['\n', '\r\n', '\r']);
      const expected: string[][] = [];
      const lines: string[] = [];
      const count = 1 + Math.floor(next() * 6);
      for (let r = 0; r < count; r++) {
        const cells: string[] = [];
        const written: string[] = [];
        const width = next() < 0.15 ? 1 : 1 + Math.floor(next() * 4);
        for (let c = 0; c < width; c++) {
          const length = Math.floor(next() * 4);
          if (next() < 0.4) {
            let text = '';
            for (let i = 0; i < length; i++) text += pick(quoted);
            written.push(`"${text}"`);
            cells.push(text.replaceAll('""', '"'));
          } else {
            let text = '';
            for (let i = 0; i < length; i++) text += pick(plain);
            written.push(text);
            cells.push(text);
          }
        }
        lines.push(written.join(','));
        expected.push(cells);
      }
      const lineEndLast = next() < 0.7;
      const body = lines.join(lineEnd) + (lineEndLast ? lineEnd : '');
      // Nothing after the last line break (or in the file) is no record, not one empty cell.
      if (!lineEndLast && lines.at(-1) === '') expected.pop();
      const text = (next() < 0.2 ? '\uFEFF' : '') + body;
      const bytes = Buffer.from(text);
      const pieces = Array.from({ length: 12 }, () => 1 + Math.floor(next() * 7));
      expect([text, await records(bytes)]).toEqual([text, expected]);
      expect([text, pieces, await records(bytes, pieces)]).toEqual([text, pieces, expected]);
    }
  });

  it('takes the first line break outside quotes for the line ending, whatever the cells hold', async () => {
    // A first piece ending inside a quoted cell full of lone \r: papaparse's own guess (the most
    // common ending) would take \r.
    const first = 'id,x\r\n1,"a\r\r\r\r\r\n';
    const bytes = Buffer.from(`${first}b"\r\n2,c\r\n`);
    expect(await records(bytes, [first.length])).toEqual([
      ['id', 'x'],
      ['1', 'a\r\r\r\r\r\nb'],
      ['2', 'c'],
    ]);
  });

  it('reads a UTF-16LE file after its byte-order mark', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('id,hs_notes\r\n1,"a, b"\r\n', 'utf16le'),
    ]);
    const expected = [
      ['id', 'hs_notes'],
      ['1', 'a, b'],
    ];
    expect(await records(bytes)).toEqual(expected);
    expect(await records(bytes, [1, 1, 1, 5, 3])).toEqual(expected);
  });

  it('takes text given as strings, byte-order mark included', async () => {
    expect(await records(['\uFEFFid,x\r', '\n1,"a', '"",b"\r\n'])).toEqual([
      ['id', 'x'],
      ['1', 'a",b'],
    ]);
  });

  it('reads an empty file as no records', async () => {
    expect(await records(Buffer.alloc(0))).toEqual([]);
    expect(await records(Buffer.from('\uFEFF'))).toEqual([]);
  });

  it('hands over the records before an unclosed quote, then papaparse’s code, in any pieces', async () => {
    const bytes = Buffer.from('id,x\r\n1,"a\r\nb"\r\n2,"never closed\r\n3,c\r\n');
    for (const pieces of [[], [1, 2, 3, 4, 5, 6, 7, 8], [7, 7, 7, 7]])
      expect(await records(bytes, pieces)).toEqual({
        taken: [
          ['id', 'x'],
          ['1', 'a\r\nb'],
        ],
        error: 'MissingQuotes',
        before: 2,
      });
  });

  it('refuses text after a closing quote, naming the record', async () => {
    const bytes = Buffer.from('id,x\n1,ok\n2,"a"b\n3,"c"\n');
    for (const pieces of [[], [3, 3, 3, 3, 3, 3, 3, 3]]) {
      const result = await records(bytes, pieces);
      expect(result).toMatchObject({ error: 'InvalidQuotes', before: 2 });
    }
  });

  it('reads the source no faster than its records are taken', async () => {
    let pulled = 0;
    async function* lines() {
      for (let i = 0; i < 200; i++) {
        pulled++;
        yield Buffer.from(`${i},x\n`);
      }
    }
    const reader = csvRecords(lines());
    const first = await reader.next();
    expect(first.value).toEqual([['0', 'x']]);
    // A few pieces read ahead at most, not the file.
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).toBeLessThan(10);
    await reader.return(undefined);
  });
});
