#!/usr/bin/env -S npx tsx --conditions=@campaigns/source
// Usage: campaigns-codegen --spec-dir <dir> --out-dir <dir> [--check]
//   Without --check: regenerates the types. With --check: fails (exit 1) naming every drifted file.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkGenerated, writeGenerated } from './generate.js';

const { values } = parseArgs({
  options: {
    'spec-dir': { type: 'string' },
    'out-dir': { type: 'string' },
    check: { type: 'boolean', default: false },
  },
});

const specDir = values['spec-dir'];
const outDir = values['out-dir'];
if (!specDir || !outDir) {
  console.error('usage: campaigns-codegen --spec-dir <dir> --out-dir <dir> [--check]');
  process.exit(2);
}
// Name files from the workspace root (where nx.json is), whatever folder Nx ran us in.
function workspaceRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}
const root = workspaceRoot(process.cwd());
const rel = (file: string) => path.relative(root, file) || file;

try {
  if (values.check) {
    const drifts = await checkGenerated(path.resolve(specDir), path.resolve(outDir));
    if (drifts.length === 0) {
      console.log(
        `codegen: ${rel(path.resolve(outDir))} is up to date with ${rel(path.resolve(specDir))}`,
      );
    } else {
      for (const d of drifts) {
        if (d.reason === 'differs') {
          console.error(`codegen drift: ${rel(d.file)} differs from what its spec generates`);
          for (const change of d.changes ?? []) console.error(`  ${change}`);
          console.error(`  first differing line ${d.line}:`);
          console.error(`    committed: ${d.committed?.trim()}`);
          console.error(`    generated: ${d.generated?.trim()}`);
        } else if (d.reason === 'missing') {
          console.error(
            `codegen drift: ${rel(d.file)} is missing: its spec has no committed output`,
          );
        } else {
          console.error(`codegen drift: ${rel(d.file)} is stale: no spec generates it any more`);
        }
      }
      console.error('Run `npm run codegen` and commit the result.');
      process.exitCode = 1;
    }
  } else {
    const { written } = await writeGenerated(path.resolve(specDir), path.resolve(outDir));
    for (const file of written) console.log(`codegen: wrote ${rel(file)}`);
  }
} catch (error) {
  console.error(`codegen failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
