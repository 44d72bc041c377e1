// `node tools/scripts/prune.mjs <workspace> <out-dir>`: the files a production install of one
// workspace needs, copied to <out-dir> (the Dockerfile's build stage runs it; the runtime stage
// then runs `npm ci --omit=dev -w <workspace>` there). That is: the root package.json and
// package-lock.json, and for the workspace and every workspace it depends on at run time
// (`dependencies`, transitively; never `devDependencies`, so never the simulator), its
// package.json and what its `files` field ships (default: dist). Built output must exist.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Workspace package name → its folder (relative to the root), from the root's `workspaces` globs. */
export function listWorkspaces(rootDir = root) {
  const rootPackage = readJson(path.join(rootDir, 'package.json'));
  const folders = (rootPackage.workspaces ?? []).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(path.join(rootDir, parent))) return [];
    return readdirSync(path.join(rootDir, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `${parent}/${entry.name}`);
  });
  const byName = new Map();
  for (const folder of folders) {
    const file = path.join(rootDir, folder, 'package.json');
    if (existsSync(file)) byName.set(readJson(file).name, folder);
  }
  return byName;
}

/** The workspace and the workspaces it needs at run time, as folders, the workspace first. */
export function runtimeClosure(name, rootDir = root) {
  const workspaces = listWorkspaces(rootDir);
  const seen = new Map();
  const visit = (packageName) => {
    const folder = workspaces.get(packageName);
    if (folder === undefined || seen.has(packageName)) return;
    seen.set(packageName, folder);
    const manifest = readJson(path.join(rootDir, folder, 'package.json'));
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency);
  };
  if (!workspaces.has(name)) throw new Error(`prune: no workspace named ${name}`);
  visit(name);
  return [...seen.values()];
}

export function prune(name, outDir, rootDir = root) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const file of ['package.json', 'package-lock.json'])
    cpSync(path.join(rootDir, file), path.join(outDir, file));
  const folders = runtimeClosure(name, rootDir);
  for (const folder of folders) {
    const manifest = readJson(path.join(rootDir, folder, 'package.json'));
    cpSync(path.join(rootDir, folder, 'package.json'), path.join(outDir, folder, 'package.json'));
    for (const entry of manifest.files ?? ['dist']) {
      const from = path.join(rootDir, folder, entry);
      if (!existsSync(from))
        throw new Error(`prune: ${folder}/${entry} is missing (run npm run build first)`);
      cpSync(from, path.join(outDir, folder, entry), { recursive: true });
    }
  }
  return folders;
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, outDir] = process.argv.slice(2);
  if (!name || !outDir) {
    console.error('usage: node tools/scripts/prune.mjs <workspace name> <out dir>');
    process.exit(2);
  }
  const folders = prune(name, path.resolve(outDir));
  console.log(`pruned ${name} into ${outDir}: ${folders.join(', ')}`);
}
