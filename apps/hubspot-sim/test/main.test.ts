import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;

afterEach(async () => {
  const running = child;
  child = undefined;
  if (running && running.exitCode === null) {
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }
});

/** Runs `src/main.ts` as `nx serve` does and waits for the lines it prints at start. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<string> {
  child = spawn(
    process.execPath,
    ['--conditions=@campaigns/source', '--import', 'tsx', 'src/main.ts', ...args],
    {
      cwd: appDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('admin')) resolve(output);
    });
    child!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child!.on('exit', (code) => reject(new Error(`main.ts exited with ${code}: ${output}`)));
  });
}

describe('nx serve hubspot-sim', () => {
  it('listens on the port HUBSPOT_SIM_PORT names and prints the URL and the token', async () => {
    const output = await serve(['--campaigns', '3'], { HUBSPOT_SIM_PORT: '0' });
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(output).toContain('sim-private-app-token');
    const response = await fetch(`${url}/marketing/v3/campaigns/`, {
      headers: { Authorization: 'Bearer sim-private-app-token' },
    });
    expect(((await response.json()) as { total: number }).total).toBe(3);
  });

  it('lets --port win over HUBSPOT_SIM_PORT', async () => {
    const output = await serve(['--port', '0'], { HUBSPOT_SIM_PORT: 'not-a-port' });
    expect(output).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('serves the spec --spec names (HUBSPOT_SIM_SPEC otherwise) and lists what answers 501', async () => {
    const spec = 'test/fixtures/hubspot-layout-2026-09-beta.json';
    const output = await serve(['--port', '0', '--spec', spec], { HUBSPOT_SIM_SPEC: 'nope.yaml' });
    expect(output).toContain(`spec      ${spec}`);
    expect(output).toMatch(/501 +GET \/\{campaignGuid\}\/reports\/metrics/);
  });

  it('refuses a port that is not a number', async () => {
    await expect(serve(['--port', 'eighty'])).rejects.toThrow(/--port must be an integer/);
  });
});
