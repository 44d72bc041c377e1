// The three commands over a workspace: `report` (two files), `update` (replace a version's spec
// with a supplied file, regenerate, typecheck, report) and `check` (CI: each version's spec against
// the snapshot accepted at its last update; typecheck decides whether a breaking change is handled).
// Commands are injected, so tests run them in a temporary folder without npm.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkSpecMeta,
  formatOutputs,
  parseSpecMeta,
  type OpenApiDocument,
  type SpecMeta,
} from '@campaigns/codegen';
import { apiRootPath, isApiVersion } from '@campaigns/hubspot-client/version';
import { findSpecFile, readDataFile, specVersions } from '@campaigns/openapi';
import { diffSpecs, prepare, type SpecDiff } from './diff.js';
import { formatReport } from './report.js';

/**
 * Runs an npm script of the workspace (`codegen`, `typecheck`); resolves to its exit code. When
 * `signal` aborts, the script is stopped and the promise resolves once it has exited.
 */
export type ScriptRunner = (script: string, signal?: AbortSignal) => Promise<number>;

export interface Workspace {
  /** The workspace root (where nx.json is). */
  root: string;
  run: ScriptRunner;
  /** Where messages and the report go. */
  log: (text: string) => void;
  /** Aborts when the user stops the command (Ctrl-C, SIGTERM): spec:update then undoes its writes. */
  signal?: AbortSignal;
}

/** Exit code of a command the user stopped (128 + SIGINT), as a shell reports it. */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * `npm run <script>` in `root`, its output passed through. The script runs in a process group of
 * its own, stopped as a whole with SIGTERM on abort: npm does not pass a SIGTERM on to the script,
 * which would go on writing generated files after spec:update had put them back.
 */
export function npmRunner(root: string): ScriptRunner {
  return (script, signal) =>
    new Promise((resolve, reject) => {
      const child = spawn('npm', ['run', script], { cwd: root, stdio: 'inherit', detached: true });
      const stop = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      };
      signal?.addEventListener('abort', stop, { once: true });
      const done = () => signal?.removeEventListener('abort', stop);
      child.on('error', (error) => {
        done();
        reject(error);
      });
      child.on('exit', (code) => {
        done();
        resolve(code ?? 1);
      });
      if (signal?.aborted) stop();
    });
}

/** Thrown inside spec:update's writing steps once the user has stopped the command. */
class Interrupted extends Error {}

