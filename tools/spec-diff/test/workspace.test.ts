// spec:update and spec:check in a temporary workspace, with the npm scripts replaced by stubs:
// what the commands write, which scripts they run, and that a breaking change the code does not
// handle (typecheck failing) fails them with the report in their output. That renaming a field
// the core reads does make the core's typecheck fail is tested once, for real, by
// packages/campaigns-core/test/spec-types.test.ts.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCEPTED_DIR,
  checkSpecs,
  INTERRUPTED_EXIT_CODE,
  npmRunner,
  updateSpec,
  UsageError,
  type Workspace,
} from '../src/index.js';
import { baseSpec, edited, renameField, ROOT, schemas, type Spec } from './fixture.js';

let root: string;
let output: string[];
let ran: string[];
/** Exit code of each stubbed script; 0 unless a test says otherwise. */
let exitCodes: Record<string, number>;

function workspace(): Workspace {
  return {
    root,
    log: (text) => output.push(text),
    run: async (script) => {
      ran.push(script);
      return exitCodes[script] ?? 0;
    },
  };
}

const VERSION = '2026-09-beta';

async function supply(name: string, spec: Spec): Promise<string> {
  const file = path.join(root, 'incoming', name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(spec, null, 2));
  return file;
}

/**
 * A workspace package whose codegen script writes the OpenAPI types, as packages/hubspot-client's
 * does, with `old types` generated for VERSION; its generated folder.
 */
async function packageWithGeneratedTypes(): Promise<string> {
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ workspaces: ['packages/*'] }));
  const client = path.join(root, 'packages', 'client');
  const generated = path.join(client, 'src', 'generated');
  await mkdir(generated, { recursive: true });
  await writeFile(
    path.join(client, 'package.json'),
    JSON.stringify({
      scripts: {
        codegen:
          'tsx ../../tools/codegen/src/cli.ts --spec-dir ../../openapi --out-dir src/generated',
      },
    }),
  );
  await writeFile(path.join(generated, `${VERSION}.ts`), 'old types');
  return generated;
}

