// The command line as a real process: exit codes as a shell sees them, and Ctrl-C (SIGINT) in the
// middle of a run, through the `hubspot-campaigns` bin as an operator starts it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/index.js';
import { csv, readReport, scratch, sim, spawnCli } from './helpers.js';

describe('the hubspot-campaigns process', () => {
  it('on SIGINT mid-run: exit 3, a report with every id once; --resume then sends only the rest', async () => {
    // 20 requests per second at most: 1,000 rows (20 requests) take about a second, so the
    // interrupt lands in the middle.
    const s = await sim({ campaigns: 1_000, rateLimit: { max: 20, intervalMs: 1_000 } });
    const dir = scratch();
    const ids = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'edits.csv'),
      csv([['id', 'hs_notes'], ...ids.map((id, i) => [id, `note ${i}`])]),
    );
    const child = spawnCli(
      ['update', '--file', 'edits.csv', '--report', 'first.jsonl', '--base-url', s.url],
      { cwd: dir, viaBin: true },
    );
    while (s.stats().totalRequests < 3 && child.exitCode === null) await sleep(5);
    child.kill('SIGINT');
    expect(await child.exited).toBe(EXIT.STOPPED);
    expect(child.output.stderr).toContain('Interrupted: stopping');
    expect(child.output.stderr).toContain('Stopped (interrupted)');
    expect(child.output.stderr).toContain('--resume first.jsonl');

    const first = readReport(path.join(dir, 'first.jsonl'));
    expect(first).toHaveLength(1_000);
    expect(new Set(first.map((l) => l.id))).toEqual(new Set(ids));
    const outcomes = new Set(first.map((l) => (l.status === 'error' ? l.category : l.status)));
    expect([...outcomes].every((o) => ['ok', 'CANCELED', 'CANCELED_IN_FLIGHT'].includes(o))).toBe(
      true,
    );
    const ok = first.filter((l) => l.status === 'ok').length;
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThan(1_000);

    // A new process knows nothing of the first one's requests: let the simulator's window pass,
    // so that no 429 is retried and every input it receives is one sent once.
    await sleep(1_000);
    s.resetStats();
    const again = spawnCli(
      [
        'update',
        '--file',
        'edits.csv',
        '--resume',
        'first.jsonl',
        '--report',
        'second.jsonl',
        '--base-url',
        s.url,
      ],
      { cwd: dir },
    );
    expect(await again.exited).toBe(EXIT.OK);
    expect(s.stats().batchInputsReceived).toBe(1_000 - ok);
    expect(ids.every((id, i) => s.store.get(id)!.properties.hs_notes === `note ${i}`)).toBe(true);
  });

  it('exits 2 for a bad file and 1 when some campaigns fail', async () => {
    const s = await sim();
    const dir = scratch();
    const [a] = s.store.list().map((x) => x.id);
    writeFileSync(
      path.join(dir, 'bad.csv'),
      csv([
        ['id', 'hs_notes'],
        ['', 'x'],
      ]),
    );
    writeFileSync(
      path.join(dir, 'mixed.csv'),
      csv([
        ['id', 'hs_notes'],
        [a!, 'x'],
        ['00000000-0000-4000-8000-000000000009', 'y'],
      ]),
    );
    const bad = spawnCli(['update', '--file', 'bad.csv', '--base-url', s.url], { cwd: dir });
    const mixed = spawnCli(['update', '--file', 'mixed.csv', '--base-url', s.url], { cwd: dir });
    expect(await bad.exited).toBe(EXIT.BAD_INPUT);
    expect(bad.output.stderr).toContain('row 2, column A (id): id is empty');
    expect(await mixed.exited).toBe(EXIT.SOME_FAILED);
  });
});
