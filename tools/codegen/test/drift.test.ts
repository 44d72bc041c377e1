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
const repoSpecs = path.resolve(here, '../../../openapi');
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
  await cp(path.join(repoSpecs, 'v3'), path.join(specDir, 'v3'), { recursive: true });
  await cp(path.join(repoSpecs, 'overlay.yaml'), path.join(specDir, 'overlay.yaml'));
  await writeGenerated(specDir, outDir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function changeOneField() {
  const file = path.join(specDir, 'v3/campaigns.yaml');
  const text = await readFile(file, 'utf8');
  const changed = text.replace(
    "          description: The campaign's id (UUID).",
    '          description: Campaign id.',
  );
  expect(changed).not.toBe(text);
  await writeFile(file, changed);
}

async function editSpec(from: string, to: string) {
  const file = path.join(specDir, 'v3/campaigns.yaml');
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
    expect(drifts[0]).toMatchObject({ file: path.join(outDir, 'v3.ts'), reason: 'differs' });
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
    const file = path.join(specDir, 'v3/campaigns.yaml');
    const doc = parseYaml(await readFile(file, 'utf8')) as {
      paths: Record<string, unknown>;
      components: {
        schemas: Record<string, { type?: string; properties?: Record<string, unknown> }>;
      };
    };
    delete doc.paths['/marketing/v3/campaigns/batch/archive'];
    doc.components.schemas.PublicCampaignInput!.properties!.note = { type: 'string' };
    doc.components.schemas.Spare = { type: 'object', properties: { x: { type: 'string' } } };
    doc.paths['/marketing/v3/campaigns/{campaignGuid}/spare'] = {
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
      ['v3.ts', 'v3.limits.ts'].map((n) => d.find((x) => x.file.endsWith(`/${n}`))),
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
    await addDateVersion('2026-03');
    await writeFile(path.join(outDir, 'orphan.ts'), 'export {};\n');
    const drifts = await checkGenerated(specDir, outDir);
    expect(drifts.map((d) => [path.basename(d.file), d.reason])).toEqual([
      ['2026-03.limits.ts', 'missing'],
      ['2026-03.ts', 'missing'],
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
    expect(result.stderr).toContain('codegen drift: generated/v3.ts differs');
    expect(result.stderr).toContain(
      'schemas changed: PublicCampaignBatchUpdateItem (id (documentation))',
    );
    expect(result.stderr).toContain('npm run codegen');
  }, 60_000);

  it('reads version folders and skips the files beside them (overlay, Nx and npm files)', async () => {
    await writeFile(path.join(specDir, 'project.json'), '{"name":"openapi"}');
    await writeFile(path.join(specDir, 'package.json'), '{"name":"@campaigns/openapi"}');
    await addDateVersion('2026-09-beta');
    const specs = await findSpecs(specDir);
    expect(specs.map((s) => [s.name, s.displayName])).toEqual([
      ['2026-09-beta', '2026-09-beta/campaigns.yaml + overlay.yaml'],
      ['v3', 'v3/campaigns.yaml + overlay.yaml'],
    ]);
    expect(specs[1]?.meta).toMatchObject({ hubspotVersion: 'v3', origin: 'own description' });
  });

  it('refuses two specs for one version, and a spec outside a version folder', async () => {
    await cp(path.join(specDir, 'v3/campaigns.yaml'), path.join(specDir, 'v3/campaigns.json'));
    await expect(findSpecs(specDir)).rejects.toThrow(
      /campaigns\.yaml and campaigns\.json both describe the version/,
    );
    await rm(path.join(specDir, 'v3/campaigns.json'));
    await cp(path.join(specDir, 'v3/campaigns.yaml'), path.join(specDir, 'campaigns.yaml'));
    await expect(findSpecs(specDir)).rejects.toThrow(/lives in its version's folder/);
  });

  it('refuses a folder that is not an API version, as the client would', async () => {
    await cp(path.join(specDir, 'v3'), path.join(specDir, '2026-09-BETA'), { recursive: true });
    await expect(findSpecs(specDir)).rejects.toThrow(/2026-09-BETA\/: a version folder is named/);
  });

  it('checks meta.json: present, naming its folder, and the paths under its root', async () => {
    const meta = path.join(specDir, 'v3/meta.json');
    const record = JSON.parse(await readFile(meta, 'utf8')) as Record<string, unknown>;
    await writeFile(meta, JSON.stringify({ ...record, hubspotVersion: '2026-03', origin: 'x' }));
    await expect(findSpecs(specDir)).rejects.toThrow(
      /v3\/meta\.json: hubspotVersion is "2026-03", but the folder is v3; origin must be/,
    );
    await rm(meta);
    await expect(findSpecs(specDir)).rejects.toThrow(/v3\/meta\.json is missing/);
    // A 2026-03 file put in the v3 folder: its full paths are under another root.
    await writeFile(meta, JSON.stringify(record));
    await editSpec(
      '  /marketing/v3/campaigns/batch/read:',
      '  /marketing/campaigns/2026-03/batch/read:',
    );
    await expect(writeGenerated(specDir, outDir)).rejects.toThrow(
      /v3\/: paths outside \/marketing\/v3\/campaigns, the root meta\.json records: \/marketing\/campaigns\/2026-03\/batch\/read/,
    );
  });
});

/** A copy of the v3 folder as a date version: its paths under that version's root. */
async function addDateVersion(version: string): Promise<void> {
  const folder = path.join(specDir, version);
  await mkdir(folder);
  const spec = await readFile(path.join(specDir, 'v3/campaigns.yaml'), 'utf8');
  await writeFile(
    path.join(folder, 'campaigns.yaml'),
    spec.replaceAll('/marketing/v3/campaigns', `/marketing/campaigns/${version}`),
  );
  const meta = JSON.parse(await readFile(path.join(specDir, 'v3/meta.json'), 'utf8')) as object;
  await writeFile(
    path.join(folder, 'meta.json'),
    JSON.stringify({
      ...meta,
      hubspotVersion: version,
      pathRoot: `/marketing/campaigns/${version}`,
    }),
  );
}