/** A workspace whose 2026-09-beta spec is the base fixture, accepted. */
async function acceptedBase(): Promise<void> {
  const result = await updateSpec(workspace(), {
    version: VERSION,
    from: await supply('base.json', baseSpec()),
    docsDate: '2026-11-01',
  });
  expect(result.exitCode).toBe(0);
  output = [];
  ran = [];
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'spec-diff-'));
  await writeFile(path.join(root, 'nx.json'), '{}');
  output = [];
  ran = [];
  exitCodes = {};
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('spec:update', () => {
  it('adds a new version: copies the file, writes meta.json, regenerates, typechecks, accepts', async () => {
    const from = await supply('hubspot.json', baseSpec());
    const result = await updateSpec(workspace(), {
      version: VERSION,
      from,
      docsDate: '2026-11-01',
    });
    expect(result.exitCode).toBe(0);
    expect(ran).toEqual(['codegen', 'typecheck']);
    const dir = path.join(root, 'openapi', VERSION);
    expect(JSON.parse(await readFile(path.join(dir, 'campaigns.json'), 'utf8'))).toEqual(
      baseSpec(),
    );
    expect(JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8'))).toMatchObject({
      hubspotVersion: VERSION,
      documentationDate: '2026-11-01',
      origin: "HubSpot's published file",
      pathRoot: ROOT,
    });
    expect(existsSync(path.join(root, 'tools/spec-diff/accepted', `${VERSION}.json`))).toBe(true);
    expect(result.report).toContain(`none (new version ${VERSION}) → incoming/hubspot.json`);
    expect(result.report).toContain('`POST /batch/update`: operation added');
  });

  it("refuses a file whose paths are under another version's root, before writing anything", async () => {
    const v3Layout = edited((spec) => {
      spec.paths = Object.fromEntries(
        Object.entries(spec.paths).map(([key, item]) => [
          key.replace(ROOT, '/marketing/v3/campaigns'),
          item,
        ]),
      );
    });
    const from = await supply('v3.json', v3Layout);
    await expect(
      updateSpec(workspace(), { version: VERSION, from, docsDate: '2026-11-01' }),
    ).rejects.toThrow(/incoming\/v3\.json: refused for openapi\/2026-09-beta\/: paths outside/);
    await expect(updateSpec(workspace(), { version: VERSION, from, dryRun: true })).rejects.toThrow(
      /paths outside/,
    );
    expect(ran).toEqual([]);
    expect(existsSync(path.join(root, 'openapi'))).toBe(false);
  });

  it('codegen failing: puts back the old spec (of another extension), meta.json and generated files', async () => {
    const generated = await packageWithGeneratedTypes();
    await acceptedBase();
    const dir = path.join(root, 'openapi', VERSION);
    const before = {
      spec: await readFile(path.join(dir, 'campaigns.json'), 'utf8'),
      meta: await readFile(path.join(dir, 'meta.json'), 'utf8'),
    };
    const from = path.join(root, 'incoming', 'next.yaml');
    await writeFile(
      from,
      JSON.stringify(edited((spec) => delete spec.paths[`${ROOT}/batch/archive`])),
    );
    const run = workspace().run;
    const failingCodegen: Workspace = {
      ...workspace(),
      run: async (script) => {
        if (script !== 'codegen') return run(script);
        ran.push(script);
        // What a codegen run that fails half-way leaves behind.
        await writeFile(path.join(generated, `${VERSION}.ts`), 'half-written');
        await writeFile(path.join(generated, 'stray.ts'), 'new');
        return 1;
      },
    };
    const result = await updateSpec(failingCodegen, {
      version: VERSION,
      from,
      docsDate: '2026-12-01',
    });
    expect(result.exitCode).toBe(1);
    expect(ran).toEqual(['codegen']);
    expect(output.at(-1)).toMatch(/back as they were/);
    expect(existsSync(path.join(dir, 'campaigns.yaml'))).toBe(false);
    expect(await readFile(path.join(dir, 'campaigns.json'), 'utf8')).toBe(before.spec);
    expect(await readFile(path.join(dir, 'meta.json'), 'utf8')).toBe(before.meta);
    expect(await readFile(path.join(generated, `${VERSION}.ts`), 'utf8')).toBe('old types');
    expect(existsSync(path.join(generated, 'stray.ts'))).toBe(false);

    // The same when running a script throws.
    const throwing: Workspace = {
      ...workspace(),
      run: async () => {
        throw new Error('spawn npm ENOENT');
      },
    };
    await expect(
      updateSpec(throwing, { version: VERSION, from, docsDate: '2026-12-01' }),
    ).rejects.toThrow(/ENOENT/);
    expect(existsSync(path.join(dir, 'campaigns.yaml'))).toBe(false);
    expect(await readFile(path.join(dir, 'meta.json'), 'utf8')).toBe(before.meta);
  });

  it('rewrites meta.json of an existing version with --docs-date and --origin, and requires the date', async () => {
    await acceptedBase();
    const from = await supply('again.json', baseSpec());
    await expect(updateSpec(workspace(), { version: VERSION, from })).rejects.toThrow(
      /--docs-date/,
    );
    const result = await updateSpec(workspace(), {
      version: VERSION,
      from,
      docsDate: '2027-01-15',
      origin: 'own description',
    });
    expect(result.exitCode).toBe(0);
    expect(
      JSON.parse(await readFile(path.join(root, 'openapi', VERSION, 'meta.json'), 'utf8')),
    ).toMatchObject({ documentationDate: '2027-01-15', origin: 'own description' });
  });

  it('refuses a bad version string, a missing meta date, and a file that is not OpenAPI 3', async () => {
    const from = await supply('hubspot.json', baseSpec());
    await expect(updateSpec(workspace(), { version: '2026-13', from })).rejects.toThrow(UsageError);
    await expect(updateSpec(workspace(), { version: VERSION, from })).rejects.toThrow(
      /--docs-date/,
    );
    const swagger = await supply('old.json', { swagger: '2.0', paths: {} });
    await expect(
      updateSpec(workspace(), { version: VERSION, from: swagger, docsDate: '2026-11-01' }),
    ).rejects.toThrow(/openapi: 3\.0/);
    expect(ran).toEqual([]);
    expect(existsSync(path.join(root, 'openapi'))).toBe(false);
  });

  it('Ctrl-C during the codegen or the typecheck: stops, puts every file back, exits 130', async () => {
    const generated = await packageWithGeneratedTypes();
    await acceptedBase();
    const dir = path.join(root, 'openapi', VERSION);
    const before = {
      spec: await readFile(path.join(dir, 'campaigns.json'), 'utf8'),
      meta: await readFile(path.join(dir, 'meta.json'), 'utf8'),
      accepted: await readFile(path.join(root, ACCEPTED_DIR, `${VERSION}.json`), 'utf8'),
    };
    const from = await supply(
      'next.json',
      edited((spec) => delete spec.paths[`${ROOT}/batch/archive`]),
    );
    for (const during of ['codegen', 'typecheck']) {
      ran = [];
      output = [];
      const interrupt = new AbortController();
      const seen: (AbortSignal | undefined)[] = [];
      const interrupted: Workspace = {
        ...workspace(),
        signal: interrupt.signal,
        run: async (script, signal) => {
          ran.push(script);
          seen.push(signal);
          // What the codegen has written by the time the user presses Ctrl-C.
          await writeFile(path.join(generated, `${VERSION}.ts`), 'half-written');
          await writeFile(path.join(generated, 'stray.ts'), 'new');
          if (script !== during) return 0;
          interrupt.abort();
          return 1; // a script stopped by a signal
        },
      };
      const result = await updateSpec(interrupted, {
        version: VERSION,
        from,
        docsDate: '2026-12-01',
      });
      expect(result.exitCode, during).toBe(INTERRUPTED_EXIT_CODE);
      expect(ran).toEqual(during === 'codegen' ? ['codegen'] : ['codegen', 'typecheck']);
      // The runner was given the signal, so it can stop the script.
      expect(seen.every((signal) => signal === interrupt.signal)).toBe(true);
      expect(output.at(-1)).toMatch(
        /interrupted; openapi\/2026-09-beta\/ and the generated files are back as they were/,
      );
      expect(await readFile(path.join(dir, 'campaigns.json'), 'utf8')).toBe(before.spec);
      expect(await readFile(path.join(dir, 'meta.json'), 'utf8')).toBe(before.meta);
      expect(await readFile(path.join(generated, `${VERSION}.ts`), 'utf8')).toBe('old types');
      expect(existsSync(path.join(generated, 'stray.ts'))).toBe(false);
      // Not accepted either.
      expect(await readFile(path.join(root, ACCEPTED_DIR, `${VERSION}.json`), 'utf8')).toBe(
        before.accepted,
      );
    }

    // Stopped before anything was written: nothing is written and nothing runs.
    ran = [];
    const early = new AbortController();
    early.abort();
    const result = await updateSpec(
      { ...workspace(), signal: early.signal },
      { version: VERSION, from, docsDate: '2026-12-01' },
    );
    expect(result.exitCode).toBe(INTERRUPTED_EXIT_CODE);
    expect(ran).toEqual([]);
    expect(await readFile(path.join(dir, 'meta.json'), 'utf8')).toBe(before.meta);
  });

  it('--dry-run reports against the accepted spec and changes nothing', async () => {
    await acceptedBase();
    const from = await supply(
      'next.json',
      edited((spec) => delete spec.paths[`${ROOT}/batch/archive`]),
    );
    const reportFile = path.join(root, 'report.md');
    const result = await updateSpec(workspace(), {
      version: VERSION,
      from,
      dryRun: true,
      reportFile,
    });
    expect(result.exitCode).toBe(0);
    expect(ran).toEqual([]);
    expect(await readFile(reportFile, 'utf8')).toBe(result.report);
    expect(result.report).toContain(`openapi/${VERSION} (accepted) → incoming/next.json`);
    expect(result.report).toContain('`POST /batch/archive`: operation removed');
    const current = JSON.parse(
      await readFile(path.join(root, 'openapi', VERSION, 'campaigns.json'), 'utf8'),
    );
    expect(current).toEqual(baseSpec());
  });

  it('field renamed and typecheck failing: exits 1 with the report naming the field', async () => {
    await acceptedBase();
    exitCodes.typecheck = 2;
    const from = await supply(
      'renamed.json',
      edited((spec) => renameField(spec, 'BatchResponseCampaign', 'results', 'items')),
    );
    const result = await updateSpec(workspace(), {
      version: VERSION,
      from,
      docsDate: '2026-11-02',
    });
    expect(result.exitCode).toBe(1);
    expect(ran).toEqual(['codegen', 'typecheck']);
    const log = output.join('\n');
    expect(log).toMatch(
      /## Breaking[\s\S]*`POST \/batch\/update` response 200 \(application\/json\) `results`: renamed to `items`/,
    );
    expect(log).toMatch(/breaking change\(s\) \(above\) that the code does not handle/);
    // Not accepted: the snapshot is still the old spec, so CI reports the same change.
    const accepted = await readFile(
      path.join(root, 'tools/spec-diff/accepted', `${VERSION}.json`),
      'utf8',
    );
    expect(accepted).toContain('"results"');
  });

  it('a field added, typecheck passing: accepted, and the report says it is not breaking', async () => {
    await acceptedBase();
    const from = await supply(
      'added.json',
      edited((spec) => (schemas(spec).Campaign.properties.campaignOwner = { type: 'string' })),
    );
    const result = await updateSpec(workspace(), {
      version: VERSION,
      from,
      docsDate: '2026-11-02',
    });
    expect(result.exitCode).toBe(0);
    expect(result.report).toContain('**0 breaking**');
    expect(result.report).toContain('schema `Campaign` `campaignOwner`: field added');
    expect(output.at(-1)).toMatch(/accepted as tools\/spec-diff\/accepted\/2026-09-beta\.json/);
  });
});

