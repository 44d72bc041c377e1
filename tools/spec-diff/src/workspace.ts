// The three commands over a workspace: `report` (two files), `update` (replace a version's spec
// with a supplied file, regenerate, typecheck, report) and `check` (CI: each version's spec against
// the snapshot accepted at its last update; typecheck decides whether a breaking change is handled).
// Commands are injected, so tests run them in a temporary folder without npm.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatOutputs, parseSpecMeta, type SpecMeta } from '@campaigns/codegen';
import { apiRootPath, isApiVersion, type ApiVersion } from '@campaigns/hubspot-client/version';
import { parse as parseYaml } from 'yaml';
import { diffSpecs, prepare, type SpecDiff } from './diff.js';
import { formatReport } from './report.js';

/** Runs an npm script of the workspace (`codegen`, `typecheck`); resolves to its exit code. */
export type ScriptRunner = (script: string) => Promise<number>;

export interface Workspace {
  /** The workspace root (where nx.json is). */
  root: string;
  run: ScriptRunner;
  /** Where messages and the report go. */
  log: (text: string) => void;
}

/** `npm run <script>` in `root`, its output passed through. */
export function npmRunner(root: string): ScriptRunner {
  return (script) =>
    new Promise((resolve, reject) => {
      const child = spawn('npm', ['run', script], { cwd: root, stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code) => resolve(code ?? 1));
    });
}

