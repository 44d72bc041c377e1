// `update` against the simulator, in-process: what reaches HubSpot (the simulator's own state and
// counters, not the command's story), the report, and the exit codes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { DEFAULT_MAX_CONCURRENCY } from '@campaigns/core';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { describe, expect, it, vi } from 'vitest';
import { EXIT } from '../src/index.js';
import { Spool } from '../src/spool.js';
import { csv, readReport, run, scratch, sim } from './helpers.js';

const UNKNOWN = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];

describe('update from CSV', () => {
  it('applies a spreadsheet export with its quirks: BOM, CRLF, quoted commas and line breaks, empty cells, <reset>', async () => {
    const s = await sim();
    const dir = scratch();
    const [a, b, c] = s.store.list().map((x) => x.id);
    const before = s.store.get(c!)!.properties;
    const text =
      '\uFEFF' +
      csv(
        [
          ['id', 'hs_notes', 'hs_goal', 'hs_audience'],
          [a!, '"Q3, the big push"', '"two\r\nlines"', ''],
          [b!, '', '<reset>', '"Quoted ""fans"""'],
          [c!, '', '', ''],
        ],
        '\r\n',
      );
    writeFileSync(path.join(dir, 'edits.csv'), text);
    const result = await run(['update', '--file', 'edits.csv', '--report', 'report.jsonl'], {
      cwd: dir,
      url: s.url,
    });
    expect(result.stderr).toContain('Done: 2 of 2 campaigns updated');
    expect(result.code).toBe(EXIT.OK);
    expect(s.store.get(a!)!.properties).toMatchObject({
      hs_notes: 'Q3, the big push',
      hs_goal: 'two\r\nlines',
    });
    expect(s.store.get(b!)!.properties.hs_goal).toBeUndefined();
    expect(s.store.get(b!)!.properties.hs_audience).toBe('Quoted "fans"');
    expect(s.store.get(c!)!.properties).toEqual(before);
    // Only what a row changes is sent: the empty row is not sent at all.
    expect(s.stats().batchInputsReceived).toBe(2);
    const report = readReport(path.join(dir, 'report.jsonl'));
    expect(report).toHaveLength(3);
    expect(report).toContainEqual({
      id: b,
      row: 3,
      status: 'ok',
      properties: { hs_goal: '', hs_audience: 'Quoted "fans"' },
    });
    expect(report).toContainEqual({
      id: c,
      row: 4,
      status: 'skipped',
      reason: 'nothing to change',
    });
  });

  it('refuses duplicate ids, naming both rows, and sends nothing', async () => {
    const s = await sim();
    const dir = scratch();
    const [a, b] = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'dup.csv'),
      csv([
        ['id', 'hs_notes'],
        [a!, 'x'],
        [b!, 'y'],
        [a!, 'z'],
      ]),
    );
    const result = await run(['update', '--file', 'dup.csv'], { cwd: dir, url: s.url });
    expect(result.code).toBe(EXIT.BAD_INPUT);
    expect(result.stderr).toContain(`row 4: campaign ${a} is also on row 2`);
    expect(result.stderr).toContain('nothing was sent');
    expect(s.stats().totalRequests).toBe(0);
  });

  it('refuses a file with a bad row anywhere, naming row and column, and sends nothing', async () => {
    const s = await sim();
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    const rows = [['hs_goal', 'id'], ...ids.slice(0, 20).map((id) => ['x', id])];
    rows[17] = ['x', ''];
    writeFileSync(path.join(dir, 'bad.csv'), csv(rows));
    const result = await run(['update', '--file', 'bad.csv', '--batch-rows', '5'], {
      cwd: dir,
      url: s.url,
    });
    expect(result.code).toBe(EXIT.BAD_INPUT);
    expect(result.stderr).toContain('row 18, column B (id): id is empty');
    expect(s.stats().totalRequests).toBe(0);
  });

  it('refuses unknown columns (exit 2, nothing sent) and takes them with --ignore-columns', async () => {
    const s = await sim();
    const dir = scratch();
    const [a] = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'extra.csv'),
      csv([
        ['id', 'Comment', 'hs_notes'],
        [a!, 'mine', 'n'],
      ]),
    );
    const refused = await run(['update', '--file', 'extra.csv'], { cwd: dir, url: s.url });
    expect(refused.code).toBe(EXIT.BAD_INPUT);
    expect(refused.stderr).toContain('column B ("Comment")');
    expect(s.stats().totalRequests).toBe(0);

    const taken = await run(['update', '--file', 'extra.csv', '--ignore-columns', 'Comment'], {
      cwd: dir,
      url: s.url,
    });
    expect(taken.code).toBe(EXIT.OK);
    expect(s.store.get(a!)!.properties.hs_notes).toBe('n');
  });

  it('exits 1 on a 207 naming unknown ids, which the report lists as OBJECT_NOT_FOUND', async () => {
    const s = await sim();
    const dir = scratch();
    const [a, b] = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'mixed.csv'),
      csv([
        ['id', 'hs_notes'],
        [a!, 'ok'],
        [UNKNOWN[0]!, 'x'],
        [b!, 'ok'],
        [UNKNOWN[1]!, 'y'],
      ]),
    );
    const result = await run(['update', '--file', 'mixed.csv', '--report', 'r.jsonl'], {
      cwd: dir,
      url: s.url,
    });
    expect(result.code).toBe(EXIT.SOME_FAILED);
    expect(s.stats().byEndpoint['POST /batch/update']).toEqual({ '207': 1 });
    expect(result.stderr).toContain('OBJECT_NOT_FOUND × 2');
    const report = readReport(path.join(dir, 'r.jsonl'));
    const failed = report.filter((l) => l.status === 'error');
    expect(failed.map((l) => [l.id, l.row, 'category' in l && l.category])).toEqual(
      expect.arrayContaining([
        [UNKNOWN[0], 3, 'OBJECT_NOT_FOUND'],
        [UNKNOWN[1], 5, 'OBJECT_NOT_FOUND'],
      ]),
    );
    expect(
      report
        .filter((l) => l.status === 'ok')
        .map((l) => l.id)
        .sort(),
    ).toEqual([a, b].sort());
    // Without a report the summary names the failed ids itself.
    const bare = await run(['update', '--file', 'mixed.csv'], { cwd: dir, url: s.url });
    expect(bare.code).toBe(EXIT.SOME_FAILED);
    expect(bare.stderr).toContain(UNKNOWN[0]);
    expect(bare.stderr).toContain('Pass --report FILE');
  });

  it('--resume sends only what the earlier report did not mark ok, and the new report accounts for every row', async () => {
    const s = await sim();
    const dir = scratch();
    const ids = s.store
      .list()
      .map((x) => x.id)
      .slice(0, 12);
    writeFileSync(
      path.join(dir, 'edits.csv'),
      csv([['id', 'hs_notes'], ...ids.map((id, i) => [id, `note ${i}`]), [UNKNOWN[0]!, 'x']]),
    );
    // The first run stops at its second request: HubSpot refuses the token (403).
    s.script({ kind: 'delay', ms: 0 }, { status: 403 });
    const first = await run(
      ['update', '--file', 'edits.csv', '--report', 'first.jsonl', '--batch-rows', '5'],
      { cwd: dir, url: s.url },
    );
    expect(first.code).toBe(EXIT.STOPPED);
    const firstReport = readReport(path.join(dir, 'first.jsonl'));
    expect(firstReport).toHaveLength(13);
    const notOk = firstReport.filter((l) => l.status !== 'ok').map((l) => l.id);
    expect(notOk).toHaveLength(8); // the refused batch, the one never sent (and its unknown id)

    s.resetStats();
    const second = await run(
      ['update', '--file', 'edits.csv', '--resume', 'first.jsonl', '--report', 'second.jsonl'],
      { cwd: dir, url: s.url },
    );
    expect(s.stats().batchInputsReceived).toBe(notOk.length);
    expect(second.code).toBe(EXIT.SOME_FAILED); // the unknown id is still unknown
    const secondReport = readReport(path.join(dir, 'second.jsonl'));
    expect(secondReport.map((l) => l.id).sort()).toEqual([...ids, UNKNOWN[0]].sort());
    expect(secondReport.filter((l) => 'resumed' in l)).toHaveLength(13 - notOk.length);
    for (const [i, id] of ids.entries())
      expect(s.store.get(id)!.properties.hs_notes).toBe(`note ${i}`);

    // Resuming from the resumed report sends only the id that is still failing.
    s.resetStats();
    await run(['update', '--file', 'edits.csv', '--resume', 'second.jsonl'], {
      cwd: dir,
      url: s.url,
    });
    expect(s.stats().batchInputsReceived).toBe(1);
  });

  it('sends full batches of --batch-rows when resumed and empty rows thin out what is read back', async () => {
    const s = await sim({ campaigns: 250 });
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    // Every third row ok in the earlier report, every fifth changing nothing.
    const resumed = ids.filter((_, i) => i % 3 === 0);
    writeFileSync(
      path.join(dir, 'earlier.jsonl'),
      resumed.map((id) => JSON.stringify({ id, row: 0, status: 'ok', properties: {} })).join('\n'),
    );
    writeFileSync(
      path.join(dir, 'all.csv'),
      csv([['id', 'hs_notes'], ...ids.map((id, i) => [id, i % 5 === 0 ? '' : `n${i}`])]),
    );
    const toSend = ids.filter((_, i) => i % 3 !== 0 && i % 5 !== 0);
    const result = await run(
      [
        'update',
        '--file',
        'all.csv',
        '--batch-rows',
        '40',
        '--resume',
        'earlier.jsonl',
        '--report',
        'report.jsonl',
      ],
      { cwd: dir, url: s.url },
    );
    expect(result.code).toBe(EXIT.OK);
    // A batch of 40 rows is one request: every batch but the last was full, none larger.
    expect(s.stats().batchInputsReceived).toBe(toSend.length);
    expect(s.stats().totalRequests).toBe(Math.ceil(toSend.length / 40));
    expect(s.stats().largestBatch).toBe(40);
    for (const id of toSend)
      expect(s.store.get(id)!.properties.hs_notes).toBe(`n${ids.indexOf(id)}`);
    const report = readReport(path.join(dir, 'report.jsonl'));
    expect(report.map((l) => l.id).sort()).toEqual([...ids].sort());
  });

  it('sends a file larger than a batch in several batches, every row once', async () => {
    const s = await sim({ campaigns: 60 });
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'big.csv'),
      csv([['id', 'hs_goal'], ...ids.map((id, i) => [id, `goal ${i}`])]),
    );
    const result = await run(
      ['update', '--file', 'big.csv', '--report', 'r.jsonl', '--batch-rows', '7'],
      { cwd: dir, url: s.url },
    );
    expect(result.code).toBe(EXIT.OK);
    expect(s.stats().batchInputsReceived).toBe(60);
    expect(s.stats().largestBatch).toBeLessThanOrEqual(7);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expect(new Set(report.map((l) => l.id)).size).toBe(60);
    expect(ids.every((id, i) => s.store.get(id)!.properties.hs_goal === `goal ${i}`)).toBe(true);
  });

  it('reads JSONL from standard input', async () => {
    const s = await sim();
    const dir = scratch();
    const [a, b] = s.store.list().map((x) => x.id);
    const stdin = [
      JSON.stringify({ id: a, properties: { hs_notes: 'from stdin' } }),
      JSON.stringify({ id: b, properties: { hs_notes: '' } }),
    ].join('\n');
    const result = await run(['update', '--file', '-', '--format', 'jsonl'], {
      cwd: dir,
      url: s.url,
      stdin,
    });
    expect(result.code).toBe(EXIT.OK);
    expect(s.store.get(a!)!.properties.hs_notes).toBe('from stdin');
    expect(s.store.get(b!)!.properties.hs_notes).toBeUndefined();
  });

  it('--dry-run prints what would change, needs no token, and sends nothing', async () => {
    const s = await sim();
    const dir = scratch();
    const [a, b] = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'e.csv'),
      csv([
        ['id', 'hs_notes', 'hs_goal'],
        [a!, 'x', ''],
        [b!, '', '<reset>'],
      ]),
    );
    const result = await run(['update', '--file', 'e.csv', '--dry-run'], {
      cwd: dir,
      env: { HUBSPOT_TOKEN: '' },
    });
    expect(result.code).toBe(EXIT.OK);
    expect(result.stdout).toBe(`row 2  ${a}  hs_notes="x"\nrow 3  ${b}  hs_goal=<reset>\n`);
    expect(result.stderr).toContain('2 campaigns would be updated (1 value set, 1 reset)');
    expect(s.stats().totalRequests).toBe(0);
  });

  it('prints plain progress lines when stderr is not a terminal', async () => {
    const s = await sim({ latency: { fixedMs: 60 } });
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    writeFileSync(path.join(dir, 'e.csv'), csv([['id', 'hs_goal'], ...ids.map((id) => [id, 'g'])]));
    const result = await run(
      ['update', '--file', 'e.csv', '--progress-interval', '20', '--batch-rows', '10'],
      { cwd: dir, url: s.url },
    );
    expect(result.code).toBe(EXIT.OK);
    expect(result.stderr).toMatch(
      /updated \d+\/30 \(\d+%\), \d+\/s, ETA \S+, failed 0, retries 0, 429s 0\n/,
    );
  });
});

