// The batch limit has one source, the spec's `maxItems`: the codegen turns it into
// packages/hubspot-client/src/generated/campaigns.limits.ts, which the client exports and the
// core and the simulator import. Changing the spec changes the constant, and the drift check
// catches a committed module that was not regenerated.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  batchInputLimits,
  checkGenerated,
  generateLimits,
  writeGenerated,
} from '../src/generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoSpec = path.resolve(here, '../../../openapi/campaigns.yaml');

let dir = '';
let specFile = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'codegen-limits-'));
  await mkdir(path.join(dir, 'openapi'));
  specFile = path.join(dir, 'openapi', 'campaigns.yaml');
  await cp(repoSpec, specFile);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sets `maxItems` of one batch input schema in the scratch spec. */
async function setMaxItems(schema: string, maxItems: number): Promise<void> {
  const text = await readFile(specFile, 'utf8');
  const start = text.indexOf(`    ${schema}:\n`);
  const at = text.indexOf('maxItems: 50', start);
  expect(start).toBeGreaterThan(0);
  await writeFile(specFile, `${text.slice(0, at)}maxItems: ${maxItems}${text.slice(at + 12)}`);
}

describe('the batch limit generated from the spec', () => {
  it("is what the repository's spec declares (`npm run codegen:check` compares the committed module)", async () => {
    const generated = await generateLimits(specFile, 'campaigns.yaml');
    expect(generated).toContain("'POST /batch/update': 50,");
    expect(generated).toContain('export const BATCH_INPUT_LIMIT = 50;');
  });

  it('follows a change of maxItems in the spec, per operation and as the smallest', async () => {
    await setMaxItems('BatchInputPublicCampaignBatchUpdateItem', 25);
    const generated = await generateLimits(specFile, 'campaigns.yaml');
    expect(generated).toContain("'POST /batch/update': 25,");
    expect(generated).toContain("'POST /batch/read': 50,");
    expect(generated).toContain('export const BATCH_INPUT_LIMIT = 25;');
  });

  it('is caught by the drift check when the spec changes and the module is not regenerated', async () => {
    const outDir = path.join(dir, 'generated');
    await writeGenerated(path.join(dir, 'openapi'), outDir);
    await setMaxItems('BatchInputPublicCampaignReadInput', 100);
    const drifts = await checkGenerated(path.join(dir, 'openapi'), outDir);
    expect(drifts).toHaveLength(1);
    expect(drifts[0]).toMatchObject({
      file: path.join(outDir, 'campaigns.limits.ts'),
      reason: 'differs',
      generated: "  'POST /batch/read': 100,",
    });
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
