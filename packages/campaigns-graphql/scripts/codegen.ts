// Regenerates src/generated/ from operations/*.graphql and the gateway's schema (codegen.ts),
// formatted with the workspace's Prettier settings. With --check: writes nothing and fails
// (exit 1) naming every committed file that differs from what they generate, and every file of
// src/generated/ that nothing generates any more. So a schema change that breaks an operation
// fails here (codegen refuses the document), and one that changes its types shows as drift.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { formatOutputs, writeOrCheckOutputs, type GeneratedOutput } from '@campaigns/codegen';
import config, { DOCUMENTS_FILE, OUTPUT_DIR, SCHEMA_FILE } from '../codegen.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = path.resolve(projectRoot, '../..');
const rel = (file: string) => path.relative(workspaceRoot, file);
const check = process.argv.includes('--check');
const sources = `${rel(path.resolve(projectRoot, SCHEMA_FILE))} and ${rel(path.join(projectRoot, 'operations'))}/`;

async function regenerate(): Promise<GeneratedOutput[]> {
  const outputs = (await generate({ ...config, cwd: projectRoot, silent: true }, false)) as Array<{
    filename: string;
    content: string;
  }>;
  // The preset also writes gql.ts, a `graphql()` tag for documents written inline in TypeScript;
  // ours are .graphql files, imported as the named documents of graphql.ts.
  const kept = outputs.filter((o) => path.normalize(o.filename) === path.normalize(DOCUMENTS_FILE));
  if (kept.length !== 1) throw new Error(`the client preset wrote no ${DOCUMENTS_FILE}`);
  return formatOutputs(projectRoot, kept);
}

async function main(): Promise<number> {
  const files = await regenerate();
  const outDir = path.resolve(projectRoot, OUTPUT_DIR);
  const present = (await readdir(outDir).catch(() => [] as string[])).map((f) =>
    path.join(outDir, f),
  );
  const stale = present.filter((f) => !files.some((g) => g.file === f));
  return writeOrCheckOutputs(files, {
    check,
    stale,
    rel,
    sources,
    rerun: 'npm run codegen',
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`codegen failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
