#!/usr/bin/env -S npx tsx --conditions=@campaigns/source
// Usage (from the workspace root, through the root scripts):
//   npm run spec:update -- --version 2026-03 --from <file> [--docs-date YYYY-MM-DD [--origin O]] [--report FILE] [--dry-run]
//   npm run spec:report -- --from <old file> --to <new file> [--report FILE]
//   npm run spec:check [-- --accept]
// Exit codes: 0 done, 1 failed (the report says why), 2 wrong arguments or unreadable file,
// 130 stopped by Ctrl-C or SIGTERM (update: with every file it wrote put back).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkSpecs,
  findWorkspaceRoot,
  INTERRUPTED_EXIT_CODE,
  npmRunner,
  reportFiles,
  updateSpec,
  UsageError,
} from './workspace.js';

const USAGE = [
  'usage: campaigns-spec update --version <v3|YYYY-MM|YYYY-MM-beta> --from <file> [--docs-date YYYY-MM-DD [--origin "own description"]] [--report FILE] [--dry-run]',
  '       campaigns-spec report --from <old file> --to <new file> [--report FILE]',
  '       campaigns-spec check [--accept]',
].join('\n');

const [command, ...args] = process.argv.slice(2);
// npm runs root scripts in the root; paths on the command line are the caller's.
const callerDir = process.env.INIT_CWD ?? process.cwd();
const file = (value: string | undefined) =>
  value === undefined ? undefined : path.resolve(callerDir, value);

// Ctrl-C or SIGTERM: `update` stops the script it runs (in a process group of its own) and puts
// back what it wrote before exiting 130. Anything else, or a second Ctrl-C, stops at once.
const interrupt = new AbortController();
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    if (command !== 'update' || interrupt.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    console.error(`spec: ${name}: stopping; the files spec:update wrote are put back`);
    interrupt.abort();
  });
}

try {
  const { values } = parseArgs({
    args,
    options: {
      version: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      report: { type: 'string' },
      'docs-date': { type: 'string' },
      origin: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      accept: { type: 'boolean', default: false },
    },
  });
  const root = findWorkspaceRoot(process.cwd());
  const ws = {
    root,
    run: npmRunner(root),
    log: (text: string) => console.log(text),
    signal: interrupt.signal,
  };
  if (command === 'update') {
    if (!values.version || !values.from) throw new UsageError('update needs --version and --from');
    const outcome = await updateSpec(ws, {
      version: values.version,
      from: file(values.from)!,
      reportFile: file(values.report),
      dryRun: values['dry-run'],
      docsDate: values['docs-date'],
      origin: values.origin,
    });
    process.exitCode = outcome.exitCode;
  } else if (command === 'report') {
    if (!values.from || !values.to) throw new UsageError('report needs --from and --to');
    const outcome = await reportFiles(ws, file(values.from)!, file(values.to)!);
    if (values.report) await writeFile(file(values.report)!, outcome.report);
    process.exitCode = outcome.exitCode;
  } else if (command === 'check') {
    const outcomes = await checkSpecs(ws, { accept: values.accept });
    process.exitCode = outcomes.some((o) => o.exitCode !== 0) ? 1 : 0;
  } else {
    throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  }
} catch (error) {
  console.error(`spec: ${(error as Error).message}`);
  if (error instanceof UsageError) console.error(USAGE);
  process.exitCode = 2;
}
