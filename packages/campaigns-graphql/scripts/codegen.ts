// Regenerates src/generated/ from operations/*.graphql and the gateway's schema (codegen.ts),
// formatted with the workspace's Prettier settings. With --check: writes nothing and fails
// (exit 1) naming every committed file that differs from what they generate, and every file of
// src/generated/ that nothing generates any more. So a schema change that breaks an operation
// fails here (codegen refuses the document), and one that changes its types shows as drift.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { firstDifference } from '@campaigns/codegen';
import * as prettier from 'prettier';
import config, { DOCUMENTS_FILE, OUTPUT_DIR, SCHEMA_FILE } from '../codegen.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = path.resolve(projectRoot, '../..');
const rel = (file: string) => path.relative(workspaceRoot, file);
const check = process.argv.includes('--check');
const sources = `${rel(path.resolve(projectRoot, SCHEMA_FILE))} and ${rel(path.join(projectRoot, 'operations'))}/`;

async function regenerate(): Promise<Array<{ file: string; content: string }>> {
  const outputs = (await generate({ ...config, cwd: projectRoot, silent: true }, false)) as Array<{
    filename: string;
    content: string;
  }>;
  // The preset also writes gql.ts, a `graphql()` tag for documents written inline in TypeScript;
  // ours are .graphql files, imported as the named documents of graphql.ts.
  const kept = outputs.filter((o) => path.normalize(o.filename) === path.normalize(DOCUMENTS_FILE));
  if (kept.length !== 1) throw new Error(`the client preset wrote no ${DOCUMENTS_FILE}`);
  return Promise.all(
    kept.map(async ({ filename, content }) => {
      const file = path.resolve(projectRoot, filename);
      const options = (await prettier.resolveConfig(file)) ?? {};
      return { file, content: await prettier.format(content, { ...options, filepath: file }) };
    }),
  );
}

async function main(): Promise<number> {
  const files = await regenerate();
  const outDir = path.resolve(projectRoot, OUTPUT_DIR);
  const present = (await readdir(outDir).catch(() => [] as string[])).map((f) =>
    path.join(outDir, f),
  );
  const stale = present.filter((f) => !files.some((g) => g.file === f));
  if (!check) {
    await mkdir(outDir, { recursive: true });
    for (const { file, content } of files) {
      await writeFile(file, content);
      console.log(`codegen: wrote ${rel(file)}`);
    }
    for (const file of stale) {
      await rm(file, { recursive: true });
      console.log(`codegen: removed ${rel(file)} (nothing generates it)`);
    }
    return 0;
  }
  let drifted = 0;
  for (const { file, content } of files) {
    const committed = await readFile(file, 'utf8').catch(() => undefined);
    if (committed === undefined) {
      console.error(`codegen drift: ${rel(file)} is missing: ${sources} generate it`);
      drifted++;
    } else if (committed !== content) {
      const d = firstDifference(committed, content);
      console.error(
        `codegen drift: ${rel(file)} differs from what ${sources} generate (first at line ${d.line})`,
      );
      console.error(`  committed: ${d.committed.trim()}`);
      console.error(`  generated: ${d.generated.trim()}`);
      drifted++;
    }
  }
  for (const file of stale) {
    console.error(`codegen drift: ${rel(file)} is stale: nothing generates it any more`);
    drifted++;
  }
  if (drifted > 0) {
    console.error('Run `npm run codegen` and commit the result.');
    return 1;
  }
  console.log(`codegen: ${files.map((f) => rel(f.file)).join(', ')} up to date with ${sources}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`codegen failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