describe('credentials, options and stops', () => {
  it('exits 3 when HubSpot refuses the token, reporting every row, never writing the token', async () => {
    const s = await sim();
    const dir = scratch();
    const [a, b] = s.store.list().map((x) => x.id);
    const token = 'pat-na1-11111111-2222-3333-4444-555555555555';
    writeFileSync(path.join(dir, 'token'), `${token}\n`);
    writeFileSync(
      path.join(dir, 'e.csv'),
      csv([
        ['id', 'hs_notes'],
        [a!, 'x'],
        [b!, 'y'],
      ]),
    );
    const result = await run(
      ['update', '--file', 'e.csv', '--token-file', 'token', '--report', 'r.jsonl'],
      { cwd: dir, url: s.url },
    );
    expect(result.code).toBe(EXIT.STOPPED);
    expect(result.stderr).toContain('HubSpot refused the credentials');
    const reportText = readFileSync(path.join(dir, 'r.jsonl'), 'utf8');
    expect(readReport(path.join(dir, 'r.jsonl')).map((l) => l.status)).toEqual(['error', 'error']);
    for (const text of [result.stdout, result.stderr, reportText]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(DEFAULT_SIM_TOKEN);
    }
  });

  it('takes the token from --token-file and a date version with --api-version', async () => {
    const s = await sim({ apiVersion: '2026-03' });
    const dir = scratch();
    const [a] = s.store.list().map((x) => x.id);
    writeFileSync(path.join(dir, 'token'), DEFAULT_SIM_TOKEN);
    writeFileSync(
      path.join(dir, 'e.csv'),
      csv([
        ['id', 'hs_notes'],
        [a!, 'dated'],
      ]),
    );
    const result = await run(
      ['update', '--file', 'e.csv', '--token-file', 'token', '--api-version', '2026-03'],
      { cwd: dir, url: s.url, env: { HUBSPOT_TOKEN: '' } },
    );
    expect(result.code).toBe(EXIT.OK);
    expect(s.store.get(a!)!.properties.hs_notes).toBe('dated');
    // Every call went to the date version's root, the only one this simulator serves.
    expect(Object.keys(s.stats().byApiRoot)).toEqual(['/marketing/campaigns/2026-03']);
  });

  it('refuses bad usage with exit 2 before anything is sent', async () => {
    const s = await sim();
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'e.csv'),
      csv([
        ['id', 'hs_notes'],
        [s.store.list()[0]!.id, 'x'],
      ]),
    );
    const cases: Array<[string[], RegExp]> = [
      [
        ['update', '--file', 'e.csv', '--gateway', 'http://127.0.0.1:4000'],
        /--gateway excludes HUBSPOT_TOKEN, --base-url: the gateway holds the HubSpot credential/,
      ],
      [['update', '--file', 'e.csv', '--api-version', 'v4'], /--api-version must be v3 or a date/],
      [['update', '--file', 'missing.csv'], /cannot read missing.csv \(ENOENT\)/],
      [
        ['update', '--file', 'e.csv', '--resume', 'r.jsonl', '--report', 'r.jsonl'],
        /--report must name a new file/,
      ],
      [['update'], /required option '-f, --file <file>'/],
      [['frobnicate'], /unknown command/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv, { cwd: dir, url: s.url });
      expect([argv, result.code]).toEqual([argv, EXIT.BAD_INPUT]);
      expect(result.stderr).toMatch(message);
    }
    const noToken = await run(['update', '--file', 'e.csv'], {
      cwd: dir,
      url: s.url,
      env: { HUBSPOT_TOKEN: '' },
    });
    expect(noToken.code).toBe(EXIT.BAD_INPUT);
    expect(noToken.stderr).toContain('set HUBSPOT_TOKEN or pass --token-file');
    expect(s.stats().totalRequests).toBe(0);
  });

  it('stops cleanly when interrupted: exit 3, every row reported once, CANCELED for what was not done', async () => {
    const s = await sim({ campaigns: 40 });
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    writeFileSync(path.join(dir, 'e.csv'), csv([['id', 'hs_goal'], ...ids.map((id) => [id, 'g'])]));
    const controller = new AbortController();
    // Batches of 10, one request each: the second is held by the simulator, and the run is
    // interrupted as soon as it has arrived.
    s.script({ kind: 'delay', ms: 0 }, { kind: 'delay', ms: 5_000 });
    const poll = setInterval(() => {
      if (s.stats().totalRequests >= 2) controller.abort();
    }, 2);
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--batch-rows', '10'],
      { cwd: dir, url: s.url, signal: controller.signal },
    ).finally(() => clearInterval(poll));
    expect(result.code).toBe(EXIT.STOPPED);
    expect(result.stderr).toContain('Stopped (interrupted): 10 of 40 campaigns updated');
    const report = readReport(path.join(dir, 'r.jsonl'));
    expect(report.map((l) => l.id).sort()).toEqual([...ids].sort());
    const byOutcome = (outcome: string) =>
      report.filter((l) => (l.status === 'error' ? l.category : l.status) === outcome).length;
    expect([byOutcome('ok'), byOutcome('CANCELED_IN_FLIGHT'), byOutcome('CANCELED')]).toEqual([
      10, 10, 20,
    ]);
  });
});

