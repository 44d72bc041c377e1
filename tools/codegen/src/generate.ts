// Turns every OpenAPI file in a folder into a TypeScript module of types (and one of its batch
// limits), and checks that committed output still matches its spec (the CI drift check).
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse as parseYaml } from 'yaml';
import {
  assertOpenApi3,
  dropNullExamples,
  normalizeApiPaths,
  type OpenApiDocument,
} from './normalize.js';
import { describeTypesChange, diffGeneratedTypes } from './structure.js';

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

/** Reads, checks and normalizes one spec file: what every generated module is made from. */
export async function loadSpec(
  specFile: string,
  displayName = path.basename(specFile),
): Promise<OpenApiDocument> {
  const text = await readFile(specFile, 'utf8');
  let doc: unknown;
  try {
    doc = specFile.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`${displayName}: cannot parse: ${(error as Error).message}`);
  }
  assertOpenApi3(doc, displayName);
  return normalizeApiPaths(dropNullExamples(doc));
}

function header(displayName: string, what: string): string {
  return [
    '/**',
    ` * Generated from openapi/${displayName} by tools/codegen (${what}).`,
    ' * Do not edit: change the spec and run `npm run codegen`.',
    ' */',
    '',
  ].join('\n');
}

/** Generates the TypeScript types for one spec file. Output is deterministic (no timestamps). */
export async function generateTypes(
  specFile: string,
  displayName = path.basename(specFile),
): Promise<string> {
  const normalized = await loadSpec(specFile, displayName);
  const ast = await openapiTS(normalized as unknown as Parameters<typeof openapiTS>[0], {
    silent: true,
    // HubSpot's files mark optional fields by leaving them out of `required`; keep that meaning.
    alphabetize: false,
  });
  return `${header(displayName, 'openapi-typescript')}\n${astToString(ast)}`;
}

/**
 * HubSpot's documented limit for every batch endpoint, used only for a batch operation whose spec
 * declares no `maxItems` (HubSpot's own files do not; ours does, and then the spec decides).
 */
export const DOCUMENTED_BATCH_LIMIT = 50;

/**
 * The limits module of one spec file: each batch operation's `maxItems` on `inputs`, so the
 * client, the core and the simulator take the batch limit from the spec instead of repeating
 * it. Undefined when the spec has no batch operation.
 */
export async function generateLimits(
  specFile: string,
  displayName = path.basename(specFile),
): Promise<string | undefined> {
  const entries = Object.entries(batchInputLimits(await loadSpec(specFile, displayName)));
  if (entries.length === 0) return undefined;
  const limits = entries.map(([route, max]) => [route, max ?? DOCUMENTED_BATCH_LIMIT] as const);
  const smallest = Math.min(...limits.map(([, max]) => max));
  return [
    header(displayName, "the batch operations' maxItems"),
    "/** Most `inputs` each batch operation takes, by route: the spec's `maxItems`. */",
    'export const BATCH_INPUT_LIMITS = {',
    ...entries.map(([route, max]) =>
      max === undefined
        ? `  '${route}': ${DOCUMENTED_BATCH_LIMIT}, // no maxItems in the spec: HubSpot's documented limit`
        : `  '${route}': ${max},`,
    ),
    '} as const;',
    '',
    '/** Most `inputs` every batch operation takes: the smallest of `BATCH_INPUT_LIMITS`. */',
    `export const BATCH_INPUT_LIMIT = ${smallest};`,
    '',
  ].join('\n');
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/**
 * `maxItems` of the `inputs` array of every operation whose JSON body has one (HubSpot's batch
 * shape), by route key (`POST /batch/update`), in path order; undefined where the spec declares
 * none.
 */
export function batchInputLimits(doc: OpenApiDocument): Record<string, number | undefined> {
  const limits: Record<string, number | undefined> = {};
  for (const [route, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = record(record(item)?.[method]);
      const requestBody = resolve(doc, operation?.requestBody);
      const content = record(record(requestBody)?.content);
      const schema = resolve(doc, record(content?.['application/json'])?.schema);
      const inputs = record(resolve(doc, record(record(schema)?.properties)?.inputs));
      if (inputs?.type !== 'array') continue;
      const { maxItems } = inputs;
      limits[`${method.toUpperCase()} ${route}`] =
        typeof maxItems === 'number' && Number.isInteger(maxItems) && maxItems >= 1
          ? maxItems
          : undefined;
    }
  }
  return limits;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Follows local `$ref`s (`#/components/...`); other values come back as they are. */
function resolve(doc: OpenApiDocument, value: unknown, seen = new Set<string>()): unknown {
  const ref = record(value)?.$ref;
  if (typeof ref !== 'string') return value;
  if (!ref.startsWith('#/') || seen.has(ref)) return undefined;
  seen.add(ref);
  let target: unknown = doc;
  for (const part of ref.slice(2).split('/'))
    target = record(target)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return resolve(doc, target, seen);
}

/** The modules one spec generates, by file name: `<name>.ts`, and `<name>.limits.ts` if it has batches. */
export async function generateModules(spec: SpecFile): Promise<Map<string, string>> {
  const modules = new Map([[`${spec.name}.ts`, await generateTypes(spec.file)]]);
  const limits = await generateLimits(spec.file);
  if (limits !== undefined) modules.set(`${spec.name}.limits.ts`, limits);
  return modules;
}

export interface CodegenResult {
  written: string[];
}

/** Regenerates every spec in `specDir` into `outDir`, removing modules whose spec is gone. */
export async function writeGenerated(specDir: string, outDir: string): Promise<CodegenResult> {
  const specs = await findSpecs(specDir);
  if (specs.length === 0) throw new Error(`no OpenAPI files (.json, .yaml, .yml) in ${specDir}`);
  await mkdir(outDir, { recursive: true });
  const expected = new Map<string, string>();
  const written: string[] = [];
  for (const spec of specs) {
    for (const [name, text] of await generateModules(spec)) {
      const clash = expected.get(name);
      if (clash) {
        throw new Error(
          `${path.basename(clash)} and ${path.basename(spec.file)} would both generate ${name}: rename one of them`,
        );
      }
      expected.set(name, spec.file);
      const target = path.join(outDir, name);
      await writeFile(target, text);
      written.push(target);
    }
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
  /**
   * For `differs`: what changed, in the spec's terms. For a types module, the operations and
   * schemas (with their fields) added, removed or changed; for a limits module, the lines.
   */
  changes?: string[];
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
      if (want !== have) {
        drifts.push({
          file,
          reason: 'differs',
          ...firstDifference(have, want),
          changes: name.endsWith('.limits.ts')
            ? changedLines(have, want)
            : describeTypesChange(diffGeneratedTypes(have, want)),
        });
      }
    }
    for (const name of committed) {
      if (!fresh.includes(name)) drifts.push({ file: path.join(outDir, name), reason: 'stale' });
    }
    return drifts;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Lines only one side has, `- committed` then `+ generated` (a limits module is short). */
function changedLines(committed: string, generated: string): string[] {
  const a = committed.split('\n').filter((l) => l.trim() !== '');
  const b = generated.split('\n').filter((l) => l.trim() !== '');
  return [
    ...a.filter((l) => !b.includes(l)).map((l) => `- ${l.trim()}`),
    ...b.filter((l) => !a.includes(l)).map((l) => `+ ${l.trim()}`),
  ];
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