/** The folder with nx.json at or above `from`. */
export function findWorkspaceRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nx.json at or above ${from}`);
  }
}

/** Where the accepted snapshots live, relative to the root. */
export const ACCEPTED_DIR = 'tools/spec-diff/accepted';

/** Reads and parses a YAML or JSON OpenAPI 3 file; throws naming the file when it is not one. */
export async function readSpec(file: string): Promise<unknown> {
  let doc: unknown;
  try {
    doc = readDataFile(file, file); // as the codegen reads it
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    throw new Error(`${file}: cannot read: ${(error as Error).message}`);
  }
  prepare(doc, file); // throws unless OpenAPI 3.0/3.1 with paths that normalize
  return doc;
}

const specDir = (root: string) => path.join(root, 'openapi');

/** `openapi/<version>/campaigns.{yaml,yml,json}`, if that version has a spec (the codegen's lookup). */
export function versionSpecFile(root: string, version: string): string | undefined {
  const url = findSpecFile(version, specDir(root));
  return url && fileURLToPath(url);
}

function acceptedFile(root: string, version: string): string {
  return path.join(root, ACCEPTED_DIR, `${version}.json`);
}

async function readAccepted(root: string, version: string): Promise<unknown> {
  const text = await readFile(acceptedFile(root, version), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : JSON.parse(text);
}

/** Records `spec` (normalized as the codegen reads it) as the accepted state of `version`. */
export async function writeAccepted(root: string, version: string, spec: unknown): Promise<string> {
  const file = acceptedFile(root, version);
  const [formatted] = await formatOutputs(root, [
    { filename: file, content: JSON.stringify(prepare(spec, file)) },
  ]);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, formatted!.content);
  return file;
}

const EMPTY_SPEC = { openapi: '3.0.3', info: { title: 'none', version: 'none' }, paths: {} };

export interface Outcome {
  exitCode: number;
  report: string;
  diff: SpecDiff;
}

const rel = (root: string, file: string) => path.relative(root, file) || file;

/** `spec:report --from A --to B`. */
export async function reportFiles(ws: Workspace, from: string, to: string): Promise<Outcome> {
  const diff = diffSpecs(await readSpec(from), await readSpec(to));
  const report = formatReport(diff, { from: rel(ws.root, from), to: rel(ws.root, to) });
  ws.log(report);
  return { exitCode: 0, report, diff };
}

export interface UpdateOptions {
  version: string;
  from: string;
  /** Also write the report to this file. */
  reportFile?: string;
  /** Report only: change no file, run nothing. */
  dryRun?: boolean;
  /** Documentation date meta.json records (`YYYY-MM-DD`); required unless `dryRun`. */
  docsDate?: string;
  /** Whose text the file is, for meta.json: by default HubSpot's published file. */
  origin?: string;
}

/**
 * `spec:update`: checks the supplied file (OpenAPI 3, paths under the version's root, the
 * meta.json it will get) before writing anything, reports it against the version's accepted
 * snapshot (or its current file, or nothing for a new version), puts it and its meta.json in
 * `openapi/<version>/`, regenerates and typechecks. If the codegen fails (or anything throws, or
 * `ws.signal` aborts before the typecheck has ended: exit 130), the spec, meta.json and generated
 * files are put back as they were. Fails (exit 1, with the
 * report) when the typecheck fails: after a breaking change, that is the code not handling it;
 * the new file stays to fix the code against. On success the file becomes the accepted snapshot,
 * unless it has breaking changes the types cannot show: those wait for a review and
 * `spec:check --accept`.
 */
export async function updateSpec(ws: Workspace, options: UpdateOptions): Promise<Outcome> {
  const { version, from } = options;
  if (!isApiVersion(version)) {
    throw new UsageError(
      `--version must be "v3" or a date version like "2026-03" or "2026-09-beta", got ${JSON.stringify(version)}`,
    );
  }
  if (!options.dryRun && options.docsDate === undefined) {
    throw new UsageError(
      `give --docs-date YYYY-MM-DD (the date of the HubSpot documentation the file describes, or of its download): openapi/${version}/meta.json is rewritten with it`,
    );
  }
  const pathRoot = apiRootPath(version);
  let meta: SpecMeta | undefined;
  if (options.docsDate !== undefined) {
    try {
      // The codegen's own check of meta.json, so what is written here is what it accepts.
      meta = parseSpecMeta(
        {
          hubspotVersion: version,
          documentationDate: options.docsDate,
          origin: options.origin ?? "HubSpot's published file",
          pathRoot,
        },
        version,
      );
    } catch (error) {
      throw new UsageError(`--docs-date/--origin: ${(error as Error).message}`);
    }
  }
  const supplied = await readSpec(from);
  try {
    // The codegen's check that the paths sit under the version's root, before anything is written.
    checkSpecMeta(
      meta ?? {
        hubspotVersion: version,
        documentationDate: '',
        origin: 'own description',
        pathRoot,
      },
      version,
      supplied as OpenApiDocument,
    );
  } catch (error) {
    throw new Error(
      `${rel(ws.root, path.resolve(from))}: refused for openapi/${(error as Error).message}`,
    );
  }
  const current = versionSpecFile(ws.root, version);
  const accepted = await readAccepted(ws.root, version);
  const baseline = accepted ?? (current ? await readSpec(current) : undefined);
  const fromLabel = accepted
    ? `openapi/${version} (accepted)`
    : current
      ? rel(ws.root, current)
      : `none (new version ${version})`;
  const diff = diffSpecs(baseline ?? EMPTY_SPEC, supplied);
  const report = formatReport(diff, { from: fromLabel, to: rel(ws.root, path.resolve(from)) });
  if (options.reportFile) await writeFile(options.reportFile, report);
  if (options.dryRun || meta === undefined) {
    ws.log(report);
    return { exitCode: 0, report, diff };
  }

  const dir = path.join(specDir(ws.root), version);
  const metaFile = path.join(dir, 'meta.json');
  const ext = /\.json$/i.test(from) ? 'json' : 'yaml';
  const target = path.join(dir, `campaigns.${ext}`);
  if (ws.signal?.aborted) {
    ws.log(`spec:update: interrupted before writing anything; openapi/${version}/ is unchanged.`);
    return { exitCode: INTERRUPTED_EXIT_CODE, report, diff };
  }
  const backup = await Backup.take(
    [target, metaFile, ...(current ? [current] : [])],
    await generatedDirs(ws.root),
  );
  // From the first write to the typecheck's end, a stop puts everything back: the user's Ctrl-C
  // must not leave a new spec with half-generated types (the scripts get the same Ctrl-C).
  const stopped = () => {
    if (ws.signal?.aborted) throw new Interrupted();
  };
  let typecheck: number;
  try {
    await mkdir(dir, { recursive: true });
    // The new file first; only then the old one of another extension.
    if (path.resolve(from) !== path.resolve(target)) await copyFile(from, target);
    if (current && path.resolve(current) !== path.resolve(target)) await rm(current);
    const record = {
      $comment: `Which HubSpot release openapi/${version}/campaigns.* describes; written by npm run spec:update.`,
      ...meta,
    };
    const [formatted] = await formatOutputs(ws.root, [
      { filename: metaFile, content: JSON.stringify(record) },
    ]);
    await writeFile(metaFile, formatted!.content);
    ws.log(`spec:update: wrote ${rel(ws.root, target)} and meta.json`);
    stopped();
    const codegen = await ws.run('codegen', ws.signal);
    stopped();
    if (codegen !== 0) {
      await backup.restore();
      ws.log(report);
      ws.log(
        `spec:update: FAILED: \`npm run codegen\` failed on the new file (see above); openapi/${version}/ and the generated files are back as they were.`,
      );
      return { exitCode: 1, report, diff };
    }
    typecheck = await ws.run('typecheck', ws.signal);
    stopped();
  } catch (error) {
    await backup.restore();
    if (!(error instanceof Interrupted)) throw error;
    ws.log(
      `spec:update: interrupted; openapi/${version}/ and the generated files are back as they were.`,
    );
    return { exitCode: INTERRUPTED_EXIT_CODE, report, diff };
  }
  ws.log(report);
  if (typecheck !== 0) {
    ws.log(unhandled(diff, `openapi/${version}`));
    return { exitCode: 1, report, diff };
  }
  const unseen = untyped(diff);
  if (unseen > 0) {
    ws.log(
      `spec:update: the code compiles against the new types, but ${unseen} breaking change(s) (above) are ones the types cannot show, so not accepted: review them, then run \`npm run spec:check -- --accept\`.`,
    );
    return { exitCode: 1, report, diff };
  }
  const snapshot = await writeAccepted(ws.root, version, supplied);
  ws.log(
    `spec:update: the code compiles against the new types; accepted as ${rel(ws.root, snapshot)}.`,
  );
  return { exitCode: 0, report, diff };
}

