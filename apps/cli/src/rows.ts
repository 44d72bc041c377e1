// Reads an update file, CSV or JSONL, as a stream of rows: one campaign each, with where it came
// from (so every problem names its row and column). Nothing here holds more than the row it is
// on; the caller decides what to keep.
import type { Readable } from 'node:stream';
import { checkIdValue, checkPropertyName } from '@campaigns/core';
import { csvRecords, CsvSyntaxError } from './csv-records.js';
import { MAX_PROBLEMS_SHOWN, UsageError, count } from './io.js';
import { LineError, readLines } from './spool.js';
import { MAX_RECORD_CHARS } from './text.js';

export type FileFormat = 'csv' | 'jsonl';

/**
 * The CSV cell that resets a property (HubSpot's `""`). An empty cell leaves the property alone:
 * spreadsheets write an empty cell and a cell holding an empty string the same way, so emptiness
 * cannot carry "reset". The marker is compared trimmed and case-insensitively.
 */
export const RESET_MARKER = '<reset>';

/** One campaign to update, as read from the file. */
export interface InputRow {
  /** CSV: the spreadsheet row (the header is row 1). JSONL: the line. */
  row: number;
  id: string;
  /** Only the properties the row changes: `""` resets one. May be empty (nothing to change). */
  properties: Record<string, string>;
}

/** Something wrong with one row (or the header): the file is refused, nothing is sent. */
export interface RowProblem {
  /** `row 7, column C (hs_start_date)`, `line 12, properties.hs_notes`. */
  where: string;
  message: string;
}

/** A row to update, or what is wrong with one (`'problem' in item` tells them apart). */
export type RowItem = InputRow | { problem: RowProblem };

export interface ReadOptions {
  format: FileFormat;
  /** CSV columns to skip, by header name (spreadsheet helper columns). */
  ignoreColumns?: ReadonlySet<string>;
  /** The longest CSV record or JSONL line read, in characters (tests lower it). */
  maxRecordChars?: number;
}

export function formatOf(file: string, given: string | undefined): FileFormat {
  if (given !== undefined) {
    if (given === 'csv' || given === 'jsonl') return given;
    throw new UsageError(`--format must be csv or jsonl, got ${JSON.stringify(given)}`);
  }
  return /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv';
}

/**
 * The file's rows, in order, a parsed chunk of the file at a time (about a thousand rows):
 * handing them over one by one through an async generator would cost more than parsing them.
 * A CSV row's strings may be slices of its chunk's text and keep that text alive: a caller that
 * keeps a few of a chunk's strings for long should copy them (as `IdRows` does).
 */
export function readRows(source: Readable, options: ReadOptions): AsyncGenerator<RowItem[]> {
  const max = options.maxRecordChars ?? MAX_RECORD_CHARS;
  return options.format === 'csv'
    ? readCsv(source, options.ignoreColumns ?? new Set(), max)
    : readJsonl(source, max);
}

/** Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

interface CsvColumn {
  index: number;
  name: string;
}

/** Line breaks inside a record's cells (quoted), each \r\n, \n or \r counting once. */
function lineBreaksIn(cells: string[]): number {
  let breaks = 0;
  for (const cell of cells) {
    if (!cell.includes('\n') && !cell.includes('\r')) continue;
    breaks += cell.match(/\r\n|\n|\r/g)!.length;
  }
  return breaks;
}

/** The header of a CSV update file: where the id is and which columns are properties. */
function readHeader(cells: string[], ignore: ReadonlySet<string>) {
  const problems: string[] = [];
  // A header may have millions of cells: the work here stays linear, and the message short.
  let problemCount = 0;
  const problem = (text: string) => {
    if (problemCount++ < MAX_PROBLEMS_SHOWN) problems.push(text);
  };
  const names = cells.map((c) => c.trim());
  const isId = (name: string) => name.length === 2 && name.toLowerCase() === 'id';
  const idIndexes = names.flatMap((n, i) => (isId(n) ? [i] : []));
  if (idIndexes.length === 0)
    problem('the header has no id column (the first row must name the columns: id,hs_…)');
  if (idIndexes.length > 1) {
    const shown = idIndexes.slice(0, MAX_PROBLEMS_SHOWN).map(columnLetter).join(', ');
    const more = idIndexes.length > MAX_PROBLEMS_SHOWN ? ', …' : '';
    problem(`the header names id ${count(idIndexes.length)} times (columns ${shown}${more})`);
  }
  const columns: CsvColumn[] = [];
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    if (isId(name) || ignore.has(name)) return;
    const where = `column ${columnLetter(index)} (${JSON.stringify(name)})`;
    if (name === '') {
      problem(`${where} has no name in the header (name it, or delete the column)`);
      return;
    }
    const nameProblem = checkPropertyName(name);
    if (nameProblem) {
      problem(
        `${where}: ${nameProblem}; rename it, delete it, or pass --ignore-columns ${JSON.stringify(name)}`,
      );
      return;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      problem(`${where} repeats column ${columnLetter(first)}: each property once`);
      return;
    }
    seen.set(name, index);
    columns.push({ index, name });
  });
  if (problemCount > problems.length)
    problems.push(`… and ${count(problemCount - problems.length)} more`);
  if (problems.length > 0)
    throw new UsageError(`the header (row 1) is not usable:\n  ${problems.join('\n  ')}`);
  return { idIndex: idIndexes[0]!, width: cells.length, columns, names };
}

