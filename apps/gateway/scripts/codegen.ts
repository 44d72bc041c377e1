// Regenerates src/generated/ from src/schema.graphql (codegen.ts), and the trusted documents
// manifest operations/trusted-documents.json from the typed operations of @campaigns/graphql
// (packages/campaigns-graphql/operations, the one copy of their text) and the gateway's own
// operations/*.graphql, checked against the schema and the default query limits; formatted with
// the workspace's Prettier settings. With --check: writes nothing and fails (exit 1) naming every
// committed file that differs from what the schema and the operations generate.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { buildSchema } from 'graphql';
import config from '../codegen.js';
import { formatOutputs, writeOrCheckOutputs, type GeneratedOutput } from '@campaigns/codegen';
import { operations as frontendOperations } from '@campaigns/graphql';
import { loadConfig } from '../src/config.js';
import { buildManifest, checkManifest, DEFAULT_TRUSTED_DOCUMENTS_FILE } from '../src/documents.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = path.resolve(projectRoot, '../..');
const rel = (file: string) => path.relative(workspaceRoot, file);
const check = process.argv.includes('--check');

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

async function regenerate(): Promise<GeneratedOutput[]> {
  const outputs = [
    ...((await generate({ ...config, cwd: projectRoot, silent: true }, false)) as Array<{
      filename: string;
      content: string;
    }>),
    await trustedDocuments(),
  ];
  return formatOutputs(projectRoot, outputs);
}

async function main(): Promise<number> {
  return writeOrCheckOutputs(await regenerate(), {
    check,
    rel,
    sources: `${config.schema as string} and the operations`,
    rerun: 'npm run codegen -w @campaigns/gateway',
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`codegen failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
