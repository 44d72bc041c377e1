// Reading update files: the quirks spreadsheets and editors produce, row by row.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { columnLetter, readRows, UsageError, type FileFormat, type RowItem } from '../src/index.js';

async function read(
  text: string,
  format: FileFormat = 'csv',
  ignore: string[] = [],
  pieceBytes = Infinity,
) {
  const bytes = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += Math.min(pieceBytes, bytes.length))
    pieces.push(bytes.subarray(i, i + pieceBytes));
  const items: RowItem[] = [];
  for await (const chunk of readRows(Readable.from(pieces), {
    format,
    ignoreColumns: new Set(ignore),
  }))
    items.push(...chunk);
  return items;
}

const ID1 = '11111111-1111-4111-8111-111111111111';
const ID2 = '22222222-2222-4222-8222-222222222222';

describe('CSV', () => {
  it('reads a BOM, CRLF line ends, quoted commas, quotes and line breaks', async () => {
    const text =
      '\uFEFFid,hs_notes,hs_goal\r\n' +
      `${ID1},"Q3, the big push","He said ""go"""\r\n` +
      `${ID2},"line one\r\nline two",500 MQLs\r\n`;
    expect(await read(text)).toEqual([
      { row: 2, id: ID1, properties: { hs_notes: 'Q3, the big push', hs_goal: 'He said "go"' } },
      { row: 3, id: ID2, properties: { hs_notes: 'line one\r\nline two', hs_goal: '500 MQLs' } },
    ]);
  });

  it('leaves a property alone for an empty cell and resets it for <reset> (any case, spaces around)', async () => {
    const text = `id,hs_notes,hs_goal,hs_audience\n${ID1},,<reset>, <RESET> \n${ID2},"",x,\n`;
    expect(await read(text)).toEqual([
      { row: 2, id: ID1, properties: { hs_goal: '', hs_audience: '' } },
      // A quoted empty cell is an empty cell: spreadsheets do not keep the difference.
      { row: 3, id: ID2, properties: { hs_goal: 'x' } },
    ]);
  });

  it('keeps values as written (spaces, leading zeros), trims ids and header names', async () => {
    const text = ` ID , hs_owner ,hs_notes\n  ${ID1} ,007,  two spaces  \n`;
    expect(await read(text)).toEqual([
      { row: 2, id: ID1, properties: { hs_owner: '007', hs_notes: '  two spaces  ' } },
    ]);
  });

  it('skips empty lines and rows of empty cells, keeping spreadsheet row numbers', async () => {
    const text = `id,hs_notes\n\n${ID1},a\n,\n${ID2},b\n,\n,\n`;
    const items = await read(text);
    expect(items.map((i) => ('row' in i ? i.row : undefined))).toEqual([3, 5]);
  });

  it('yields a row that changes nothing with no properties', async () => {
    expect(await read(`id,hs_notes\n${ID1},\n`)).toEqual([{ row: 2, id: ID1, properties: {} }]);
  });

  it('names the row, the line and the column of a bad id', async () => {
    const text = `hs_notes,id\n"two\nlines",\nx,has space\n`;
    expect(await read(text)).toEqual([
      { problem: { where: 'row 2, column B (id)', message: 'id is empty' } },
      {
        problem: {
          where: 'row 3 (line 4), column B (id)',
          message: 'id contains whitespace or control characters',
        },
      },
    ]);
  });

  it('names a row with too few or too many cells', async () => {
    const items = await read(`id,hs_notes\n${ID1},a,b\n${ID2}\n`);
    expect(items.map((i) => ('problem' in i ? i.problem.where : undefined))).toEqual([
      'row 2',
      'row 3',
    ]);
    expect((items[0] as { problem: { message: string } }).problem.message).toMatch(
      /has 3 cells, the header has 2/,
    );
  });

  it('refuses unknown columns, naming each, unless they are ignored', async () => {
    const text = `id,Notes (old),hs_notes,hs_notes,\n${ID1},x,y,z,\n`;
    const error = await read(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toContain('column B ("Notes (old)")');
    expect(message).toContain('--ignore-columns "Notes (old)"');
    expect(message).toContain('column D ("hs_notes") repeats column C');
    expect(message).toContain('column E ("") has no name');

    expect(await read(`id,Notes (old),hs_notes\n${ID1},x,y\n`, 'csv', ['Notes (old)'])).toEqual([
      { row: 2, id: ID1, properties: { hs_notes: 'y' } },
    ]);
  });

  it('refuses a header without an id column, with property names JavaScript reserves, or an empty file', async () => {
    await expect(read('hs_notes\nx\n')).rejects.toThrow(/no id column/);
    await expect(read('id,__proto__\nx,y\n')).rejects.toThrow(/reserved/);
    await expect(read('')).rejects.toThrow(/empty/);
  });

  it('reports an unclosed quote as an unreadable file, naming its row, line and column', async () => {
    await expect(read(`id,hs_notes\n${ID1},"never closed\n`)).rejects.toThrow(
      'not a readable CSV file at row 2 (line 2), column B ("hs_notes"): a quoted cell is never closed [MissingQuotes]',
    );
  });

  it('reports text after a closing quote, counting the lines quoted cells hold', async () => {
    const text = `id,hs_notes\r\n${ID1},"two\r\nlines"\r\n${ID2},"a"b\r\n`;
    for (const pieceBytes of [Infinity, 5])
      await expect(read(text, 'csv', [], pieceBytes)).rejects.toThrow(
        /^not a readable CSV file at row 3 \(line 4\), column B \("hs_notes"\): a quoted cell is followed by something other than a comma .* \[InvalidQuotes\]$/,
      );
  });

  it('numbers columns like a spreadsheet', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });
});

