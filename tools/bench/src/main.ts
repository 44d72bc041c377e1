// `npm run bench [-- scenario ...]`: runs the benchmark scenarios against simulators on
// 127.0.0.1, prints a table and one JSON line per scenario, and records them in BENCHMARKS.md.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { redisAvailable } from './job-client.js';
import { table } from './measure.js';
import type { ScenarioResult } from './scenarios.js';

const ALL = [
  'throughput',
  'sustained',
  'faults',
  'gateway-overhead',
  'scale',
  'noisy-neighbour',
  'cli',
  'multi-replica',
  'crash-resume',
] as const;
/** Scenarios that need a real redis-server: skipped, loudly, where there is none. */
const NEEDS_REDIS: readonly string[] = ['multi-replica', 'crash-resume'];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = requested.filter((r) => !(ALL as readonly string[]).includes(r));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; choose from ${ALL.join(', ')}`);
  process.exit(2);
}
const selected = requested.length ? requested : [...ALL];
const command = `npm run bench${requested.length ? ` -- ${requested.join(' ')}` : ''}`;

function runInChild(name: string, nodeFlags: string[] = []): Promise<ScenarioResult> {
  return runScenarioProcess(name, [
    ...nodeFlags,
    '--conditions=@campaigns/source',
    '--import',
    'tsx',
    '--expose-gc',
    fileURLToPath(new URL('./run-scenario.ts', import.meta.url)),
    name,
  ]);
}

/** Runs `node args…` and takes the scenario result it prints as its last line. */
function runScenarioProcess(name: string, args: string[]): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`scenario ${name} exited with ${code}`));
      try {
        resolve(JSON.parse(last) as ScenarioResult);
      } catch {
        reject(new Error(`scenario ${name} printed no result`));
      }
    });
  });
}

function section(result: ScenarioResult): string {
  const targets = result.targets
    .map((t) => `- ${t.met ? '✅' : '❌'} ${t.target}: **${t.measured}**`)
    .join('\n');
  const notes = (result.notes ?? []).map((n) => `- ${n}`).join('\n');
  return [
    `<!-- scenario:${result.scenario} -->`,
    `## ${result.scenario}`,
    '',
    table(result.headers, result.rows),
    '',
    targets,
    ...(notes ? ['', notes] : []),
    '',
    '```json',
    JSON.stringify({ scenario: result.scenario, ...result.figures }),
    '```',
    `<!-- /scenario:${result.scenario} -->`,
  ].join('\n');
}

/**
 * Peak RSS is a process-lifetime figure, and the main scale run's includes its 20,000-update
 * warm-up, the smaller sizes and the tsx loader (a thread with a second V8 heap, about 35 MB, that
 * an application does not run). So 100,000 updates run again, each in a fresh process started
 * from compiled JavaScript (scale-fresh.ts bundled, as an application ships the engine) with
 * default Node settings and a 1,000-update warm-up: once keeping the results in the outcome,
 * once taking them from `onResults` (`keepResults: false`). Those two give the RSS targets.
 */
async function addFreshRssRuns(result: ScenarioResult): Promise<void> {
  const variants = [
    { arg: 'kept', label: 'fresh process, results kept', key: 'rssResultsKept' },
    { arg: 'streamed', label: 'fresh process, keepResults: false', key: 'rssStreamed' },
  ];
  const bundle = await bundleFreshScale();
  const rss: number[] = [];
  try {
    for (const variant of variants) {
      process.stderr.write(`bench: scale again (${variant.label})\n`);
      const run = await runScenarioProcess(`scale (${variant.label})`, [
        // gc() before the timed run only, as in the main run: the warm-up's garbage is not the run's.
        '--expose-gc',
        bundle.file,
        variant.arg,
      ]);
      const row = run.rows[0]!;
      result.rows.push([`${row[0]} (${variant.label})`, ...row.slice(1)]);
      const peak = (run.figures as { peakRssMb: number }).peakRssMb;
      rss.push(peak);
      result.figures[variant.key] = {
        nodeFlags: [],
        compiled: true,
        peakRssMb: peak,
        run: (run.figures as { runs: unknown[] }).runs[0],
      };
    }
  } finally {
    await bundle.remove();
  }
  const [kept, streamed] = rss as [number, number];
  // The main run's own RSS target is replaced by the fresh processes' figures.
  result.targets = result.targets.filter((t) => !t.target.startsWith('peak RSS'));
  result.targets.unshift(
    {
      target: 'peak RSS ≤ 200 MB at 100,000 updates, default Node settings (results kept)',
      measured: `${kept.toFixed(0)} MB`,
      met: kept <= 200,
    },
    {
      target:
        'peak RSS at 100,000 updates with keepResults: false well under that (read here as ≤ 150 MB)',
      measured: `${streamed.toFixed(0)} MB`,
      met: streamed <= 150,
    },
  );
}

