// Turns every OpenAPI file in a folder into one TypeScript module of types, and checks that
// committed output still matches its spec (the CI drift check).
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse as parseYaml } from 'yaml';
import { assertOpenApi3, dropNullExamples, normalizeApiPaths } from './normalize.js';

const SPEC_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);
/** Tooling files that may sit beside the specs (the folder is an Nx project). */
const NOT_SPECS = new Set(['project.json', 'package.json']);

export interface SpecFile {
  /** Absolute path of the spec. */
  file: string;
  /** Output module name: the spec's file name without extension, e.g. `campaigns`. */
  name: string;
}

/** Lists the specs in a folder, one output module per spec; two specs may not share a name. */
export async function findSpecs(specDir: string): Promise<SpecFile[]> {
  const entries = await readdir(specDir, { withFileTypes: true });
  const specs: SpecFile[] = [];
  const byName = new Map<string, string>();
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const ext = path.extname(entry.name).toLowerCase();
    if (!entry.isFile() || !SPEC_EXTENSIONS.has(ext) || NOT_SPECS.has(entry.name)) continue;
    const name = path.basename(entry.name, path.extname(entry.name));
    if (!/^[A-Za-z0-9][\w.-]*$/.test(name)) {
      throw new Error(`${entry.name}: spec file names must be letters, digits, ".", "_" or "-"`);
    }
    const clash = byName.get(name);
    if (clash) {
      throw new Error(
        `${clash} and ${entry.name} would both generate ${name}.ts: keep one of them in ${specDir}`,
      );
    }
    byName.set(name, entry.name);
    specs.push({ file: path.join(specDir, entry.name), name });
  }
  return specs;
}

/** Generates the TypeScript types for one spec file. Output is deterministic (no timestamps). */
export async function generateTypes(
  specFile: string,
  displayName = path.basename(specFile),
): Promise<string> {
  const text = await readFile(specFile, 'utf8');
  let doc: unknown;
  try {
    doc = specFile.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`${displayName}: cannot parse: ${(error as Error).message}`);
  }
  assertOpenApi3(doc, displayName);
  const normalized = normalizeApiPaths(dropNullExamples(doc));
  const ast = await openapiTS(normalized as unknown as Parameters<typeof openapiTS>[0], {
    silent: true,
    // HubSpot's files mark optional fields by leaving them out of `required`; keep that meaning.
    alphabetize: false,
  });
  const header = [
    '/**',
    ` * Generated from openapi/${displayName} by tools/codegen (openapi-typescript).`,
    ' * Do not edit: change the spec and run `npm run codegen`.',
    ' */',
    '',
  ].join('\n');
  return `${header}\n${astToString(ast)}`;
}

export interface CodegenResult {
  written: string[];
}

/** Regenerates every spec in `specDir` into `outDir`, removing modules whose spec is gone. */
export async function writeGenerated(specDir: string, outDir: string): Promise<CodegenResult> {
  const specs = await findSpecs(specDir);
  if (specs.length === 0) throw new Error(`no OpenAPI files (.json, .yaml, .yml) in ${specDir}`);
  await mkdir(outDir, { recursive: true });
  const expected = new Set<string>();
  const written: string[] = [];
  for (const spec of specs) {
    const target = path.join(outDir, `${spec.name}.ts`);
    expected.add(path.basename(target));
    await writeFile(target, await generateTypes(spec.file));
    written.push(target);
  }
  for (const existing of await readdir(outDir)) {
    if (existing.endsWith('.ts') && !expected.has(existing)) await rm(path.join(outDir, existing));
  }
  return { written };
}

export interface Drift {
  file: string;
  reason: 'differs' | 'missing' | 'stale';
  /** First differing line (1-based), for `differs`. */
  line?: number;
  committed?: string;
  generated?: string;
}

/** Regenerates into a temporary folder and reports every committed file that differs. */
export async function checkGenerated(specDir: string, outDir: string): Promise<Drift[]> {
  const temp = await mkdtemp(path.join(tmpdir(), 'campaigns-codegen-'));
  try {
    await writeGenerated(specDir, temp);
    const fresh = (await readdir(temp)).filter((f) => f.endsWith('.ts')).sort();
    let committed: string[] = [];
    try {
      committed = (await readdir(outDir)).filter((f) => f.endsWith('.ts')).sort();
    } catch {
      committed = [];
    }
    const drifts: Drift[] = [];
    for (const name of fresh) {
      const file = path.join(outDir, name);
      if (!committed.includes(name)) {
        drifts.push({ file, reason: 'missing' });
        continue;
      }
      const want = await readFile(path.join(temp, name), 'utf8');
      const have = await readFile(file, 'utf8');
      if (want !== have) drifts.push({ file, reason: 'differs', ...firstDifference(have, want) });
    }
    for (const name of committed) {
      if (!fresh.includes(name)) drifts.push({ file: path.join(outDir, name), reason: 'stale' });
    }
    return drifts;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** The first line where committed and freshly generated text differ (1-based), for drift messages. */
export function firstDifference(
  committed: string,
  generated: string,
): { line: number; committed: string; generated: string } {
  const a = committed.split('\n');
  const b = generated.split('\n');
  let i = 0;
  while (i < Math.max(a.length, b.length) && a[i] === b[i]) i++;
  return { line: i + 1, committed: a[i] ?? '<end of file>', generated: b[i] ?? '<end of file>' };
}