/** The folder with nx.json at or above `from`. */
export function findWorkspaceRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nx.json at or above ${from}`);
  }
}

const SPEC_NAME = /^campaigns\.(ya?ml|json)$/;
/** Where the accepted snapshots live, relative to the root. */
export const ACCEPTED_DIR = 'tools/spec-diff/accepted';

/** Reads and parses a YAML or JSON OpenAPI 3 file; throws naming the file when it is not one. */
export async function readSpec(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`${file}: cannot parse: ${(error as Error).message}`);
  }
  prepare(doc, file); // throws unless OpenAPI 3.0/3.1 with paths that normalize
  return doc;
}

/** `openapi/<version>/campaigns.{yaml,yml,json}`, if that version has a spec. */
export async function versionSpecFile(root: string, version: string): Promise<string | undefined> {
  const dir = path.join(root, 'openapi', version);
  const names = await readdir(dir).catch(() => [] as string[]);
  const name = names.find((n) => SPEC_NAME.test(n));
  return name === undefined ? undefined : path.join(dir, name);
}

/** The versions that have a spec in openapi/, sorted. */
export async function specVersions(root: string): Promise<ApiVersion[]> {
  const entries = await readdir(path.join(root, 'openapi'), { withFileTypes: true }).catch(
    () => [],
  );
  const versions: ApiVersion[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !isApiVersion(entry.name)) continue;
    if (await versionSpecFile(root, entry.name)) versions.push(entry.name);
  }
  return versions.sort();
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
  /** Documentation date for a new meta.json (`YYYY-MM-DD`); required when there is none. */
  docsDate?: string;
  /** Whose text the file is, for a new meta.json: by default HubSpot's published file. */
  origin?: string;
}

/**
 * `spec:update`: reports the supplied file against the version's accepted snapshot (or its current
 * file, or nothing for a new version), puts it in `openapi/<version>/`, regenerates and
 * typechecks. Fails (exit 1, with the report) when the typecheck fails: after a breaking change,
 * that is the code not handling it. On success the file becomes the accepted snapshot.
 */
export async function updateSpec(ws: Workspace, options: UpdateOptions): Promise<Outcome> {
  const { version, from } = options;
  if (!isApiVersion(version)) {
    throw new UsageError(
      `--version must be "v3" or a date version like "2026-03" or "2026-09-beta", got ${JSON.stringify(version)}`,
    );
  }
  let meta: SpecMeta | undefined;
  if (options.docsDate !== undefined) {
    try {
      // The codegen's own check of meta.json, so what is written here is what it accepts.
      meta = parseSpecMeta(
        {
          hubspotVersion: version,
          documentationDate: options.docsDate,
          origin: options.origin ?? "HubSpot's published file",
          pathRoot: apiRootPath(version),
        },
        version,
      );
    } catch (error) {
      throw new UsageError(`--docs-date/--origin: ${(error as Error).message}`);
    }
  }
  const supplied = await readSpec(from);
  const current = await versionSpecFile(ws.root, version);
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
  if (options.dryRun) {
    ws.log(report);
    return { exitCode: 0, report, diff };
  }

  const dir = path.join(ws.root, 'openapi', version);
  const metaFile = path.join(dir, 'meta.json');
  const hasMeta = existsSync(metaFile);
  if (!hasMeta && meta === undefined) {
    throw new UsageError(
      `openapi/${version}/meta.json does not exist: give --docs-date YYYY-MM-DD (the date of the HubSpot documentation the file describes)`,
    );
  }
  const ext = /\.json$/i.test(from) ? 'json' : 'yaml';
  const target = path.join(dir, `campaigns.${ext}`);
  await mkdir(dir, { recursive: true });
  if (current && path.resolve(current) !== path.resolve(target)) await rm(current);
  if (path.resolve(from) !== path.resolve(target)) await copyFile(from, target);
  if (!hasMeta && meta !== undefined) {
    const record = {
      $comment: `Which HubSpot release openapi/${version}/campaigns.* describes; written by npm run spec:update.`,
      ...meta,
    };
    const [formatted] = await formatOutputs(ws.root, [
      { filename: metaFile, content: JSON.stringify(record) },
    ]);
    await writeFile(metaFile, formatted!.content);
  }
  ws.log(`spec:update: wrote ${rel(ws.root, target)}${hasMeta ? '' : ' and meta.json'}`);

  if ((await ws.run('codegen')) !== 0) {
    ws.log(report);
    ws.log('spec:update: FAILED: `npm run codegen` failed on the new file (see above).');
    return { exitCode: 1, report, diff };
  }
  const typecheck = await ws.run('typecheck');
  ws.log(report);
  if (typecheck !== 0) {
    ws.log(unhandled(diff, `openapi/${version}`));
    return { exitCode: 1, report, diff };
  }
  const snapshot = await writeAccepted(ws.root, version, supplied);
  ws.log(
    `spec:update: the code compiles against the new types; accepted as ${rel(ws.root, snapshot)}.`,
  );
  return { exitCode: 0, report, diff };
}

export interface CheckOptions {
  /** Record every version's current spec as accepted (after a review) instead of checking. */
  accept?: boolean;
}

/**
 * `spec:check` (CI): every version's spec against its accepted snapshot. Differences are printed
 * as a report; a breaking one makes it run the typecheck, and a failing typecheck fails the
 * check with the report last in the output. A version without a snapshot fails until accepted.
 */
export async function checkSpecs(ws: Workspace, options: CheckOptions = {}): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const versions = await specVersions(ws.root);
  if (versions.length === 0) {
    ws.log('spec:check: no openapi/<version>/campaigns.* found');
    return [{ exitCode: 1, report: '', diff: { changes: [], documentationOnly: 0 } }];
  }
  const changed: { version: string; outcome: Outcome }[] = [];
  for (const version of versions) {
    const file = (await versionSpecFile(ws.root, version))!;
    const spec = await readSpec(file);
    if (options.accept) {
      const snapshot = await writeAccepted(ws.root, version, spec);
      ws.log(`spec:check: accepted ${rel(ws.root, file)} as ${rel(ws.root, snapshot)}`);
      continue;
    }
    const accepted = await readAccepted(ws.root, version);
    const diff = diffSpecs(accepted ?? EMPTY_SPEC, spec);
    const report = formatReport(diff, {
      from: accepted ? `openapi/${version} (accepted)` : `none (no accepted snapshot)`,
      to: rel(ws.root, file),
    });
    if (!accepted) {
      ws.log(report);
      ws.log(
        `spec:check: FAILED: ${version} has no accepted snapshot (${ACCEPTED_DIR}/${version}.json): run \`npm run spec:update -- --version ${version} --from ${rel(ws.root, file)}\` or \`npm run spec:check -- --accept\``,
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
  if (changed.some(({ outcome }) => outcome.diff.changes.some((c) => c.breaking))) {
    const typecheck = await ws.run('typecheck');
    if (typecheck !== 0) {
      for (const { outcome } of changed) outcome.exitCode = 1;
    }
  }
  for (const { version, outcome } of changed) {
    ws.log(outcome.report);
    const breaking = outcome.diff.changes.some((c) => c.breaking);
    if (outcome.exitCode !== 0) ws.log(unhandled(outcome.diff, `openapi/${version}`));
    else
      ws.log(
        `spec:check: openapi/${version} differs from its accepted snapshot${breaking ? ' (breaking, but the code compiles against it)' : ''}; accept it with \`npm run spec:check -- --accept\` once reviewed`,
      );
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
