// The batch limit has one source, the spec's `maxItems` (or, where the spec has none, the
// overlay's): the codegen turns it into packages/hubspot-client/src/generated/<version>.limits.ts,
// which the client exports and the core imports (the simulator reads the same maxItems from the
// spec it serves). Changing the spec changes the constant, and the drift check catches a committed
// module that was not regenerated.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkGenerated, generateLimits, writeGenerated } from '../src/generate.js';
import { batchInputLimits } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoSpecs = path.resolve(here, '../../../openapi');

let dir = '';
let specFile = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'codegen-limits-'));
  await mkdir(path.join(dir, 'openapi'));
  await cp(path.join(repoSpecs, 'v3'), path.join(dir, 'openapi/v3'), { recursive: true });
  await cp(path.join(repoSpecs, 'overlay.yaml'), path.join(dir, 'openapi/overlay.yaml'));
  specFile = path.join(dir, 'openapi/v3/campaigns.yaml');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Declares `maxItems` on the inputs of one batch input schema in the scratch spec. */
async function setMaxItems(schema: string, maxItems: number): Promise<void> {
  const text = await readFile(specFile, 'utf8');
  const start = text.indexOf(`    ${schema}:\n`);
  const at = text.indexOf('          type: array\n', start) + '          type: array\n'.length;
  expect(start).toBeGreaterThan(0);
  await writeFile(
    specFile,
    `${text.slice(0, at)}          maxItems: ${maxItems}\n${text.slice(at)}`,
  );
}

describe('the batch limit generated from the spec', () => {
  it("is the overlay's 50 for the repository's spec, which declares none (`npm run codegen:check` compares the committed module)", async () => {
    expect(await readFile(specFile, 'utf8')).not.toContain('maxItems');
    const generated = await generateLimits(specFile);
    expect(generated).toContain("'POST /batch/update': 50,");
  });

  it('follows a maxItems the spec declares, per operation', async () => {
    await setMaxItems('BatchInputPublicCampaignBatchUpdateItem', 25);
    const generated = await generateLimits(specFile);
    expect(generated).toContain("'POST /batch/update': 25,");
    expect(generated).toContain("'POST /batch/read': 50,");
    // The smallest across operations and versions is the client's (api-versions.ts), not per file.
    expect(generated).not.toContain('BATCH_INPUT_LIMIT ');
  });

  it('is caught by the drift check when the spec changes and the module is not regenerated', async () => {
    const outDir = path.join(dir, 'generated');
    await writeGenerated(path.join(dir, 'openapi'), outDir);
    await setMaxItems('BatchInputPublicCampaignReadInput', 100);
    const drifts = await checkGenerated(path.join(dir, 'openapi'), outDir);
    expect(drifts).toHaveLength(1);
    expect(drifts[0]).toMatchObject({
      file: path.join(outDir, 'v3.limits.ts'),
      reason: 'differs',
      generated: "  'POST /batch/read': 100,",
    });
  });

  it('refuses a batch operation with no maxItems at all (spec without one, no overlay)', async () => {
    await expect(generateLimits(specFile, { overlay: false })).rejects.toThrow(
      /no maxItems on the inputs of POST \/batch\/read, POST \/batch\/update, POST \/batch\/create, POST \/batch\/archive, even after the overlay/,
    );
  });

  it('resolves $refs and leaves out operations whose body has no inputs list', () => {
    const limits = batchInputLimits({
      openapi: '3.0.3',
      paths: {
        '/batch/x': {
          post: {
            requestBody: { $ref: '#/components/requestBodies/X' },
          },
        },
        '/{id}': { patch: { requestBody: { content: { 'application/json': { schema: {} } } } } },
      },
      components: {
        requestBodies: {
          X: { content: { 'application/json': { schema: { $ref: '#/components/schemas/X' } } } },
        },
        schemas: { X: { properties: { inputs: { type: 'array', maxItems: 7 } } } },
      },
    });
    expect(limits).toEqual({ 'POST /batch/x': 7 });
  });
});
