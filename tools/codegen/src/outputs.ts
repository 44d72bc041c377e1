// Writing or drift-checking generated files that other generators produce (GraphQL Code
// Generator in the gateway and in @campaigns/graphql): formatted as they are committed, then
// written, or compared with what is committed.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import { firstDifference } from './generate.js';

/** A generated file, at its absolute path, with its formatted content. */
export interface GeneratedOutput {
  file: string;
  content: string;
}

/** Resolves each output against `root` and formats it with the repository's Prettier settings. */
export async function formatOutputs(
  root: string,
  outputs: ReadonlyArray<{ filename: string; content: string }>,
): Promise<GeneratedOutput[]> {
  return Promise.all(
    outputs.map(async ({ filename, content }) => {
      const file = path.resolve(root, filename);
      const options = (await prettier.resolveConfig(file)) ?? {};
      return { file, content: await prettier.format(content, { ...options, filepath: file }) };
    }),
  );
}

export interface WriteOrCheckOptions {
  /** Compare with what is committed instead of writing. */
  check: boolean;
  /** Files present that nothing generates any more: removed, or reported by the check. */
  stale?: readonly string[];
  /** How a path is printed (relative to the workspace). */
  rel: (file: string) => string;
  /** What the files are generated from, for the messages. */
  sources: string;
  /** The command that regenerates them. */
  rerun: string;
}

/** Writes `files` (and removes the stale ones), or checks them; the process's exit code. */
export async function writeOrCheckOutputs(
  files: readonly GeneratedOutput[],
  { check, stale = [], rel, sources, rerun }: WriteOrCheckOptions,
): Promise<number> {
  if (!check) {
    for (const { file, content } of files) {
      await mkdir(path.dirname(file), { recursive: true });
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
    console.error(`Run \`${rerun}\` and commit the result.`);
    return 1;
  }
  console.log(`codegen: ${files.map((f) => rel(f.file)).join(', ')} up to date with ${sources}`);
  return 0;
}
