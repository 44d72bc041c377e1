// Regenerates src/generated/ from src/schema.graphql (codegen.ts), and the trusted documents
// manifest operations/trusted-documents.json from the typed operations of @campaigns/graphql
// (packages/campaigns-graphql/operations, the one copy of their text) and the gateway's own
// operations/*.graphql, checked against the schema and the default query limits; formatted with
// the workspace's Prettier settings. With --check: writes nothing and fails (exit 1) naming every
// committed file that differs from what the schema and the operations generate.
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { buildSchema } from 'graphql';
import * as prettier from 'prettier';
import config from '../codegen.js';
import { firstDifference } from '@campaigns/codegen';
import { operations as frontendOperations } from '@campaigns/graphql';
import { loadConfig } from '../src/config.js';
import { buildManifest, checkManifest, DEFAULT_TRUSTED_DOCUMENTS_FILE } from '../src/documents.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = path.resolve(projectRoot, '../..');
const rel = (file: string) => path.relative(workspaceRoot, file);
const check = process.argv.includes('--check');

interface GeneratedFile {
  file: string;
  content: string;
}

/**
 * The manifest of @campaigns/graphql's operations and those in operations/*.graphql, checked like
 * the gateway checks it at start.
 */
async function trustedDocuments(): Promise<{ filename: string; content: string }> {
  const dir = path.join(projectRoot, 'operations');
  const names = (await readdir(dir)).filter((f) => f.endsWith('.graphql')).sort();
  const sources = await Promise.all(
    names.map(async (name) => ({
      name: rel(path.join(dir, name)),
      text: await readFile(path.join(dir, name), 'utf8'),
    })),
  );
  const manifest = buildManifest(
    sources,
    Object.entries(frontendOperations).map(([name, document]) => ({
      name: `@campaigns/graphql ${name}`,
      document,
    })),
  );
  const limits = loadConfig({}).limits;
  const { problems, warnings } = checkManifest(manifest, {
    schema: buildSchema(await readFile(path.join(projectRoot, config.schema as string), 'utf8')),
    limits: {
      maxDepth: limits.maxQueryDepth,
      maxAliases: limits.maxQueryAliases,
      maxCost: limits.maxQueryCost,
    },
  });
  // The shipped operations must also fit the default limits.
  if (problems.length > 0 || warnings.length > 0)
    throw new Error(
      `the operations do not fit the schema and the default limits:\n  ${[...problems, ...warnings].join('\n  ')}`,
    );
  return { filename: DEFAULT_TRUSTED_DOCUMENTS_FILE, content: `${JSON.stringify(manifest)}\n` };
}

async function regenerate(): Promise<GeneratedFile[]> {
  const outputs = [
    ...((await generate({ ...config, cwd: projectRoot, silent: true }, false)) as Array<{
      filename: string;
      content: string;
    }>),
    await trustedDocuments(),
  ];
  return Promise.all(
    outputs.map(async ({ filename, content }) => {
      const file = path.resolve(projectRoot, filename);
      const options = (await prettier.resolveConfig(file)) ?? {};
      return { file, content: await prettier.format(content, { ...options, filepath: file }) };
    }),
  );
}

async function main(): Promise<number> {
  const files = await regenerate();
  if (!check) {
    for (const { file, content } of files) {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      console.log(`codegen: wrote ${rel(file)}`);
    }
    return 0;
  }
  let drifted = 0;
  for (const { file, content } of files) {
    const committed = await readFile(file, 'utf8').catch(() => undefined);
    if (committed === undefined) {
      console.error(
        `codegen drift: ${rel(file)} is missing: the schema generates it but it is not committed`,
      );
      drifted++;
    } else if (committed !== content) {
      const d = firstDifference(committed, content);
      console.error(
        `codegen drift: ${rel(file)} differs from what ${config.schema as string} and the operations generate (first at line ${d.line})`,
      );
      console.error(`  committed: ${d.committed.trim()}`);
      console.error(`  generated: ${d.generated.trim()}`);
      drifted++;
    }
  }
  if (drifted > 0) {
    console.error('Run `npm run codegen -w @campaigns/gateway` and commit the result.');
    return 1;
  }
  console.log(
    `codegen: ${files.map((f) => rel(f.file)).join(', ')} up to date with ${config.schema as string} and the operations`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`codegen failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