describe('spec:check (CI)', () => {
  /** Replaces the version's spec in place, as a hand edit would. */
  async function editInPlace(edit: (spec: Spec) => void): Promise<void> {
    const file = path.join(root, 'openapi', VERSION, 'campaigns.json');
    await writeFile(file, JSON.stringify(edited(edit), null, 2));
  }

  it('passes without running anything when every spec matches its accepted snapshot', async () => {
    await acceptedBase();
    const outcomes = await checkSpecs(workspace());
    expect(outcomes.map((o) => o.exitCode)).toEqual([0]);
    expect(ran).toEqual([]);
  });

  it('endpoint added: prints the report and passes without a typecheck', async () => {
    await acceptedBase();
    await editInPlace((spec) => {
      spec.paths[`${ROOT}/batch/upsert`] = structuredClone(spec.paths[`${ROOT}/batch/update`]);
    });
    const outcomes = await checkSpecs(workspace());
    expect(outcomes.map((o) => o.exitCode)).toEqual([0]);
    expect(ran).toEqual([]);
    expect(output.join('\n')).toContain('`POST /batch/upsert`: operation added');
  });

  it('endpoint removed and the code no longer compiling: fails with the report last', async () => {
    await acceptedBase();
    await editInPlace((spec) => delete spec.paths[`${ROOT}/batch/archive`]);
    exitCodes.typecheck = 1;
    const outcomes = await checkSpecs(workspace());
    expect(outcomes.map((o) => o.exitCode)).toEqual([1]);
    expect(ran).toEqual(['typecheck']);
    expect(output.slice(-2).join('\n')).toMatch(
      /## Breaking\n\n- `POST \/batch\/archive`: operation removed[\s\S]*FAILED: openapi\/2026-09-beta has 1 breaking change/,
    );
  });

  it('field type changed but handled (typecheck passes): passes, saying it is breaking', async () => {
    await acceptedBase();
    await editInPlace((spec) => {
      schemas(spec).BusinessUnitRef.properties.id.type = 'string';
    });
    const outcomes = await checkSpecs(workspace());
    expect(outcomes.map((o) => o.exitCode)).toEqual([0]);
    expect(ran).toEqual(['typecheck']);
    expect(output.at(-1)).toMatch(/breaking, but the code compiles against every one/);
  });

  it('maxItems lowered: fails until accepted, whatever the typecheck says (types cannot show it)', async () => {
    await acceptedBase();
    await editInPlace((spec) => {
      schemas(spec).BatchInputCampaignUpdateItem.properties.inputs.maxItems = 10;
    });
    const outcomes = await checkSpecs(workspace());
    expect(outcomes.map((o) => o.exitCode)).toEqual([1]);
    expect(ran).toEqual([]);
    expect(output.join('\n')).toContain('`inputs`: maxItems 50 → 10');
    expect(output.at(-1)).toMatch(
      /breaking change\(s\) \(above\) that the generated types cannot show/,
    );
    await checkSpecs(workspace(), { accept: true });
    expect((await checkSpecs(workspace())).map((o) => o.exitCode)).toEqual([0]);
  });

  it('a scope added to an operation: fails until accepted, without a typecheck', async () => {
    await acceptedBase();
    await editInPlace((spec) => {
      spec.paths[`${ROOT}/batch/update`].post.security[0].oauth2.push('crm.objects.owners.read');
    });
    const outcomes = await checkSpecs(workspace());
    expect(outcomes.map((o) => o.exitCode)).toEqual([1]);
    expect(ran).toEqual([]);
    expect(output.join('\n')).toMatch(/## Breaking[\s\S]*`POST \/batch\/update` security/);
  });

  it('a version folder deleted: fails (every operation removed) until --accept removes its snapshot', async () => {
    await acceptedBase();
    await rm(path.join(root, 'openapi', VERSION), { recursive: true });
    const outcomes = await checkSpecs(workspace());
    expect(outcomes.map((o) => o.exitCode)).toEqual([1]);
    expect(outcomes[0]!.diff.changes).toContainEqual(
      expect.objectContaining({ target: 'POST /batch/update', kind: 'removed', breaking: true }),
    );
    expect(output.at(-1)).toMatch(/openapi\/2026-09-beta\/ has no campaigns\.\* but/);
    await checkSpecs(workspace(), { accept: true });
    expect(existsSync(path.join(root, 'tools/spec-diff/accepted', `${VERSION}.json`))).toBe(false);
  });

  it('--accept records the current specs; a version without a snapshot fails', async () => {
    await acceptedBase();
    await rm(path.join(root, 'tools/spec-diff/accepted'), { recursive: true });
    expect((await checkSpecs(workspace())).map((o) => o.exitCode)).toEqual([1]);
    expect(output.at(-1)).toMatch(/no accepted snapshot/);
    await checkSpecs(workspace(), { accept: true });
    expect((await checkSpecs(workspace())).map((o) => o.exitCode)).toEqual([0]);
  });
});

describe('npmRunner', () => {
  it('stops the whole script on abort, not only npm (npm does not pass SIGTERM on)', async () => {
    const pidFile = path.join(root, 'script.pid');
    await writeFile(
      path.join(root, 'package.json'),
      JSON.stringify({
        name: 'stop-test',
        private: true,
        scripts: {
          hang: `node -e "require('fs').writeFileSync(${JSON.stringify(JSON.stringify(pidFile)).slice(1, -1)}, String(process.pid)); setInterval(() => {}, 1000)"`,
        },
      }),
    );
    const interrupt = new AbortController();
    const running = npmRunner(root)('hang', interrupt.signal);
    while (!existsSync(pidFile) || (await readFile(pidFile, 'utf8')) === '')
      await new Promise((resolve) => setTimeout(resolve, 50));
    const pid = Number(await readFile(pidFile, 'utf8'));
    interrupt.abort();
    expect(await running).not.toBe(0);
    // The script's own process goes too (polled: it gets the signal with npm, and exits on its own time).
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const left = alive();
    if (left) process.kill(pid, 'SIGKILL');
    expect(left).toBe(false);
  }, 30_000);
});
