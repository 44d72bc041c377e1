#!/usr/bin/env node
// The `hubspot-campaigns` command. Installed, it runs the compiled dist/main.js. In this
// repository's checkout (src/ next to it) it runs the TypeScript sources through tsx with the
// workspace's @campaigns/source condition, so it never runs a stale build; signals are passed
// on to that process, which handles them (see src/main.ts).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
if (!existsSync(source)) {
  await import('../dist/main.js');
} else {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@campaigns/source',
      '--import',
      import.meta.resolve('tsx'),
      source,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}
