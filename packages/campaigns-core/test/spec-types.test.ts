// The core's types follow the spec: a scratch copy of openapi/ with a field the core reads renamed
// in an answer schema is run through the project's codegen, and the core's sources are
// typechecked against what it generates (a copy of the client with those generated types). The
// unchanged copy must compile, each renamed one must fail naming the field.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document, type YAMLMap } from 'yaml';

const run = promisify(execFile);
const coreDir = fileURLToPath(new URL('..', import.meta.url));
const root = path.resolve(coreDir, '../..');
const specDir = path.join(root, 'openapi');
const clientDir = path.join(root, 'packages/hubspot-client');
const codegenCli = path.join(root, 'tools/codegen/src/cli.ts');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
const tsx = path.join(root, 'node_modules/tsx/dist/cli.mjs');

let scratch: string;

beforeAll(async () => {
  // Under node_modules: ignored by git, eslint, prettier and the core's own typecheck, and the
  // copied client still finds the workspace's packages by walking up.
  const cache = path.join(coreDir, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  scratch = await mkdtemp(path.join(cache, 'spec-types-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The specs of openapi/'s version folders (YAML), as documents to edit: `v3/campaigns.yaml`. */
async function specFiles(): Promise<string[]> {
  const entries = await readdir(specDir, { recursive: true });
  return entries.filter((name) => /^[^/\\]+[/\\]campaigns\.ya?ml$/.test(name));
}

/** The schema (as a YAML map) that `$ref` names, e.g. `#/components/schemas/X`. */
function resolveRef(doc: Document, node: unknown): YAMLMap | undefined {
  if (!isMap(node)) return undefined;
  const ref = node.get('$ref');
  if (typeof ref !== 'string') return node;
  const target = doc.getIn(ref.replace(/^#\//, '').split('/'));
  return isMap(target) ? target : undefined;
}

/** The answer schemas of `POST …/batch/update` for `statuses`. */
function updateAnswerSchemas(doc: Document, statuses: string[]): YAMLMap[] {
  const pathsNode = doc.get('paths');
  if (!isMap(pathsNode)) return [];
  const schemas: YAMLMap[] = [];
  for (const pair of pathsNode.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!key.endsWith('/batch/update')) continue;
    for (const status of statuses) {
      const schema = resolveRef(
        doc,
        doc.getIn([
          'paths',
          key,
          'post',
          'responses',
          status,
          'content',
          'application/json',
          'schema',
        ]),
      );
      if (schema) schemas.push(schema);
    }
  }
  return schemas;
}

/** Renames property `from` of `schema` to `to`, in `properties` and `required`. */
function renameProperty(schema: YAMLMap, from: string, to: string): boolean {
  const properties = schema.get('properties');
  if (!isMap(properties) || !properties.has(from)) return false;
  const value = properties.get(from, true);
  properties.delete(from);
  properties.set(to, value);
  const required = schema.get('required');
  if (isSeq(required))
    required.items = required.items.map((item) =>
      isScalar(item) && item.value === from ? new Scalar(to) : item,
    );
  return true;
}

/** Whether `doc` is the spec of API version `version` (its `info.version`). */
function isVersion(doc: Document, version: string): boolean {
  return String(doc.getIn(['info', 'version'])) === version;
}

/** The component schema named `name`. */
function componentSchema(doc: Document, name: string): YAMLMap | undefined {
  const schema = doc.getIn(['components', 'schemas', name]);
  return isMap(schema) ? schema : undefined;
}

/** Renames the query parameter `from` of the list (`GET` of the API root) to `to`. */
function renameListParameter(doc: Document, from: string, to: string): boolean {
  const pathsNode = doc.get('paths');
  if (!isMap(pathsNode)) return false;
  let renamed = false;
  for (const pair of pathsNode.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!/^\/marketing\/(v3\/campaigns|campaigns\/[^/]+)\/?$/.test(key)) continue;
    const parameters = doc.getIn(['paths', key, 'get', 'parameters']);
    if (!isSeq(parameters)) continue;
    for (const parameter of parameters.items) {
      if (isMap(parameter) && parameter.get('name') === from && parameter.get('in') === 'query') {
        parameter.set('name', to);
        renamed = true;
      }
    }
  }
  return renamed;
}

/**
 * Copies openapi/ (with `edit` applied to each spec) and the client's sources to a folder, runs
 * the codegen into the copy, and typechecks the core's sources against it. Returns tsc's output
 * ('' when it compiled).
 */
async function typecheckCoreAgainst(
  name: string,
  edit: (doc: Document) => boolean,
): Promise<string> {
  const dir = path.join(scratch, name);
  const specs = path.join(dir, 'openapi');
  const client = path.join(dir, 'hubspot-client');
  await mkdir(specs, { recursive: true });
  let edited = false;
  // The overlay and each version's meta.json go along: the codegen applies and checks them.
  await cp(path.join(specDir, 'overlay.yaml'), path.join(specs, 'overlay.yaml'));
  for (const file of await specFiles()) {
    const doc = parseDocument(await readFile(path.join(specDir, file), 'utf8'));
    if (edit(doc)) edited = true;
    await mkdir(path.join(specs, path.dirname(file)), { recursive: true });
    await writeFile(path.join(specs, file), doc.toString());
    const meta = path.join(path.dirname(file), 'meta.json');
    await cp(path.join(specDir, meta), path.join(specs, meta));
  }
  if (name !== 'unchanged') expect(edited, `${name}: no spec had the field`).toBe(true);
  await cp(path.join(clientDir, 'src'), path.join(client, 'src'), {
    recursive: true,
    filter: (source) => !source.includes(`${path.sep}generated`),
  });
  await cp(path.join(clientDir, 'package.json'), path.join(client, 'package.json'));
  await run(process.execPath, [
    tsx,
    '--conditions=@campaigns/source',
    codegenCli,
    '--spec-dir',
    specs,
    '--out-dir',
    path.join(client, 'src/generated'),
  ]);
  const tsconfig = path.join(dir, 'tsconfig.json');
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: path.join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: true,
        paths: { '@campaigns/hubspot-client': [path.join(client, 'src/index.ts')] },
      },
      include: [path.join(coreDir, 'src')],
    }),
  );
  try {
    await run(process.execPath, [tsc, '-p', tsconfig], { cwd: dir });
    return '';
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return `${stdout ?? ''}${stderr ?? ''}` || String(error);
  }
}

describe('the core typechecks against the generated types', () => {
  it('compiles against the spec as it is', async () => {
    expect(await typecheckCoreAgainst('unchanged', () => false)).toBe('');
  });

  it('fails, naming the field, when `results` of the batch answer is renamed', async () => {
    const output = await typecheckCoreAgainst('results-renamed', (doc) =>
      updateAnswerSchemas(doc, ['200']).some((schema) =>
        renameProperty(schema, 'results', 'items'),
      ),
    );
    expect(output).toMatch(/error TS\d+/);
    expect(output).toMatch(/'results'/);
    // In the core's own sources (operations.ts, where the answer is read).
    expect(output).toMatch(/src[\\/]operations\.ts\(\d+,\d+\): error TS\d+/);
  });

  it('fails, naming the field, when `errors` of the 207 answer is renamed', async () => {
    const output = await typecheckCoreAgainst('errors-renamed', (doc) =>
      updateAnswerSchemas(doc, ['207']).some((schema) =>
        renameProperty(schema, 'errors', 'failures'),
      ),
    );
    expect(output).toMatch(/error TS\d+/);
    expect(output).toMatch(/["']errors["']/);
  });
  // 2026-03 folds item errors into its 200 (no 207): losing them there must fail too, even though
  // v3's 207 still has them.
  it('fails, naming the field, when `errors` folded into a 200 answer is renamed', async () => {
    const output = await typecheckCoreAgainst('folded-errors-renamed', (doc) =>
      updateAnswerSchemas(doc, ['200']).some((schema) =>
        renameProperty(schema, 'errors', 'failures'),
      ),
    );
    expect(output).toMatch(/error TS\d+/);
    expect(output).toMatch(/["']errors["']/);
    expect(output).toMatch(/2026-03/);
  });

  // Requests are typed as EVERY version takes them: a request field or query parameter renamed in
  // one version alone must fail, though the other versions' types still have it.
  it('fails, naming the field, when the read input `id` is renamed in 2026-03 only', async () => {
    const output = await typecheckCoreAgainst('read-input-renamed-in-one-version', (doc) => {
      const input = isVersion(doc, '2026-03') && componentSchema(doc, 'PublicCampaignReadInput');
      return input ? renameProperty(input, 'id', 'campaignId') : false;
    });
    expect(output).toMatch(/src[\\/]operations\.ts\(\d+,\d+\): error TS\d+/);
    expect(output).toMatch(/'campaignId'/);
  });

  it('fails, naming the field, when the archive input `id` is renamed in 2026-03 only', async () => {
    const output = await typecheckCoreAgainst('archive-input-renamed-in-one-version', (doc) => {
      const input = isVersion(doc, '2026-03') && componentSchema(doc, 'PublicCampaignDeleteInput');
      return input ? renameProperty(input, 'id', 'campaignId') : false;
    });
    expect(output).toMatch(/src[\\/]operations\.ts\(\d+,\d+\): error TS\d+/);
    expect(output).toMatch(/'campaignId'/);
  });

  // An answer is the union of the versions' answers: one version retyping a field the core does
  // not read is legitimate, and must compile (the answer's result type is named, not inferred
  // from the first version's).
  it('compiles when 2026-03 alone retypes business-unit ids, which the core does not read', async () => {
    const output = await typecheckCoreAgainst('business-unit-id-retyped-in-one-version', (doc) => {
      const unit = isVersion(doc, '2026-03') && componentSchema(doc, 'PublicBusinessUnit');
      const id = unit && unit.getIn(['properties', 'id']);
      if (!isMap(id)) return false;
      id.set('type', 'string');
      id.delete('format');
      return true;
    });
    expect(output).toBe('');
  });

  it('fails, naming the parameter, when the list query `limit` is renamed in 2026-03 only', async () => {
    const output = await typecheckCoreAgainst('list-parameter-renamed-in-one-version', (doc) =>
      isVersion(doc, '2026-03') ? renameListParameter(doc, 'limit', 'pageSize') : false,
    );
    expect(output).toMatch(/src[\\/]list\.ts\(\d+,\d+\): error TS\d+/);
    expect(output).toMatch(/'limit'/);
  });
});
