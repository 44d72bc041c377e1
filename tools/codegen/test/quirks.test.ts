// HubSpot's own spec files have quirks (example: null everywhere, `default` responses with
// `*/*` content, $ref with sibling description, full paths). This proves that such a file,
// dropped into openapi/, generates types the client's unchanged source compiles against.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLimits, generateTypes } from '../src/generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, 'fixtures/hubspot-quirks.json');
const clientDir = path.resolve(here, '../../../packages/hubspot-client');
const clientSrc = path.join(clientDir, 'src');

let generated = '';
let limits: string | undefined;
let workDir = '';

beforeAll(async () => {
  // With the repository's overlay, as `npm run codegen` applies it to a file dropped in.
  generated = await generateTypes(fixture);
  limits = await generateLimits(fixture);
  // Inside the repository, so `openapi-fetch` resolves from the workspace's node_modules.
  workDir = await mkdtemp(path.join(here, '..', '.tmp-quirks-'));
  // The client reads its version from ../package.json.
  await cp(path.join(clientDir, 'package.json'), path.join(workDir, 'package.json'));
});

/** The client's source beside its package.json, with the modules this fixture generates. */
async function copyClient(dir: string): Promise<void> {
  await cp(clientSrc, dir, { recursive: true });
  await writeFile(path.join(dir, 'generated/v3.ts'), generated);
  await writeFile(path.join(dir, 'generated/v3.limits.ts'), limits!);
}
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The workspace's `lib` (tsconfig.base.json), as the client compiles against it: e.g. `lib.dom.iterable.d.ts`. */
function workspaceLib(): string[] {
  const base = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
  const { config } = ts.readConfigFile(base, ts.sys.readFile) as {
    config: { compilerOptions: { lib: string[] } };
  };
  return config.compilerOptions.lib.map((name) => `lib.${name.toLowerCase()}.d.ts`);
}

function compile(rootFiles: string[]): string[] {
  const program = ts.createProgram(rootFiles, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: workspaceLib(),
    types: ['node'],
    skipLibCheck: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    resolveJsonModule: true,
    // Workspace packages the client imports (@campaigns/redact) resolve to their sources.
    customConditions: ['@campaigns/source'],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

describe('a HubSpot-style spec with quirks', () => {
  it('generates paths relative to the API root and drops the null examples', () => {
    const pathsBlock = generated.slice(
      generated.indexOf('export interface paths {'),
      generated.indexOf('export type webhooks'),
    );
    expect(pathsBlock).toContain('"/batch/update": {');
    expect(pathsBlock).toContain('"/{campaignGuid}": {');
    expect(pathsBlock).not.toMatch(/^ {4}"\/marketing/m);
    expect(generated).not.toContain('@example null');
    expect(generated).toContain('"*/*": components["schemas"]["Error"]');
  });

  it('generates the batch limits from maxItems, whatever the path layout', () => {
    // HubSpot's own files declare no maxItems: the overlay adds HubSpot's documented 50.
    expect(limits).toContain("'POST /batch/update': 50,");
  });

  it("compiles the client's unchanged source against the generated types", async () => {
    const src = path.join(workDir, 'src');
    await copyClient(src);
    await writeFile(
      path.join(src, 'usage.ts'),
      `import { createHubSpotClient, type PublicCampaign } from './index.js';
const client = createHubSpotClient({ token: 'x', apiVersion: '2026-03' });
export async function run(): Promise<string | undefined> {
  const { data } = await client.POST('/batch/update', {
    body: { inputs: [{ id: 'edb9b6c3', properties: { hs_name: 'A', hs_notes: '' } }] },
  });
  const first: PublicCampaign | undefined = data?.results[0];
  const unit: number | undefined = first?.businessUnits[0]?.id;
  // @ts-expect-error an unknown path is a compile error
  await client.POST('/batch/upsert', { body: { inputs: [] } });
  // @ts-expect-error an update input needs an id
  await client.POST('/batch/update', { body: { inputs: [{ properties: {} }] } });
  return first ? first.id + String(unit) : undefined;
}
`,
    );
    const diagnostics = compile([path.join(src, 'index.ts'), path.join(src, 'usage.ts')]);
    expect(diagnostics).toEqual([]);
  }, 60_000);

  it('would catch a client that relies on something the spec lacks', async () => {
    const dir = path.join(workDir, 'negative');
    // A call to a path the spec does not have must fail to compile, or the test above proves nothing.
    await copyClient(dir);
    await writeFile(
      path.join(dir, 'usage.ts'),
      `import { createHubSpotClient } from './index.js';
export const p = createHubSpotClient({ token: 'x' }).POST('/batch/no-such-path', { body: {} });
`,
    );
    expect(compile([path.join(dir, 'usage.ts')]).join('\n')).toMatch(/batch\/no-such-path/);
  }, 60_000);
});
