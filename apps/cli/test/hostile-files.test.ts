// Odd and hostile update files: each is refused with exit 2 and a message naming where, after
// bounded work (asserted on what was done, never on time), or read right.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvRecords, CsvSyntaxError, csvText, type TextFormat } from '../src/csv-records.js';
import { readRows, type RowItem } from '../src/rows.js';
import { LineError, readLines } from '../src/spool.js';
import { MAX_RECORD_CHARS, Utf8Decoder, NotUtf8Error } from '../src/text.js';
import { EXIT } from '../src/io.js';
import { run, scratch, sim } from './helpers.js';

const ID1 = '11111111-1111-4111-8111-111111111111';

/** `bytes` in pieces of `size` bytes. */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

async function records(chunks: Buffer[], maxRecordChars?: number) {
  const taken: string[][] = [];
  try {
    const options = maxRecordChars === undefined ? {} : { maxRecordChars };
    for await (const batch of csvRecords(Readable.from(chunks), options)) taken.push(...batch);
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      return { taken, code: error.code, before: error.recordsBefore, message: error.message };
    throw error;
  }
  return { taken };
}

async function rows(chunks: Buffer[], format: 'csv' | 'jsonl', maxRecordChars?: number) {
  const items: RowItem[] = [];
  for await (const chunk of readRows(Readable.from(chunks), {
    format,
    ...(maxRecordChars === undefined ? {} : { maxRecordChars }),
  }))
    items.push(...chunk);
  return items;
}

describe('a long record (an unclosed quote)', () => {
  it('is handed to papaparse once, whole: no piece ends inside a quoted cell', async () => {
    // A cell of 2,000 lines in 1 KiB pieces: cut at every line break, papaparse would parse
    // the growing cell again with each of about 2,000 pieces.
    const cell = 'x'.repeat(1000) + '\n';
    const text = `id,hs_notes\n${ID1},"${cell.repeat(2000)}"\n${ID1},y\n`;
    const format: TextFormat = { fed: [] };
    const handed: string[] = [];
    for await (const piece of csvText(
      Readable.from(pieces(Buffer.from(text), 1024)),
      format,
      Infinity,
    ))
      handed.push(piece);
    expect(handed.join('')).toBe(text);
    // The header, the long record, then the rest: each piece ends where a record ends.
    expect(handed.length).toBeLessThanOrEqual(3);
    for (const piece of handed) expect(piece.endsWith('\n')).toBe(true);
  });

  it('is refused past the bound, naming its row, after the records before it', async () => {
    const text = `id,hs_notes\n${ID1},a\n${ID1},"${'b\n'.repeat(600)}"\n`;
    for (const size of [7, 64, 100_000]) {
      const result = await records(pieces(Buffer.from(text), size), 1000);
      expect(result).toMatchObject({ code: 'RecordTooLong', before: 2 });
      expect(result.taken).toEqual([
        ['id', 'hs_notes'],
        [ID1, 'a'],
      ]);
    }
    await expect(rows([Buffer.from(text)], 'csv', 1000)).rejects.toThrow(
      'not a readable CSV file at row 3 (line 3): a record over 1,000 characters (an unclosed quote?)',
    );
    // At the bound exactly, it is read.
    const atBound = `id,hs_notes\n${ID1},${'c'.repeat(1000 - 37)}\n`;
    expect((await records([Buffer.from(atBound)], 1000)).taken).toHaveLength(2);
  });
});