/** Breaking changes the generated types cannot show: a passing typecheck says nothing of them. */
function untyped(diff: SpecDiff): number {
  return diff.changes.filter((c) => c.breaking && !c.typed).length;
}

/**
 * The folders the OpenAPI codegen writes: the `--out-dir` of each workspace package whose
 * `codegen` script runs tools/codegen (the decision stays in that script).
 */
export async function generatedDirs(root: string): Promise<string[]> {
  const readJson = async (file: string) =>
    JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as {
      workspaces?: string[];
      scripts?: Record<string, string>;
    } | null;
  const dirs: string[] = [];
  for (const pattern of (await readJson(path.join(root, 'package.json')))?.workspaces ?? []) {
    const packages = pattern.endsWith('/*')
      ? (await readdir(path.join(root, pattern.slice(0, -2))).catch(() => [] as string[])).map(
          (name) => path.join(root, pattern.slice(0, -2), name),
        )
      : [path.join(root, pattern)];
    for (const dir of packages) {
      const script = (await readJson(path.join(dir, 'package.json')))?.scripts?.codegen ?? '';
      const outDir = /tools\/codegen\/src\/cli\.ts\b.*--out-dir\s+(\S+)/.exec(script)?.[1];
      if (outDir) dirs.push(path.resolve(dir, outDir));
    }
  }
  return dirs;
}

/** Files and folders as they were, to put back after a failed update. */
class Backup {
  private constructor(
    private readonly files: Map<string, Buffer | undefined>,
    private readonly dirs: Map<string, Map<string, Buffer>>,
  ) {}

  static async take(files: string[], dirs: string[]): Promise<Backup> {
    const read = (file: string) => readFile(file).catch(() => undefined);
    const fileCopies = new Map<string, Buffer | undefined>();
    for (const file of files) fileCopies.set(path.resolve(file), await read(file));
    const dirCopies = new Map<string, Map<string, Buffer>>();
    for (const dir of dirs) {
      const copy = new Map<string, Buffer>();
      for (const file of await listFiles(dir)) copy.set(file, (await read(file))!);
      dirCopies.set(dir, copy);
    }
    return new Backup(fileCopies, dirCopies);
  }

