import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkGenerated, findSpecs, writeGenerated } from '../src/generate.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoSpec = path.resolve(here, '../../../openapi/campaigns.yaml');
const cli = path.resolve(here, '../src/cli.ts');
const tsx = path.resolve(here, '../../../node_modules/.bin/tsx');

let dir = '';
let specDir = '';
let outDir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'codegen-drift-'));
  specDir = path.join(dir, 'openapi');
  outDir = path.join(dir, 'generated');
  await mkdir(specDir);
  await cp(repoSpec, path.join(specDir, 'campaigns.yaml'));
  await writeGenerated(specDir, outDir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function changeOneField() {
  const file = path.join(specDir, 'campaigns.yaml');
  const text = await readFile(file, 'utf8');
  const changed = text.replace(
    "          description: The campaign's id (UUID).",
    '          description: Campaign id.',
  );
  expect(changed).not.toBe(text);
  await writeFile(file, changed);
}

describe('drift check', () => {
  it('finds nothing right after generating', async () => {
    expect(await checkGenerated(specDir, outDir)).toEqual([]);
  });

  it('names the drifted file and the first differing line when one field changes', async () => {
    await changeOneField();
    const drifts = await checkGenerated(specDir, outDir);
    expect(drifts).toHaveLength(1);
    expect(drifts[0]).toMatchObject({ file: path.join(outDir, 'campaigns.ts'), reason: 'differs' });
    expect(drifts[0]?.generated).toContain('Campaign id.');
  });

  it('reports missing and stale outputs', async () => {
    await cp(path.join(specDir, 'campaigns.yaml'), path.join(specDir, 'extra.yaml'));
    await writeFile(path.join(outDir, 'orphan.ts'), 'export {};\n');
    const drifts = await checkGenerated(specDir, outDir);
    expect(drifts.map((d) => [path.basename(d.file), d.reason])).toEqual([
      ['extra.limits.ts', 'missing'],
      ['extra.ts', 'missing'],
      ['orphan.ts', 'stale'],
    ]);
  });

  it('fails the CLI with exit code 1 and a message naming the file', async () => {
    await changeOneField();
    const args = [
      '--conditions=@campaigns/source',
      cli,
      '--spec-dir',
      specDir,
      '--out-dir',
      outDir,
    ];
    const result = await run(tsx, [...args, '--check'], {
      cwd: dir,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('codegen drift: generated/campaigns.ts differs');
    expect(result.stderr).toContain('npm run codegen');
  }, 60_000);

  it('skips the Nx project file that sits beside the specs', async () => {
    await writeFile(path.join(specDir, 'project.json'), '{"name":"openapi"}');
    expect((await findSpecs(specDir)).map((s) => s.name)).toEqual(['campaigns']);
  });

  it('refuses two specs that would generate the same module', async () => {
    await cp(path.join(specDir, 'campaigns.yaml'), path.join(specDir, 'campaigns.json'));
    await expect(findSpecs(specDir)).rejects.toThrow(
      /campaigns\.json and campaigns\.yaml would both generate campaigns\.ts/,
    );
  });
});