describe('both formats', () => {
  it('read the same whatever the pieces the file arrives in (characters split across them)', async () => {
    const csvText = `\uFEFFid,hs_notes\r\n${ID1},"Zürich, ""Genève""\r\n→ 東京"\r\n\r\n${ID2},<reset>\r\n`;
    const jsonlText = `\uFEFF{"id":"${ID1}","properties":{"hs_notes":"Zürich → 東京"}}\r\n{"id":"${ID2}"}\n`;
    for (const [text, format] of [
      [csvText, 'csv'],
      [jsonlText, 'jsonl'],
    ] as const) {
      const whole = await read(text, format);
      expect(whole).toHaveLength(2);
      for (const size of [1, 2, 3, 5, 7])
        expect([format, size, await read(text, format, [], size)]).toEqual([format, size, whole]);
    }
  });
});

describe('JSONL', () => {
  it('reads lines with CRLF and a BOM, skips blank lines, "" resets', async () => {
    const text =
      `\uFEFF{"id":"${ID1}","properties":{"hs_notes":"a","hs_goal":""}}\r\n\r\n` +
      `{"id":"${ID2}","properties":{}}\r\n`;
    expect(await read(text, 'jsonl')).toEqual([
      { row: 1, id: ID1, properties: { hs_notes: 'a', hs_goal: '' } },
      { row: 3, id: ID2, properties: {} },
    ]);
  });

  it('names the line and field of each problem', async () => {
    const text = [
      'not json',
      '[1]',
      `{"id":"${ID1}","extra":1}`,
      '{"id":"","properties":{}}',
      `{"id":"${ID1}","properties":{"hs_notes":null}}`,
      `{"id":"${ID1}","properties":{"__proto__":"x"}}`,
    ].join('\n');
    const items = await read(text, 'jsonl');
    expect(items.map((i) => ('problem' in i ? i.problem.where : undefined))).toEqual([
      'line 1',
      'line 2',
      'line 3',
      'line 4, id',
      'line 5, properties.hs_notes',
      'line 6, properties',
    ]);
  });
});
