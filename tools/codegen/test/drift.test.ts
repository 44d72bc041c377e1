import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, cp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
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

async function editSpec(from: string, to: string) {
  const file = path.join(specDir, 'campaigns.yaml');
  const text = await readFile(file, 'utf8');
  const changed = text.replace(from, to);
  expect(changed).not.toBe(text);
  await writeFile(file, changed);
}

/** The business unit id retyped from int64 to string: upstream did that in one date version. */
const retypeBusinessUnitId = () =>
  editSpec(
    `    PublicBusinessUnit:
      type: object
      required: [id]
      properties:
        id:
          type: integer
          format: int64`,
    `    PublicBusinessUnit:
      type: object
      required: [id]
      properties:
        id:
          type: string`,
  );

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

  it('names the schema and the field that was retyped, not only the first line', async () => {
    await retypeBusinessUnitId();
    const drifts = await checkGenerated(specDir, outDir);
    expect(drifts).toHaveLength(1);
    // The first differing line is part of a doc comment, which says little on its own.
    expect(drifts[0]?.committed?.trim()).toBe('/**');
    expect(drifts[0]?.changes).toEqual([
      'schemas changed: PublicBusinessUnit (id: number → string)',
    ]);
  });

  it('names added, removed and changed operations and schemas', async () => {
    // An endpoint removed (batch archive), a field added to a schema, a new schema.
    const file = path.join(specDir, 'campaigns.yaml');
    const doc = parseYaml(await readFile(file, 'utf8')) as {
      paths: Record<string, unknown>;
      components: {
        schemas: Record<string, { type?: string; properties?: Record<string, unknown> }>;
      };
    };
    delete doc.paths['/batch/archive'];
    doc.components.schemas.PublicCampaignInput!.properties!.note = { type: 'string' };
    doc.components.schemas.Spare = { type: 'object', properties: { x: { type: 'string' } } };
    doc.paths['/{campaignGuid}/spare'] = {
      get: {
        operationId: 'get-spare',
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Spare' } } },
          },
        },
      },
    };
    await writeFile(file, stringifyYaml(doc));
    const [types, limits] = await checkGenerated(specDir, outDir).then((d) =>
      ['campaigns.ts', 'campaigns.limits.ts'].map((n) => d.find((x) => x.file.endsWith(`/${n}`))),
    );
    expect(types?.changes).toEqual(
      expect.arrayContaining([
        'operations added: GET /{campaignGuid}/spare',
        'operations removed: POST /batch/archive',
        'schemas added: Spare',
        expect.stringMatching(/^schemas changed: .*PublicCampaignInput \(note added\)/),
      ]),
    );
    expect(limits?.changes).toContain("- 'POST /batch/archive': 50,");
  });

  it('names the operation whose own types changed', async () => {
    await editSpec(
      `      description: Returns a page of campaigns, optionally filtered by name and sorted.`,
      `      description: Returns one page of campaigns.`,
    );
    const [drift] = await checkGenerated(specDir, outDir);
    expect(drift?.changes).toEqual(['operations changed: GET /']);
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
    expect(result.stderr).toContain(
      'schemas changed: PublicCampaignBatchUpdateItem (id (documentation))',
    );
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
