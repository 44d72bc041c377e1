// `npm start` as a user runs it (tools/scripts/start.mjs): the gateway on the embedded simulator,
// its printed curl example executed as printed, and a clean exit on SIGTERM. And the production
// entry point (src/main.ts), which embeds nothing: without a HubSpot credential it refuses to start.
import { spawn, type ChildProcess } from 'node:child_process';
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
});

describe('the production entry point (src/main.ts)', () => {
  it('embeds no simulator: without a HubSpot credential it stops, naming the settings and npm start', async () => {
    const proc = spawn(
      process.execPath,
      ['--conditions=@campaigns/source', '--import', 'tsx', 'apps/gateway/src/main.ts'],
      { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0' } },
    );
    child = proc;
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) =>
      proc.on('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(78);
    expect(stdout).toBe('');
    expect(stderr).toContain('no HubSpot credential configured: set HUBSPOT_TOKEN');
    expect(stderr).toContain('`npm start`');
  });
});