describe('update of a large file', () => {
  it('refuses a file whose last row cannot be read, after many batches were checked, and sends nothing', async () => {
    const s = await sim({ campaigns: 3_000 });
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    // About 150 KB: read in several pieces, spooled in several chunks, 30 batches of 100.
    const text = `${csv([['id', 'hs_notes'], ...ids.map((id, i) => [id, `"note ${i}, long enough to fill the pieces of the file"`])])}${ids[0]},"never closed\n`;
    writeFileSync(path.join(dir, 'late.csv'), text);
    const result = await run(['update', '--file', 'late.csv', '--batch-rows', '100'], {
      cwd: dir,
      url: s.url,
    });
    expect(result.code).toBe(EXIT.BAD_INPUT);
    expect(result.stderr).toContain(`not a readable CSV file at row ${ids.length + 2}`);
    expect(s.stats().totalRequests).toBe(0);
  });

  it("reads a batch's rows from the temporary file only when the batch can start", async () => {
    // Rows read ahead of their batch would live long enough to reach V8's old generation: a
    // line of the spool is a batch, taken once the batch two before it is done.
    const s = await sim({ campaigns: 2_000, latency: { fixedMs: 5 } });
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'all.csv'),
      csv([['id', 'hs_notes'], ...ids.map((id, i) => [id, `n${i}`])]),
    );
    const read = Spool.prototype.read;
    let taken = 0;
    let mostAhead = 0;
    const spy = vi.spyOn(Spool.prototype, 'read').mockImplementation(async function* (this: Spool) {
      for await (const rows of read.call(this)) {
        taken += rows.length;
        mostAhead = Math.max(mostAhead, taken - s.stats().batchInputsReceived);
        yield rows;
      }
    });
    try {
      const result = await run(['update', '--file', 'all.csv', '--batch-rows', '100'], {
        cwd: dir,
        url: s.url,
      });
      expect(result.code).toBe(EXIT.OK);
    } finally {
      spy.mockRestore();
    }
    expect(taken).toBe(2_000);
    expect(s.stats().batchInputsReceived).toBe(2_000);
    // The batch just read and the one before it, whose requests may not all have left yet.
    expect(mostAhead).toBeLessThanOrEqual(200);
  });

  it('never has more requests in flight than one run of the core, across batch boundaries', async () => {
    // Batches of 60 chunks, each answered after 20 ms: every batch fills the pipe, and the next
    // starts while the previous still has requests out.
    const s = await sim({ campaigns: 9_000, latency: { fixedMs: 20 } });
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'all.csv'),
      csv([['id', 'hs_notes'], ...ids.map((id, i) => [id, `n${i}`])]),
    );
    const result = await run(['update', '--file', 'all.csv', '--batch-rows', '3000'], {
      cwd: dir,
      url: s.url,
    });
    expect(result.code).toBe(EXIT.OK);
    expect(s.store.get(ids[8_999]!)!.properties.hs_notes).toBe('n8999');
    expect(s.stats().totalRequests).toBe(180);
    expect(s.stats().peakInFlight).toBeLessThanOrEqual(DEFAULT_MAX_CONCURRENCY);
    expect(s.stats().peakInFlight).toBeGreaterThan(DEFAULT_MAX_CONCURRENCY / 2);
  });
});