describe('readLines', () => {
  it('reads lines across pieces, and refuses a line past the bound naming it', async () => {
    const text = 'a\nbb\r\n\n' + 'é'.repeat(50) + '\nlast';
    for (const size of [1, 3, 1000]) {
      const got: string[] = [];
      for await (const lines of readLines(Readable.from(pieces(Buffer.from(text), size))))
        got.push(...lines);
      expect(got).toEqual(['a', 'bb\r', '', 'é'.repeat(50), 'last']);
      const bounded: string[] = [];
      const error = await (async () => {
        for await (const lines of readLines(Readable.from(pieces(Buffer.from(text), size)), {
          maxLineChars: 49,
        }))
          bounded.push(...lines);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LineError);
      expect((error as LineError).line).toBe(4);
      expect(bounded).toEqual(['a', 'bb\r', '']);
    }
  });

  it('refuses a JSONL line past the bound, and bytes that are not UTF-8, naming the line', async () => {
    const line = JSON.stringify({ id: ID1, properties: { hs_notes: 'x'.repeat(200) } });
    await expect(rows([Buffer.from(`${line}\n${line}\n`)], 'jsonl', 100)).rejects.toThrow(
      /^not a readable JSONL file at line 1: a line longer than 100 characters/,
    );
    const latin1 = Buffer.from(
      `${line}\n{"id":"${ID1}","properties":{"hs_name":"café"}}\n`,
      'latin1',
    );
    await expect(rows(pieces(latin1, 5), 'jsonl')).rejects.toThrow(
      `not a readable JSONL file at line 2: not UTF-8 (byte ${latin1.indexOf(0xe9)} of the file)`,
    );
  });
});

describe('line endings and encodings', () => {
  it('refuses mixed line endings instead of sending a value ending in \\r', async () => {
    const text = `id,hs_notes,hs_name\n${ID1},note,\r\n`;
    for (const size of [1, 1000]) {
      const result = await records(pieces(Buffer.from(text), size));
      expect(result).toMatchObject({ code: 'MixedLineEndings', before: 1 });
    }
    await expect(rows([Buffer.from(text)], 'csv')).rejects.toThrow(
      /^not a readable CSV file at row 2 \(line 2\): mixed line endings: a line ending with \\r\\n where the file's first line ends with \\n/,
    );
    // A CRLF file with one LF line, and a \r\n inside quotes (a value's own line break), is fine
    // only in quotes.
    expect((await records([Buffer.from(`id,x\r\n1,"a\nb\r\nc"\r\n2,b\n3,c\r\n`)])).code).toBe(
      'MixedLineEndings',
    );
    expect((await records([Buffer.from(`id,x\r\n1,"a\nb\r\nc"\r\n`)])).taken).toEqual([
      ['id', 'x'],
      ['1', 'a\nb\r\nc'],
    ]);
  });

  it('refuses a file that is not UTF-8 (Excel\'s "CSV (Comma delimited)"), naming row and byte', async () => {
    const text = Buffer.from(`id,hs_name\n${ID1},ok\n${ID1},café\n`, 'latin1');
    for (const size of [1, 2, 1000]) {
      const result = await records(pieces(text, size));
      expect(result).toMatchObject({ code: 'NotUtf8', before: 2 });
      expect(result.message).toContain(`byte ${text.indexOf(0xe9)} of the file`);
    }
    await expect(rows([text], 'csv')).rejects.toThrow(
      /^not a readable CSV file at row 3 \(line 3\): not UTF-8 .*save the file as 'CSV UTF-8'/,
    );
    // A character split across pieces, a BOM, and UTF-16LE still read.
    const good = Buffer.from(`\uFEFFid,hs_name\n${ID1},東京😀\n`);
    expect((await records(pieces(good, 1))).taken[1]).toEqual([ID1, '東京😀']);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('id,x\r\n1,é\r\n', 'utf16le'),
    ]);
    expect((await records(pieces(utf16, 3))).taken).toEqual([
      ['id', 'x'],
      ['1', 'é'],
    ]);
  });

  it('finds the first bad byte whatever the pieces (a truncated character at the end too)', () => {
    const bad = [
      [Buffer.from([0x61, 0xc3]), 1],
      [Buffer.from([0x61, 0xed, 0xa0, 0x80]), 1],
      [Buffer.from([0xe6, 0x9d, 0xb1, 0xc0, 0x80]), 3],
      [Buffer.from([0x61, 0x62, 0xf4, 0x90, 0x80, 0x80]), 2],
    ] as const;
    for (const [bytes, offset] of bad)
      for (const size of [1, 2, 8]) {
        const decoder = new Utf8Decoder();
        let text = '';
        let error: unknown;
        try {
          for (const piece of pieces(bytes, size)) text += decoder.write(piece);
          text += decoder.end();
        } catch (e) {
          error = e;
        }
        expect([bytes.toString('hex'), size, error]).toEqual([
          bytes.toString('hex'),
          size,
          expect.any(NotUtf8Error),
        ]);
        expect((error as NotUtf8Error).offset).toBe(offset);
        expect(text + (error as NotUtf8Error).text).toBe(bytes.subarray(0, offset).toString());
      }
  });
});

