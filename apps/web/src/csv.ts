// A CSV of `id,property,value` rows into the inputs of one job, with every bad row named before
// anything is sent. The rules are the gateway's (ids and property names: the engine's functions;
// sizes: its limits); the CSV itself is read by csv-parse (RFC 4180: quotes, "" escapes, line
// breaks inside quotes, CRLF, a byte-order mark).
import { parse } from 'csv-parse/browser/esm/sync';
import { LIMITS, MAX_CSV_ROWS, type EditorLimits } from './limits';
import { checkIdValue, checkPropertyName } from './rules';
import type { UpdateInput } from './inputs';

export interface CsvProblem {
  /** The line the row starts on (1 is the first line; a header counts). */
  row: number;
  message: string;
}

export interface CsvPlan {
  /** One input per campaign id, its properties in the order of their rows. */
  inputs: UpdateInput[];
  /** Rows that became a change (the header and blank lines excluded). */
  changes: number;
  /** How many of those set `""`, which resets the property. */
  resets: number;
  /** Every problem, in row order; when there is any, nothing may be sent. */
  problems: CsvProblem[];
}

const HEADER = ['id', 'property', 'value'];

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** Reads `text` and checks every row; `problems` is empty when the plan may be sent. */
export function planFromCsv(text: string, limits: EditorLimits = LIMITS): CsvPlan {
  const plan: CsvPlan = { inputs: [], changes: 0, resets: 0, problems: [] };
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
      // One more than the cap: enough to tell the file is too long, without reading all of it.
      to: MAX_CSV_ROWS + 1,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    const { lines, message } = error as { lines?: number; message?: string };
    plan.problems.push({
      row: lines ?? 1,
      message: `the file is not valid CSV: ${message ?? String(error)}`,
    });
    return plan;
  }
  if (records.length > MAX_CSV_ROWS) {
    plan.problems.push({
      row: MAX_CSV_ROWS + 1,
      message: `the file has more than ${MAX_CSV_ROWS} rows, the most the page checks: split it`,
    });
    return plan;
  }

  /** Per id: its input, and for each property name the row that set it. */
  const byId = new Map<string, { input: UpdateInput; rows: Map<string, number> }>();
  let nextLine = 1;
  /** Whether a record that is not blank was seen: only the first one may be the header. */
  let started = false;
  for (const { record, info } of records) {
    const row = nextLine;
    nextLine = info.lines + 1;
    if (record.length === 1 && record[0] === '') continue; // a blank line
    const first = !started;
    started = true;
    if (first && isHeader(record)) continue;
    const problem = (message: string) => plan.problems.push({ row, message });
    if (record.length !== 3) {
      problem(`expected 3 fields (id,property,value), found ${record.length}`);
      continue;
    }
    const [id, name, value] = record as [string, string, string];
    const idProblem = checkIdValue(id);
    const nameProblem = checkPropertyName(name);
    if (idProblem) problem(idProblem);
    if (nameProblem) problem(nameProblem);
    const tooLong = value.length > limits.maxPropertyValueLength;
    if (tooLong)
      problem(
        `the value is ${value.length} characters long, more than MAX_PROPERTY_VALUE_LENGTH=${limits.maxPropertyValueLength}`,
      );
    if (idProblem || nameProblem || tooLong) continue;
    let entry = byId.get(id);
    if (!entry) {
      if (byId.size === limits.maxCampaignsPerJob) {
        problem(
          `more than ${limits.maxCampaignsPerJob} campaigns (MAX_CAMPAIGNS_PER_JOB): split the file`,
        );
        continue;
      }
      entry = { input: { id, properties: [] }, rows: new Map() };
      byId.set(id, entry);
      plan.inputs.push(entry.input);
    }
    const earlier = entry.rows.get(name);
    if (earlier !== undefined) {
      problem(`${name} of ${id} is already set on row ${earlier}`);
      continue;
    }
    if (entry.rows.size === limits.maxPropertiesPerCampaign) {
      problem(
        `${id} has more than ${limits.maxPropertiesPerCampaign} properties (MAX_PROPERTIES_PER_CAMPAIGN)`,
      );
      continue;
    }
    entry.rows.set(name, row);
    entry.input.properties.push({ name, value });
    plan.changes++;
    if (value === '') plan.resets++;
  }
  if (plan.changes === 0 && plan.problems.length === 0)
    plan.problems.push({ row: 1, message: 'the file has no id,property,value rows' });
  return plan;
}

function isHeader(record: string[]): boolean {
  return (
    record.length === HEADER.length &&
    record.every((field, i) => field.trim().toLowerCase() === HEADER[i])
  );
}
