// Turns the spec of every API version folder (`openapi/<version>/campaigns.yaml` or `.json`) into
// a TypeScript module of types and one of its batch limits, after applying `openapi/overlay.yaml`
// and normalising HubSpot's quirks, and checks that committed output still matches (the CI drift
// check).
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readOverlay,
  requireBatchInputLimits,
  readSpecDocument,
  SPEC_FILE_NAMES,
  specFileOf,
  specVersions,
  type OpenApiDocument,
  type OverlayDocument,
} from '@campaigns/openapi';
import { isApiVersion } from '@campaigns/hubspot-client/version';
import openapiTS, { astToString } from 'openapi-typescript';
import { checkSpecMeta, readSpecMeta, type SpecMeta } from './meta.js';
import { dropNullExamples, normalizeApiPaths } from './normalize.js';
import { describeTypesChange, diffGeneratedTypes } from './structure.js';

/** The overlay's file name in a spec folder. */
export const OVERLAY_FILE = 'overlay.yaml';

export interface SpecFile {
  /** Absolute path of the spec. */
  file: string;
  /** The API version its folder is named after (`v3`, `2026-03`): the output module's name. */
  name: string;
  /** What `meta.json` beside it says. */
  meta: SpecMeta;
  /** The overlay applied to it (the spec folder's `overlay.yaml`), or false when there is none. */
  overlay: OverlayDocument | false;
  /** How messages and generated headers name the files, e.g. `v3/campaigns.yaml + overlay.yaml`. */
  displayName: string;
}

/**
 * Lists the version folders of a spec folder, one output module per version. Folder names follow
 * the client's one version rule (`isApiVersion`); each folder holds one spec and its `meta.json`.
 */
export async function findSpecs(specDir: string): Promise<SpecFile[]> {
  const loose = SPEC_FILE_NAMES.filter((name) => existsSync(path.join(specDir, name)));
  if (loose.length > 0) {
    throw new Error(
      `${loose.join(', ')} in ${specDir}: a spec lives in its version's folder, e.g. v3/${loose[0]}`,
    );
  }
  const overlayFile = path.join(specDir, OVERLAY_FILE);
  const overlay = existsSync(overlayFile) ? readOverlay(overlayFile) : false;
  const specs: SpecFile[] = [];
  for (const version of specVersions(specDir)) {
    if (!isApiVersion(version)) {
      throw new Error(
        `${version}/: a version folder is named "v3" or a date version like "2026-03" or "2026-09-beta"`,
      );
    }
    const file = fileURLToPath(specFileOf(version, specDir));
    const specName = `${version}/${path.basename(file)}`;
    const meta = await readSpecMeta(path.join(specDir, version));
    specs.push({
      file,
      name: version,
      meta,
      overlay,
      displayName: overlay ? `${specName} + ${OVERLAY_FILE}` : specName,
    });
  }
  return specs;
}

export interface LoadOptions {
  /** How messages name the spec. Default its file name. */
  displayName?: string;
  /** The overlay to apply first; default the repository's `openapi/overlay.yaml`; false: none. */
  overlay?: OverlayDocument | false;
}

/** Reads, checks, overlays and normalizes one spec file: what every generated module is made from. */
export async function loadSpec(
  specFile: string,
  { displayName = path.basename(specFile), overlay }: LoadOptions = {},
): Promise<OpenApiDocument> {
  const doc = readSpecDocument(specFile, {
    name: displayName,
    ...(overlay === undefined ? {} : { overlay }),
  });
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
export async function generateTypes(specFile: string, options: LoadOptions = {}): Promise<string> {
  const normalized = await loadSpec(specFile, options);
  const ast = await openapiTS(normalized as unknown as Parameters<typeof openapiTS>[0], {
    silent: true,
    // HubSpot's files mark optional fields by leaving them out of `required`; keep that meaning.
    alphabetize: false,
  });
  return `${header(options.displayName ?? path.basename(specFile), 'openapi-typescript')}\n${astToString(ast)}`;
}

/**
 * The limits module of one spec file: each batch operation's `maxItems` on `inputs` (the spec's,
 * or the overlay's where the spec has none), so the client, the core and the simulator take the
 * batch limit from the spec instead of repeating it. Undefined when the spec has no batch
 * operation; an error when a batch operation still has no `maxItems`.
 */
export async function generateLimits(
  specFile: string,
  options: LoadOptions = {},
): Promise<string | undefined> {
  const displayName = options.displayName ?? path.basename(specFile);
  const limits = Object.entries(
    requireBatchInputLimits(await loadSpec(specFile, options), displayName),
  );
  if (limits.length === 0) return undefined;
  // No per-version "smallest" here: the client takes the smallest across every version it has
  // types for (`BATCH_INPUT_LIMIT` in api-versions.ts), which is the one a chunk must fit.
  return [
    header(displayName, "the batch operations' maxItems"),
    "/** Most `inputs` each batch operation takes, by route: the spec's `maxItems`. */",
    'export const BATCH_INPUT_LIMITS = {',
    ...limits.map(([route, max]) => `  '${route}': ${max},`),
    '} as const;',
    '',
  ].join('\n');
}

/** The modules one spec generates, by file name: `<name>.ts`, and `<name>.limits.ts` if it has batches. */
export async function generateModules(spec: SpecFile): Promise<Map<string, string>> {
  const raw = readSpecDocument(spec.file, { name: spec.displayName, overlay: false });
  checkSpecMeta(spec.meta, spec.name, raw);
  const options = { displayName: spec.displayName, overlay: spec.overlay };
  const modules = new Map([[`${spec.name}.ts`, await generateTypes(spec.file, options)]]);
  const limits = await generateLimits(spec.file, options);
  if (limits !== undefined) modules.set(`${spec.name}.limits.ts`, limits);
  return modules;
}

export interface CodegenResult {
  written: string[];
}

/** Regenerates every spec in `specDir` into `outDir`, removing modules whose spec is gone. */
export async function writeGenerated(specDir: string, outDir: string): Promise<CodegenResult> {
  const specs = await findSpecs(specDir);
  if (specs.length === 0) {
    throw new Error(`no version folder with a ${SPEC_FILE_NAMES.join(' / ')} in ${specDir}`);
  }
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
