import { describe, expect, it } from 'vitest';
import { planFromCsv } from '../src/csv';
import { GATEWAY_DEFAULT_LIMITS, MAX_CSV_ROWS } from '../src/limits';

const A = '04d2d0d3-44b7-4c97-b6b6-9108a19015ea';
const B = '90ff7d9c-52b0-4604-882c-c3d4ed41b665';

describe('planFromCsv', () => {
  it('turns rows into one input per id, header optional, "" as a reset', () => {
    const plan = planFromCsv(
      `id,property,value\n${A},hs_notes,Q3 push\n${B},hs_goal,\n${A},hs_goal,500 MQLs\n`,
    );
    expect(plan.problems).toEqual([]);
    expect(plan.inputs).toEqual([
      {
        id: A,
        properties: [
          { name: 'hs_notes', value: 'Q3 push' },
          { name: 'hs_goal', value: '500 MQLs' },
        ],
      },
      { id: B, properties: [{ name: 'hs_goal', value: '' }] },
    ]);
    expect([plan.changes, plan.resets]).toEqual([3, 1]);
    expect(planFromCsv(`${A},hs_notes,x`).inputs).toHaveLength(1);
  });

  it('reads RFC 4180: quotes, doubled quotes, commas and line breaks in quotes, CRLF, a BOM', () => {
    const plan = planFromCsv(
      `\uFEFFID,Property,Value\r\n${A},hs_notes,"say ""hi"", twice\r\nthen stop"\r\n${B},hs_goal,"1,000"\r\n`,
    );
    expect(plan.problems).toEqual([]);
    expect(plan.inputs.map((i) => i.properties[0]!.value)).toEqual([
      'say "hi", twice\r\nthen stop',
      '1,000',
    ]);
  });

  it('names the row (the line it starts on) of every bad row, and sends nothing then', () => {
    const plan = planFromCsv(
      [
        'id,property,value',
        `${A},hs_notes,"two`,
        `lines"`,
        `${B},HS Notes,x`, // line 4
        `,hs_notes,x`, // 5
        `${A},hs_notes`, // 6
        '', // 7: blank, skipped
        `${A},hs_notes,again`, // 8: already set on row 2
        `${B},__proto__,x`, // 9
        `has space,hs_notes,x`, // 10
      ].join('\n'),
    );
    expect(plan.problems.map((p) => p.row)).toEqual([4, 5, 6, 8, 9, 10]);
    expect(plan.problems[0]!.message).toContain('is not a HubSpot property name');
    expect(plan.problems[1]!.message).toBe('id is empty');
    expect(plan.problems[2]!.message).toBe('expected 3 fields (id,property,value), found 2');
    expect(plan.problems[3]!.message).toBe(`hs_notes of ${A} is already set on row 2`);
    expect(plan.problems[4]!.message).toContain('is reserved');
    expect(plan.problems[5]!.message).toBe('id contains whitespace or control characters');
  });

  it("applies the gateway's limits: value length, properties per campaign, campaigns per job", () => {
    const limits = {
      ...GATEWAY_DEFAULT_LIMITS,
      maxCampaignsPerJob: 2,
      maxPropertiesPerCampaign: 2,
      maxPropertyValueLength: 5,
    };
    const plan = planFromCsv(
      [
        `a,hs_notes,123456`,
        `a,hs_goal,ok`,
        `a,hs_utm,ok`,
        `a,hs_audience,ok`,
        `b,hs_notes,ok`,
        `c,hs_notes,ok`,
      ].join('\n'),
      limits,
    );
    expect(plan.problems).toEqual([
      {
        row: 1,
        message: 'the value is 6 characters long, more than MAX_PROPERTY_VALUE_LENGTH=5',
      },
      { row: 4, message: 'a has more than 2 properties (MAX_PROPERTIES_PER_CAMPAIGN)' },
      { row: 6, message: 'more than 2 campaigns (MAX_CAMPAIGNS_PER_JOB): split the file' },
    ]);
    expect(GATEWAY_DEFAULT_LIMITS.maxPropertyValueLength).toBe(65_536);
  });

  it('refuses a file that is not CSV, or has no rows', () => {
    expect(planFromCsv(`${A},hs_notes,"open\n${B},hs_notes,x`).problems).toEqual([
      { row: 2, message: expect.stringContaining('the file is not valid CSV: Quote Not Closed') },
    ]);
    expect(planFromCsv('id,property,value\n\n').problems).toEqual([
      { row: 1, message: 'the file has no id,property,value rows' },
    ]);
  });

  it('takes the first record that is not blank as the possible header (blank lines before it)', () => {
    for (const text of [
      `\nid,property,value\n${A},hs_notes,x\n`,
      `\r\n\r\nid,property,value\r\n${A},hs_notes,x\r\n`,
    ]) {
      const plan = planFromCsv(text);
      expect(plan.problems).toEqual([]);
      expect(plan.inputs).toEqual([{ id: A, properties: [{ name: 'hs_notes', value: 'x' }] }]);
      expect(plan.changes).toBe(1);
    }
    // Only the first: a header-shaped row after a change is a row like any other.
    expect(planFromCsv(`${A},hs_notes,x\nid,property,value\n`).changes).toBe(2);
  });

  it(`refuses more than ${MAX_CSV_ROWS} rows, without checking them`, () => {
    const text = `${A},hs_notes,x\n`.repeat(MAX_CSV_ROWS + 5);
    expect(planFromCsv(text).problems).toEqual([
      { row: MAX_CSV_ROWS + 1, message: expect.stringContaining(`more than ${MAX_CSV_ROWS} rows`) },
    ]);
  });
});