describe('the update command', () => {
  it('refuses a file just over the bound with exit 2 and no stack trace (CSV and JSONL)', async () => {
    const dir = scratch();
    const long = 'x'.repeat(MAX_RECORD_CHARS);
    writeFileSync(path.join(dir, 'big.csv'), `id,hs_notes\n${ID1},${long}\n`);
    writeFileSync(
      path.join(dir, 'big.jsonl'),
      `${JSON.stringify({ id: ID1, properties: { hs_notes: long } })}\n`,
    );
    const csvRun = await run(['update', '--file', 'big.csv', '--dry-run'], { cwd: dir });
    expect(csvRun.code).toBe(EXIT.BAD_INPUT);
    expect(csvRun.stderr).toMatch(/row 2 \(line 2\): a record over 8 Mi characters/);
    expect(csvRun.stderr).not.toMatch(/\n\s+at /);
    const jsonlRun = await run(['update', '--file', 'big.jsonl', '--dry-run'], { cwd: dir });
    expect(jsonlRun.code).toBe(EXIT.BAD_INPUT);
    expect(jsonlRun.stderr).toMatch(/line 1: a line longer than 8 Mi characters/);
  });

  it('caps the header problems it lists', async () => {
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'wide.csv'),
      `id${','.repeat(100_000)}\n${ID1}${','.repeat(100_000)}\n`,
    );
    const result = await run(['update', '--file', 'wide.csv', '--dry-run'], { cwd: dir });
    expect(result.code).toBe(EXIT.BAD_INPUT);
    expect(result.stderr).toContain('… and 99,980 more');
    expect(result.stderr.split('\n').length).toBeLessThan(30);
    // Many id columns: named once, the list cut short too.
    writeFileSync(path.join(dir, 'ids.csv'), `${'id,'.repeat(50_000)}id\n`);
    const ids = await run(['update', '--file', 'ids.csv', '--dry-run'], { cwd: dir });
    expect(ids.code).toBe(EXIT.BAD_INPUT);
    expect(ids.stderr).toMatch(/names id 50,001 times \(columns A, B, .*, T, …\)/);
    expect(ids.stderr.length).toBeLessThan(2_000);
  });

  it('names the column of a quote problem', async () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'q.csv'), `id,hs_name,hs_notes\n${ID1},a,"b"c\n`);
    writeFileSync(
      path.join(dir, 'm.csv'),
      `id,hs_name,hs_notes\n${ID1},a,b\n${ID1},"never closed,x\n`,
    );
    const q = await run(['update', '--file', 'q.csv', '--dry-run'], { cwd: dir });
    expect(q.stderr).toContain(
      'at row 2 (line 2), column C ("hs_notes"): a quoted cell is followed',
    );
    const m = await run(['update', '--file', 'm.csv', '--dry-run'], { cwd: dir });
    expect(m.stderr).toContain(
      'at row 3 (line 3), column B ("hs_name"): a quoted cell is never closed',
    );
  });

  it('refuses an --api-version with no spec in this build before reading the file', async () => {
    const dir = scratch();
    const result = await run(
      ['update', '--file', 'missing.csv', '--sim', '--api-version', '2099-01'],
      { cwd: dir },
    );
    expect(result.code).toBe(EXIT.BAD_INPUT);
    expect(result.stderr).toContain(
      '--api-version 2099-01 has no spec in this build: use one of v3, 2026-03',
    );
    void sim;
  });

  it('refuses it against HubSpot too (a well-formed version, no spec), with nothing sent', async () => {
    const s = await sim();
    const dir = scratch();
    const [a] = s.store.list().map((x) => x.id);
    writeFileSync(path.join(dir, 'e.csv'), `id,hs_notes\n${a},x\n`);
    const result = await run(['update', '--file', 'e.csv', '--api-version', '2026-09'], {
      cwd: dir,
      url: s.url,
    });
    expect(result.code).toBe(EXIT.BAD_INPUT);
    expect(result.stderr).toContain('--api-version 2026-09 has no spec in this build');
    expect(s.stats().totalRequests).toBe(0);
  });
});
