// writeOrCheckOutputs: what the gateway's and @campaigns/graphql's codegen scripts share.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeOrCheckOutputs } from '../src/outputs.js';

let dir: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const options = { rel: (f: string) => path.basename(f), sources: 'the schema', rerun: 'regen' };

describe('writeOrCheckOutputs', () => {
  it('writes the files and removes the stale ones', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'outputs-'));
    const stale = path.join(dir, 'old.ts');
    await writeFile(stale, 'old');
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const file = path.join(dir, 'sub', 'a.ts');
    expect(
      await writeOrCheckOutputs([{ file, content: 'A\n' }], {
        ...options,
        check: false,
        stale: [stale],
      }),
    ).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('A\n');
    await expect(readFile(stale, 'utf8')).rejects.toThrow();
  });

  it('reports each file that differs, is missing or is stale, and fails', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'outputs-'));
    const same = path.join(dir, 'same.ts');
    const changed = path.join(dir, 'changed.ts');
    const stale = path.join(dir, 'stale.ts');
    await writeFile(same, 'x\n');
    await writeFile(changed, 'one\ntwo\n');
    await writeFile(stale, 's');
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    const code = await writeOrCheckOutputs(
      [
        { file: same, content: 'x\n' },
        { file: changed, content: 'one\nTWO\n' },
        { file: path.join(dir, 'missing.ts'), content: 'm\n' },
      ],
      { ...options, check: true, stale: [stale] },
    );
    expect(code).toBe(1);
    expect(errors).toEqual([
      'codegen drift: changed.ts differs from what the schema generate (first at line 2)',
      '  committed: two',
      '  generated: TWO',
      'codegen drift: missing.ts is missing: the schema generate it',
      'codegen drift: stale.ts is stale: nothing generates it any more',
      'Run `regen` and commit the result.',
    ]);
    expect(await readFile(changed, 'utf8')).toBe('one\ntwo\n');
  });

  it('passes when everything is committed as generated', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'outputs-'));
    const file = path.join(dir, 'a.ts');
    await writeFile(file, 'a\n');
    const logs: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    expect(await writeOrCheckOutputs([{ file, content: 'a\n' }], { ...options, check: true })).toBe(
      0,
    );
    expect(logs).toEqual(['codegen: a.ts up to date with the schema']);
  });
});