  async restore(): Promise<void> {
    const put = async (file: string, content: Buffer | undefined) => {
      if (content === undefined) await rm(file, { force: true });
      else {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, content);
      }
    };
    for (const [file, content] of this.files) await put(file, content);
    for (const [dir, copy] of this.dirs) {
      for (const file of await listFiles(dir)) if (!copy.has(file)) await rm(file);
      for (const [file, content] of copy) await put(file, content);
    }
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

export interface CheckOptions {
  /** Record every version's current spec as accepted (after a review) instead of checking. */
  accept?: boolean;
}

/**
 * `spec:check` (CI): every version with a spec folder or an accepted snapshot, its spec against
 * the snapshot. Differences are printed as a report. Breaking changes the generated types show
 * (operations, fields, types) make it run the typecheck, and a failing typecheck fails the check;
 * breaking changes the types cannot show (formats, bounds, patterns, enum values, security) fail
 * it until accepted. A version without a snapshot fails until accepted; a snapshot whose folder
 * is gone fails (every operation removed) until `--accept` removes it.
 */
export async function checkSpecs(ws: Workspace, options: CheckOptions = {}): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const snapshots = (await readdir(path.join(ws.root, ACCEPTED_DIR)).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((name) => isApiVersion(name));
  const versions = [...new Set([...specVersions(specDir(ws.root), isApiVersion), ...snapshots])];
  if (versions.length === 0) {
    ws.log('spec:check: no openapi/<version>/campaigns.* found');
    return [{ exitCode: 1, report: '', diff: { changes: [], documentationOnly: 0 } }];
  }
  const changed: { version: string; outcome: Outcome }[] = [];
  for (const version of versions.sort()) {
    const file = versionSpecFile(ws.root, version);
    const accepted = await readAccepted(ws.root, version);
    if (file === undefined) {
      // The folder is gone but its snapshot is not: every accepted operation was removed.
      if (options.accept) {
        await rm(acceptedFile(ws.root, version));
        ws.log(`spec:check: openapi/${version}/ is gone; removed ${ACCEPTED_DIR}/${version}.json`);
        continue;
      }
      const diff = diffSpecs(accepted, EMPTY_SPEC);
      const report = formatReport(diff, {
        from: `openapi/${version} (accepted)`,
        to: `nothing (openapi/${version}/ has no spec)`,
      });
      ws.log(report);
      ws.log(
        `spec:check: FAILED: openapi/${version}/ has no campaigns.* but ${ACCEPTED_DIR}/${version}.json is accepted: every operation of ${version} is removed. Restore the folder, or if the version is dropped on purpose, run \`npm run spec:check -- --accept\` to remove its snapshot.`,
      );
      outcomes.push({ exitCode: 1, report, diff });
      continue;
    }
    const spec = await readSpec(file);
    if (options.accept) {
      const snapshot = await writeAccepted(ws.root, version, spec);
      ws.log(`spec:check: accepted ${rel(ws.root, file)} as ${rel(ws.root, snapshot)}`);
      continue;
    }
    const diff = diffSpecs(accepted ?? EMPTY_SPEC, spec);
    const report = formatReport(diff, {
      from: accepted ? `openapi/${version} (accepted)` : `none (no accepted snapshot)`,
      to: rel(ws.root, file),
    });
    if (!accepted) {
      ws.log(report);
      ws.log(
        `spec:check: FAILED: ${version} has no accepted snapshot (${ACCEPTED_DIR}/${version}.json): run \`npm run spec:update -- --version ${version} --from ${rel(ws.root, file)} --docs-date YYYY-MM-DD\` or \`npm run spec:check -- --accept\``,
      );
      outcomes.push({ exitCode: 1, report, diff });
      continue;
    }
    if (diff.changes.length === 0) {
      ws.log(`spec:check: openapi/${version} matches its accepted snapshot`);
      outcomes.push({ exitCode: 0, report, diff });
      continue;
    }
    changed.push({ version, outcome: { exitCode: 0, report, diff } });
  }
  const typedBreaking = (diff: SpecDiff) => diff.changes.some((c) => c.breaking && c.typed);
  const compiles =
    !changed.some(({ outcome }) => typedBreaking(outcome.diff)) ||
    (await ws.run('typecheck')) === 0;
  for (const { version, outcome } of changed) {
    ws.log(outcome.report);
    const where = `openapi/${version}`;
    const unseen = untyped(outcome.diff);
    if (typedBreaking(outcome.diff) && !compiles) {
      outcome.exitCode = 1;
      ws.log(unhandled(outcome.diff, where));
    }
    if (unseen > 0) {
      outcome.exitCode = 1;
      ws.log(
        `FAILED: ${where} has ${unseen} breaking change(s) (above) that the generated types cannot show (format, bounds, pattern, enum values, security, parameters or responses), so a passing typecheck proves nothing about them. Review them (and the code that depends on them), then run \`npm run spec:check -- --accept\`.`,
      );
    }
    if (outcome.exitCode === 0) {
      const breaking = outcome.diff.changes.some((c) => c.breaking);
      ws.log(
        `spec:check: ${where} differs from its accepted snapshot${breaking ? ' (breaking, but the code compiles against every one of its changes)' : ''}; accept it with \`npm run spec:check -- --accept\` once reviewed`,
      );
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

function unhandled(diff: SpecDiff, where: string): string {
  const breaking = diff.changes.filter((c) => c.breaking).length;
  return breaking > 0
    ? `FAILED: ${where} has ${breaking} breaking change(s) (above) that the code does not handle: \`npm run typecheck\` fails against the regenerated types. Fix the code, then run this again.`
    : `FAILED: \`npm run typecheck\` fails, though the report above lists no breaking change in ${where}: see the compiler's output.`;
}

/** A wrong argument: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}