/**
 * scale-fresh.ts and what it imports, bundled into one ES module in a temporary folder: the
 * workspace's TypeScript sources (through their `@campaigns/source` condition) and the packages
 * they use. Each source keeps its own `import.meta.url` (remote-sim.ts starts sim-process.ts next
 * to itself), and the simulator package's modules count as free of side effects: the benchmark
 * process takes only its token, the simulator runs in its own process.
 */
async function bundleFreshScale(): Promise<{ file: string; remove(): Promise<void> }> {
  const { build } = await import('esbuild');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-scale-'));
  const file = path.join(dir, 'scale-fresh.mjs');
  const workspaceSources: Plugin = {
    name: 'workspace-sources',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(root) || args.path.includes(`${path.sep}node_modules${path.sep}`))
          return undefined;
        const source = await readFile(args.path, 'utf8');
        const url = JSON.stringify(pathToFileURL(args.path).href);
        return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
      });
      const sim = `${path.sep}apps${path.sep}hubspot-sim${path.sep}`;
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (
          args.pluginData === 'sim' ||
          !(args.path === '@campaigns/hubspot-sim' || args.importer.includes(sim))
        )
          return undefined;
        const found = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'sim',
        });
        if (found.errors.length > 0) return { errors: found.errors };
        return { path: found.path, external: found.external, sideEffects: false };
      });
    },
  };
  await build({
    entryPoints: [fileURLToPath(new URL('./scale-fresh.ts', import.meta.url))],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    conditions: ['@campaigns/source'],
    // CommonJS dependencies may require() Node's own modules.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    plugins: [workspaceSources],
    logLevel: 'warning',
  });
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

const file = path.join(root, 'BENCHMARKS.md');
let doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    return 'unknown';
  }
})();
const header = [
  '# Benchmarks',
  '',
  'Measured on the HubSpot simulator on 127.0.0.1 (each scenario in a fresh process, each simulator in',
  'its own process). Regenerate with `npm run bench` (all) or `npm run bench -- <scenario>`.',
  '',
].join('\n');
if (!doc.startsWith('# Benchmarks')) doc = header;
const sections = new Map<string, string>();
for (const match of doc.matchAll(/<!-- scenario:([\w-]+) -->[\s\S]*?<!-- \/scenario:\1 -->/g))
  sections.set(match[1]!, match[0]);

const failed: string[] = [];
const skipped: string[] = [];
for (const name of selected) {
  process.stderr.write(`bench: ${name}\n`);
  if (NEEDS_REDIS.includes(name) && !redisAvailable(name)) {
    // Kept as it was, like a failed scenario's section; not a failure (CI does not run benchmarks).
    skipped.push(name);
    continue;
  }
  let result: ScenarioResult;
  try {
    result = await runInChild(name);
    if (name === 'scale') await addFreshRssRuns(result);
  } catch (error) {
    // One broken scenario keeps its old section; the others are still measured and written.
    console.error(`bench: ${(error as Error).message}`);
    failed.push(name);
    continue;
  }
  console.log(`\n${result.scenario}\n${table(result.headers, result.rows)}`);
  for (const t of result.targets)
    console.log(`${t.met ? 'met ' : 'MISS'} ${t.target}: ${t.measured}`);
  console.log(JSON.stringify({ scenario: result.scenario, ...result.figures }));
  const stamp = `_${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'cpu'}) · Node ${process.version} · commit ${commit} · \`${command}\`_`;
  const body = `${section(result)}`.replace(
    `## ${result.scenario}\n`,
    `## ${result.scenario}\n\n${stamp}\n`,
  );
  sections.set(result.scenario, body);
}
// Hand-written text before the first generated section is kept; sections follow ALL's order.
const preamble = doc.split('<!-- scenario:')[0]!.trimEnd();
const ordered = ALL.filter((name) => sections.has(name)).map((name) => sections.get(name)!);
writeFileSync(file, `${preamble}\n\n${ordered.join('\n\n')}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
if (skipped.length)
  console.error(
    `bench: SKIPPED (no redis-server): ${skipped.join(', ')} (their sections were left as they were)`,
  );
if (failed.length) {
  console.error(`bench: failed: ${failed.join(', ')} (their sections were left as they were)`);
  process.exitCode = 1;
}
