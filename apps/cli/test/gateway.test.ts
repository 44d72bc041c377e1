// `--gateway URL` against a real gateway started in this process (createGateway, the in-process
// job store, AUTH_MODE=api-key, trusted documents only) in front of a simulator. The command has
// no HubSpot token: what reached HubSpot went through the gateway, and the gateway's own job
// counters say it ran the jobs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/index.js';
import { ENV, jobEvents, notesFile, stack, gatewayUpdate } from './gateway-stack.js';
import { readReport, run, scratch, spawnCli } from './helpers.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000001';

describe('update --gateway', () => {
  it('sends the file as one job and reports what HubSpot holds afterwards', async () => {
    const { s, gw } = await stack();
    const dir = scratch();
    const ids = s.store.list().map((c) => c.id);
    notesFile(dir, ids, [[ids[0]!.replace(/.$/, (c) => (c === '0' ? '1' : '0')), '']]);
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', gw.origin],
      { cwd: dir, env: ENV },
    );
    expect(result.stderr).toContain(`Done: 30 of 30 campaigns updated on the gateway at ${gw.url}`);
    expect(result.code).toBe(EXIT.OK);
    expect(ids.every((id, i) => s.store.get(id)!.properties.hs_notes === `note ${i}`)).toBe(true);
    expect(s.stats().batchInputsReceived).toBe(30);
    expect(await jobEvents(gw, 'queued')).toBe(1);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expect(report).toHaveLength(31);
    expect(report).toContainEqual({
      id: ids[3],
      row: 5,
      status: 'ok',
      properties: { hs_notes: 'note 3' },
    });
    expect(report.filter((l) => l.status === 'skipped')).toHaveLength(1);
  });

  it('splits a file larger than --job-size into several jobs (the /graphql URL works too)', async () => {
    const { s, gw } = await stack();
    const dir = scratch();
    const ids = s.store.list().map((c) => c.id);
    notesFile(dir, ids);
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--job-size', '7', '--gateway', gw.url],
      { cwd: dir, env: ENV },
    );
    expect(result.code).toBe(EXIT.OK);
    expect(result.stderr).toContain('5 jobs at the gateway');
    expect(await jobEvents(gw, 'queued')).toBe(5);
    expect(await jobEvents(gw, 'ended')).toBe(5);
    expect(s.stats().batchInputsReceived).toBe(30);
    const report = readReport(path.join(dir, 'r.jsonl'));
    expect(report.map((l) => l.id).sort()).toEqual([...ids].sort());
    expect(report.every((l) => l.status === 'ok')).toBe(true);
  });

  it('an unknown id: exit 1, its error in the report; --resume then sends only that one', async () => {
    const { s, gw } = await stack();
    const dir = scratch();
    const ids = s.store
      .list()
      .map((c) => c.id)
      .slice(0, 10);
    notesFile(dir, [...ids, UNKNOWN]);
    const first = await run(
      ['update', '--file', 'e.csv', '--report', 'first.jsonl', '--gateway', gw.origin],
      { cwd: dir, env: ENV },
    );
    expect(first.code).toBe(EXIT.SOME_FAILED);
    const report = readReport(path.join(dir, 'first.jsonl'));
    expect(report).toHaveLength(11);
    const failed = report.filter((l) => l.status === 'error');
    expect(failed).toEqual([
      expect.objectContaining({ id: UNKNOWN, row: 12, category: 'OBJECT_NOT_FOUND' }),
    ]);

    s.resetStats();
    const again = await run(
      [
        'update',
        '--file',
        'e.csv',
        '--resume',
        'first.jsonl',
        '--report',
        'second.jsonl',
        '--gateway',
        gw.origin,
      ],
      { cwd: dir, env: ENV },
    );
    expect(again.code).toBe(EXIT.SOME_FAILED);
    expect(s.stats().batchInputsReceived).toBe(1);
    expect(await jobEvents(gw, 'queued')).toBe(2);
    const second = readReport(path.join(dir, 'second.jsonl'));
    expect(second.filter((l) => l.status === 'ok' && 'resumed' in l)).toHaveLength(10);
  });

  it('a key the gateway refuses: exit 3, every row not sent, the key in no output', async () => {
    const { s, gw } = await stack();
    const dir = scratch();
    const wrong = 'wrong-key-7d1e2c3b4a5f6e7d8c9b';
    notesFile(
      dir,
      s.store
        .list()
        .map((c) => c.id)
        .slice(0, 5),
    );
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', gw.origin],
      { cwd: dir, env: { ...ENV, HUBSPOT_CAMPAIGNS_GATEWAY_TOKEN: wrong } },
    );
    expect(result.code).toBe(EXIT.STOPPED);
    expect(result.stderr).toContain(`the gateway at ${gw.url} refused the credential`);
    const report = readFileSync(path.join(dir, 'r.jsonl'), 'utf8');
    for (const text of [result.stdout, result.stderr, report]) expect(text).not.toContain(wrong);
    expect(
      readReport(path.join(dir, 'r.jsonl')).map((l) => l.status === 'error' && l.category),
    ).toEqual(Array(5).fill('NOT_SENT_AFTER_AUTH_FAILURE'));
    expect(s.stats().totalRequests).toBe(0);
  });

  it('refuses HubSpot settings and bad URLs with exit 2 before reading the file', async () => {
    const dir = scratch();
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [
        ['--gateway', 'http://127.0.0.1:9'],
        { HUBSPOT_TOKEN: 'pat-na1-something-long' },
        /--gateway excludes HUBSPOT_TOKEN/,
      ],
      [
        ['--gateway', 'http://127.0.0.1:9', '--api-version', '2026-03'],
        {},
        /--gateway excludes --api-version/,
      ],
      [['--gateway', 'http://127.0.0.1:9', '--sim'], {}, /--gateway excludes --sim/],
      [['--gateway', 'ftp://127.0.0.1:9'], {}, /--gateway must be an http\(s\) URL/],
      [['--gateway', 'not a url'], {}, /--gateway must be the gateway's http\(s\) URL/],
      [['--job-size', '5'], {}, /--job-size needs --gateway URL/],
      [
        ['--gateway', 'http://127.0.0.1:9', '--job-size', '0'],
        {},
        /--job-size must be a whole number/,
      ],
    ];
    for (const [extra, env, message] of cases) {
      const result = await run(['update', '--file', 'missing.csv', ...extra], {
        cwd: dir,
        env: { HUBSPOT_TOKEN: '', ...env },
      });
      expect([extra, result.code]).toEqual([extra, EXIT.BAD_INPUT]);
      expect(result.stderr).toMatch(message);
    }
  });

  it('a gateway that cannot be reached: exit 3, saying so', async () => {
    const dir = scratch();
    notesFile(dir, ['7d09b6cc-4a0b-40e3-9118-12b9ab6d39a6']);
    const result = await run(
      ['update', '--file', 'e.csv', '--report', 'r.jsonl', '--gateway', 'http://127.0.0.1:9'],
      {
        cwd: dir,
        env: ENV,
      },
    );
    expect(result.code).toBe(EXIT.STOPPED);
    expect(result.stderr).toContain(
      'the gateway at http://127.0.0.1:9/graphql could not be reached',
    );
    expect(readReport(path.join(dir, 'r.jsonl'))).toHaveLength(1);
  });

  it('on SIGINT mid-run: cancels its jobs, exit 3, every id once in the report', async () => {
    // Each HubSpot call answered after a second: the SIGINT, sent once the first call arrived,
    // finds the first jobs running however slowly this process is scheduled.
    const { s, gw, logs } = await stack({
      campaigns: 600,
      latency: { fixedMs: 1_000 },
    });
    const dir = scratch();
    const ids = s.store.list().map((c) => c.id);
    notesFile(dir, ids);
    const child = spawnCli(gatewayUpdate(gw.origin, 150), { cwd: dir, env: ENV });
    while (s.stats().batchInputsReceived < 50 && child.exitCode === null) await sleep(5);
    child.kill('SIGINT');
    expect(await child.exited).toBe(EXIT.STOPPED);
    expect(child.output.stderr).toContain('Stopped (interrupted)');
    const report = readReport(path.join(dir, 'r.jsonl'));
    expect(report).toHaveLength(600);
    expect(new Set(report.map((l) => l.id))).toEqual(new Set(ids));
    const outcomes = new Set(report.map((l) => (l.status === 'error' ? l.category : l.status)));
    expect([...outcomes].every((o) => ['ok', 'CANCELED', 'CANCELED_IN_FLIGHT'].includes(o))).toBe(
      true,
    );
    expect(outcomes.has('CANCELED')).toBe(true);
    // The command waited for its jobs to end: none is left queued or running at the gateway.
    expect(await gw.jobs.counts()).toEqual({ waiting: 0, active: 0 });
    expect(await jobEvents(gw, 'ended')).toBe(await jobEvents(gw, 'queued'));
    // Its jobs were canceled at the gateway (the audit trail's lines), and ended so.
    const events = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    const cancels = events.filter((e) => e.event === 'campaigns.job.cancel');
    expect(cancels.length).toBeGreaterThan(0);
    const ends = events.filter((e) => e.event === 'campaigns.job.end');
    expect(ends.map((e) => e.status)).toContain('CANCELED');
    // Every ok line is true of HubSpot.
    for (const line of report)
      if (line.status === 'ok' && 'properties' in line)
        expect(s.store.get(line.id)!.properties.hs_notes).toBe(line.properties.hs_notes);
  });
});

describe('export --gateway', () => {
  it("writes every campaign with the properties asked for, read through the gateway's campaignList", async () => {
    const { s, gw } = await stack({ campaigns: 130 });
    const dir = scratch();
    const result = await run(
      [
        'export',
        '--gateway',
        gw.origin,
        '--properties',
        'hs_name,hs_notes',
        '--format',
        'jsonl',
        '-o',
        'out.jsonl',
      ],
      { cwd: dir, env: ENV },
    );
    expect(result.code).toBe(EXIT.OK);
    expect(result.stderr).toContain(`Exported 130 campaigns from the gateway at ${gw.url}`);
    const lines = readFileSync(path.join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; properties: Record<string, string | null> });
    expect(lines.map((l) => l.id).sort()).toEqual(
      s.store
        .list()
        .map((c) => c.id)
        .sort(),
    );
    for (const line of lines) {
      const held = s.store.get(line.id)!.properties;
      expect(line.properties.hs_name ?? undefined).toBe(held.hs_name);
      expect(
        Object.keys(line.properties).every((name) => ['hs_name', 'hs_notes'].includes(name)),
      ).toBe(true);
    }
    expect(s.stats().totalRequests).toBeGreaterThanOrEqual(2);
  });
});