/** Whether every cell is empty (a loop: this runs for every row). */
function allEmpty(cells: string[]): boolean {
  for (let i = 0; i < cells.length; i++) if (cells[i] !== '') return false;
  return true;
}

/** `row 7`, or `row 7 (line 9)` once quoted line breaks have made them differ. */
function rowAt(row: number, line: number): string {
  return line === row ? `row ${row}` : `row ${row} (line ${line})`;
}

/** Whether a cell is the reset marker, without allocating for the cells that cannot be. */
function isResetMarker(cell: string): boolean {
  return (
    cell.length >= RESET_MARKER.length &&
    cell.length <= RESET_MARKER.length + 8 &&
    cell.trim().toLowerCase() === RESET_MARKER
  );
}

async function* readCsv(
  source: Readable,
  ignore: ReadonlySet<string>,
  maxRecordChars: number,
): AsyncGenerator<RowItem[]> {
  let header: ReturnType<typeof readHeader> | undefined;
  let row = 0;
  let lastLine = 0;
  let items: RowItem[] = [];

  // Empty lines are rows of a spreadsheet too: they come as records (and are skipped here) so
  // that row numbers stay the spreadsheet's; lines are counted here.
  const take = (cells: string[]) => {
    row++;
    const line = lastLine + 1;
    lastLine = line + lineBreaksIn(cells);
    if (!header) {
      header = readHeader(cells, ignore);
      return;
    }
    // An empty line, or a row of empty cells (spreadsheets export those below the data).
    if (allEmpty(cells)) return;
    if (cells.length !== header.width) {
      items.push({
        problem: {
          where: rowAt(row, line),
          message: `has ${cells.length} cells, the header has ${header.width} (a missing or extra separator, or an unclosed quote)`,
        },
      });
      return;
    }
    const id = cells[header.idIndex]!.trim();
    const idProblem = checkIdValue(id);
    if (idProblem !== undefined) {
      items.push({
        problem: {
          where: `${rowAt(row, line)}, column ${columnLetter(header.idIndex)} (id)`,
          message: idProblem,
        },
      });
      return;
    }
    const properties: Record<string, string> = {};
    for (const { index, name } of header.columns) {
      const cell = cells[index]!;
      if (cell === '') continue;
      properties[name] = isResetMarker(cell) ? '' : cell;
    }
    items.push({ row, id, properties });
  };

  try {
    for await (const records of csvRecords(source, { maxRecordChars })) {
      for (const cells of records) take(cells);
      if (items.length > 0) {
        yield items;
        items = [];
      }
    }
  } catch (error) {
    // Every record before the one at fault has been taken: the next row is the one.
    if (error instanceof CsvSyntaxError) {
      let at = `row ${row + 1} (line ${lastLine + 1})`;
      if (error.column !== undefined) {
        const name = header?.names[error.column];
        at += `, column ${columnLetter(error.column)}${name ? ` (${JSON.stringify(name)})` : ''}`;
      }
      throw new UsageError(`not a readable CSV file at ${at}: ${error.message} [${error.code}]`);
    }
    throw error;
  }
  if (!header) throw new UsageError('the file is empty: the first row must name the columns');
}

const JSONL_KEYS = new Set(['id', 'properties']);

async function* readJsonl(source: Readable, maxLineChars: number): AsyncGenerator<RowItem[]> {
  let lineNumber = 0;
  let items: RowItem[] = [];
  try {
    for await (const lines of readLines(source, { maxLineChars })) {
      for (const line of lines) take(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (items.length > 0) yield items;
      items = [];
    }
  } catch (error) {
    if (error instanceof LineError)
      throw new UsageError(`not a readable JSONL file at line ${error.line}: ${error.message}`);
    throw error;
  }

  function take(raw: string): void {
    lineNumber++;
    const text = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') return;
    const at = `line ${lineNumber}`;
    const problem = (where: string, message: string) => items.push({ problem: { where, message } });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      problem(at, `is not JSON (${(error as Error).message})`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problem(at, 'must be an object {"id": "…", "properties": {…}}');
      return;
    }
    const object = value as Record<string, unknown>;
    const unknown = Object.keys(object).filter((k) => !JSONL_KEYS.has(k));
    if (unknown.length > 0) {
      problem(at, `unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}`);
      return;
    }
    const idProblem = checkIdValue(object.id);
    if (idProblem !== undefined) {
      problem(`${at}, id`, idProblem);
      return;
    }
    const props = object.properties ?? {};
    if (typeof props !== 'object' || props === null || Array.isArray(props)) {
      problem(`${at}, properties`, 'must be an object of property name to string value');
      return;
    }
    let bad = false;
    const properties: Record<string, string> = {};
    for (const [name, v] of Object.entries(props as Record<string, unknown>)) {
      const nameProblem = checkPropertyName(name);
      if (nameProblem) {
        problem(`${at}, properties`, nameProblem);
        bad = true;
      } else if (typeof v !== 'string') {
        problem(
          `${at}, properties.${name}`,
          `must be a string ("" resets the property), got ${v === null ? 'null' : typeof v}`,
        );
        bad = true;
      } else properties[name] = v;
    }
    if (!bad) items.push({ row: lineNumber, id: object.id as string, properties });
  }
}
