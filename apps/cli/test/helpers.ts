// What the tests share: an in-memory CliIo, a scratch folder, a simulator, and the command line
// run in-process (most tests) or as a child process (exit codes and signals, end to end).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SIM_TOKEN, startHubSpotSim, type HubSpotSimOptions } from '@campaigns/hubspot-sim';
import { afterEach } from 'vitest';
import { runCli, type CliIo, type ReportLine } from '../src/index.js';

export const CLI_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function scratch(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function sim(options: HubSpotSimOptions = {}) {
  const s = await startHubSpotSim({ campaigns: 30, seed: 5, ...options });
  cleanups.push(() => s.close());
  return s;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line in this process against `url` with the simulator's token. */
export async function run(
  argv: string[],
  options: {
    cwd: string;
    url?: string;
    stdin?: string;
    env?: Record<string, string>;
    signal?: AbortSignal;
  },
): Promise<Run> {
  const stdout = new Collect();
  const stderr = new Collect();
  const io: CliIo = {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout,
    stderr,
    env: { HUBSPOT_TOKEN: DEFAULT_SIM_TOKEN, ...options.env },
    cwd: options.cwd,
    signal: options.signal ?? new AbortController().signal,
  };
  const args = options.url ? [...argv, '--base-url', options.url] : argv;
  const code = await runCli(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function readReport(file: string): ReportLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReportLine);
}

/** The command line as a child process, from its TypeScript sources (like `npm exec` here). */
export function spawnCli(
  argv: string[],
  options: { cwd: string; env?: Record<string, string>; viaBin?: boolean },
): ChildProcess & { output: { stdout: string; stderr: string }; exited: Promise<number> } {
  const entry = options.viaBin
    ? [path.join(CLI_ROOT, 'bin/hubspot-campaigns.mjs')]
    : [
        '--conditions=@campaigns/source',
        '--import',
        import.meta.resolve('tsx'),
        path.join(CLI_ROOT, 'src/main.ts'),
      ];
  const child = spawn(process.execPath, [...entry, ...argv], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HUBSPOT_TOKEN: DEFAULT_SIM_TOKEN, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0))),
  );
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return Object.assign(child, { output, exited });
}

/** A CSV file's text from rows of cells (no quoting: the tests write quirks by hand). */
export function csv(rows: string[][], eol = '\n'): string {
  return rows.map((r) => r.join(',')).join(eol) + eol;
}
