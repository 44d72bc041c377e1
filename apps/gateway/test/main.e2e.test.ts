// `npm start` as a user runs it (tools/scripts/start.mjs): the gateway on the embedded simulator,
// its printed curl example executed as printed, and a clean exit on SIGTERM. And the production
// entry point (src/main.ts), which embeds nothing: without a HubSpot credential it refuses to start.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from './stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

describe('npm start (tools/scripts/start.mjs)', () => {
  it('starts the simulator and the gateway, prints a curl that works, and drains on SIGTERM', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      SIM_CAMPAIGNS: '5',
      LOG_LEVEL: 'warn',
    };
    const proc = spawn(process.execPath, ['tools/scripts/start.mjs'], { cwd: root, env });
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) =>
      proc.on('exit', (code) => resolve(code)),
    );

    await until(
      () => stdout.includes('drains in-flight mutations') || proc.exitCode !== null,
      'the banner was printed',
      20_000,
    );
    expect(stderr).toBe('');
    const url = /GraphQL gateway ready: (\S+)/.exec(stdout)?.[1];
    const data = /--data '(.+)'$/m.exec(stdout)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(stdout).toContain("-H 'content-type: application/json'");

    const response = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: data!,
    });
    const body = (await response.json()) as {
      data: {
        updateCampaigns: { status: string; numErrors: number; results: Array<{ notes: string }> };
      };
    };
    expect(body.data.updateCampaigns).toMatchObject({ status: 'COMPLETE', numErrors: 0 });
    expect(body.data.updateCampaigns.results.map((r) => r.notes)).toEqual([
      'Updated through the gateway (1)',
      'Updated through the gateway (2)',
    ]);

    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('stops the gateway when `npm start` itself gets SIGTERM (npm signals its shell, which dies of it)', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      SIM_CAMPAIGNS: '5',
      LOG_LEVEL: 'info',
    };
    const proc = spawn('npm', ['start'], { cwd: root, env });
    child = proc;
    let stdout = '';
    proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    proc.stderr!.resume();
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
    await until(
      () => stdout.includes('drains in-flight mutations') || proc.exitCode !== null,
      'the banner was printed',
      30_000,
    );
    // Everything npm started: its shell, the wrapper (start.mjs) and the gateway.
    const started = descendantsOf(proc.pid!);
    expect(started.length).toBeGreaterThanOrEqual(2);
    orphans.push(...started);
    const origin = /GraphQL gateway ready: (http:\/\/[^/]+)/.exec(stdout)![1]!;
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);

    proc.kill('SIGTERM');
    await exited;
    await until(() => !started.some(alive), 'the gateway and its wrapper exited', 20_000);
    expect(stdout).toContain('gateway closed');
  });
});

/** Processes a test may leave behind when it fails (SIGKILLed after each test). */
const orphans: number[] = [];
afterEach(() => {
  for (const pid of orphans.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process under `pid`, children first (Linux: read from /proc). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      parents.set(Number(entry), Number(/^PPid:\s+(\d+)$/m.exec(status)![1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  for (let i = -1; i < found.length; i++) {
    const of = i < 0 ? pid : found[i]!;
    for (const [child, parent] of parents) if (parent === of) found.push(child);
  }
  return found;
}
