// examples/internal-app, built and run the way an app outside this repository would: in a scratch
// folder outside it, the libraries linked into node_modules as `npm install` links `file:`
// dependencies, compiled by tsc with plain NodeNext resolution (no @campaigns/source condition)
// and run by plain node. So the libraries' dist/, .d.ts and exports maps are what is tested.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_ROOT, scratch, sim } from './helpers.js';

const run = promisify(execFile);
const ROOT = path.resolve(CLI_ROOT, '../..');
const EXAMPLE = path.join(ROOT, 'examples/internal-app');
const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');

/** The libraries the example needs, in build order (`nx test cli` builds them first). */
const LIBRARIES = ['packages/redact', 'packages/hubspot-client', 'packages/campaigns-core'];

beforeAll(async () => {
  for (const library of LIBRARIES) {
    const dir = path.join(ROOT, library);
    if (!existsSync(path.join(dir, 'dist/index.js')))
      await run(process.execPath, [tsc, '-p', 'tsconfig.lib.json'], { cwd: dir });
  }
}, 120_000);

describe('examples/internal-app', () => {
  it('compiles against the built .d.ts and runs on plain node', async () => {
    const app = path.join(scratch(), 'internal-app');
    cpSync(EXAMPLE, app, {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
    });
    const link = (name: string, target: string) => {
      mkdirSync(path.dirname(path.join(app, 'node_modules', name)), { recursive: true });
      symlinkSync(target, path.join(app, 'node_modules', name), 'dir');
    };
    // What `npm install` makes of the file: dependencies: links to the packages.
    link('@campaigns/core', path.join(ROOT, 'packages/campaigns-core'));
    link('@campaigns/hubspot-client', path.join(ROOT, 'packages/hubspot-client'));
    // Its devDependencies, from this repository's install instead of the registry.
    link('@types/node', path.join(ROOT, 'node_modules/@types/node'));

    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app });

    const s = await sim({ campaigns: 5 });
    const [a, b] = s.store.list().map((c) => c.id);
    const { stdout } = await run(process.execPath, ['dist/main.js', a!, b!], {
      cwd: app,
      env: { PATH: process.env.PATH, HUBSPOT_TOKEN: DEFAULT_SIM_TOKEN, HUBSPOT_BASE_URL: s.url },
    });
    const printed = JSON.parse(stdout) as { status: string; updated: string[] };
    expect(printed.status).toBe('COMPLETE');
    expect(printed.updated.sort()).toEqual([a, b].sort());
    expect(s.store.get(a!)!.properties.hs_notes).toBe('Reviewed by the internal app');
  });
});
