// `export` against the simulator: every page, both formats, and the round trip an operator makes
// (export, edit, update).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPORT_PROPERTIES, EXIT } from '../src/index.js';
import { run, scratch, sim } from './helpers.js';

describe('export', () => {
  it('pages through every campaign to CSV, and an export applied back changes nothing', async () => {
    const s = await sim({ campaigns: 230 });
    const dir = scratch();
    const result = await run(['export', '-o', 'all.csv'], { cwd: dir, url: s.url });
    expect(result.code).toBe(EXIT.OK);
    expect(result.stderr).toContain('Exported 230 campaigns');
    // 100 a page, HubSpot's largest.
    expect(s.stats().byEndpoint['GET /']).toEqual({ '200': 3 });
    const rows = parse(readFileSync(path.join(dir, 'all.csv'))) as string[][];
    expect(rows[0]).toEqual(['id', ...DEFAULT_EXPORT_PROPERTIES]);
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(
      s.store
        .list()
        .map((c) => c.id)
        .sort(),
    );
    const one = s.store.list()[0]!;
    const cells = rows.find((r) => r[0] === one.id)!;
    DEFAULT_EXPORT_PROPERTIES.forEach((name, i) =>
      expect(cells[i + 1]).toBe(one.properties[name] ?? ''),
    );

    // Every value the same afterwards (HubSpot only moves its modification date).
    const values = () =>
      s.store.list().map(({ properties: { hs_lastmodifieddate: _, ...rest } }) => rest);
    const before = values();
    const back = await run(['update', '--file', 'all.csv'], { cwd: dir, url: s.url });
    expect(back.code).toBe(EXIT.OK);
    expect(s.stats().batchInputsReceived).toBe(230);
    expect(values()).toEqual(before);
  });

  it('writes JSONL (chosen by the file name) with the properties asked for, filtered by name', async () => {
    const s = await sim({ campaigns: 60 });
    const dir = scratch();
    const word = s.store.list()[0]!.properties.hs_name!.split(' ')[0]!;
    const result = await run(
      ['export', '--properties', 'hs_name, hs_goal', '--name', word, '-o', 'some.jsonl'],
      { cwd: dir, url: s.url },
    );
    expect(result.code).toBe(EXIT.OK);
    const lines = readFileSync(path.join(dir, 'some.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; properties: Record<string, string> });
    const expected = s.store
      .list()
      .filter((c) => c.properties.hs_name!.toLowerCase().includes(word.toLowerCase()));
    expect(lines.map((l) => l.id).sort()).toEqual(expected.map((c) => c.id).sort());
    for (const line of lines)
      expect(Object.keys(line.properties).every((k) => k === 'hs_name' || k === 'hs_goal')).toBe(
        true,
      );
    // What export writes, update reads: the JSONL round trip changes nothing either.
    writeFileSync(path.join(dir, 'again.jsonl'), readFileSync(path.join(dir, 'some.jsonl')));
    expect((await run(['update', '--file', 'again.jsonl'], { cwd: dir, url: s.url })).code).toBe(
      EXIT.OK,
    );
  });

  it('writes to standard output, with a BOM on request', async () => {
    const s = await sim({ campaigns: 3 });
    const result = await run(['export', '--properties', 'hs_name', '--bom'], {
      cwd: scratch(),
      url: s.url,
    });
    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout.startsWith('\uFEFFid,hs_name\n')).toBe(true);
    expect(result.stdout.trim().split('\n')).toHaveLength(4);
  });

  it('waits out 429s instead of failing', async () => {
    const s = await sim({ campaigns: 250 });
    s.script({ status: 429, retryAfterSeconds: 0 }, { status: 429, retryAfterSeconds: 0 });
    const result = await run(['export', '--format', 'jsonl'], { cwd: scratch(), url: s.url });
    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout.trim().split('\n')).toHaveLength(250);
    expect(s.stats().byEndpoint['GET /']).toEqual({ '200': 3, '429': 2 });
  });

  it('exits 3 when HubSpot refuses the token, and 2 for a bad property name', async () => {
    const s = await sim();
    const refused = await run(['export'], {
      cwd: scratch(),
      url: s.url,
      env: { HUBSPOT_TOKEN: 'pat-na1-00000000-0000-0000-0000-000000000000' },
    });
    expect(refused.code).toBe(EXIT.STOPPED);
    expect(refused.stderr).toContain('HubSpot refused the credentials');
    const bad = await run(['export', '--properties', 'hs_name,Bad Name'], {
      cwd: scratch(),
      url: s.url,
    });
    expect(bad.code).toBe(EXIT.BAD_INPUT);
    expect(bad.stderr).toContain('"Bad Name" is not a HubSpot property name');
  });

  it('stops cleanly when interrupted: exit 3, the output says it is incomplete', async () => {
    const s = await sim({ campaigns: 500, latency: { fixedMs: 30 } });
    const dir = scratch();
    const controller = new AbortController();
    const poll = setInterval(() => {
      if (s.stats().totalRequests >= 2) controller.abort();
    }, 2);
    const result = await run(['export', '-o', 'part.csv'], {
      cwd: dir,
      url: s.url,
      signal: controller.signal,
    }).finally(() => clearInterval(poll));
    expect(result.code).toBe(EXIT.STOPPED);
    expect(result.stderr).toMatch(
      /Stopped after \d+ campaigns \(interrupted\); part.csv is incomplete/,
    );
    const lines = readFileSync(path.join(dir, 'part.csv'), 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThan(501);
  });

  it('runs on the embedded simulator with --sim and no credential', async () => {
    const dir = scratch();
    const result = await run(['--sim', 'export', '--properties', 'hs_name'], {
      cwd: dir,
      env: { HUBSPOT_TOKEN: '' },
    });
    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout.trim().split('\n')).toHaveLength(201);
    expect(result.stderr).toContain('the embedded simulator');
  });
});
