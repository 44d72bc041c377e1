// `npm run bench [-- scenario ...]`: runs the benchmark scenarios against simulators on
// 127.0.0.1, prints a table and one JSON line per scenario, and records them in BENCHMARKS.md.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './measure.js';
import type { ScenarioResult } from './scenarios.js';

const ALL = ['throughput', 'faults', 'gateway-overhead', 'scale'] as const;
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
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...nodeFlags,
        '--conditions=@campaigns/source',
        '--import',
        'tsx',
        '--expose-gc',
        fileURLToPath(new URL('./run-scenario.ts', import.meta.url)),
        name,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
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
 * V8 grows its heap lazily when memory is plentiful, so peak RSS says as much about the
 * collector as about the code. The same 100,000-update run in a process whose old space is
 * capped at 160 MB shows what the run needs when the collector is asked to keep up.
 */
const CAPPED_HEAP_MB = 160;
async function addCappedHeapRun(result: ScenarioResult): Promise<void> {
  process.stderr.write(`bench: scale again with --max-old-space-size=${CAPPED_HEAP_MB}\n`);
  const capped = await runInChild('scale-capped-heap', [`--max-old-space-size=${CAPPED_HEAP_MB}`]);
  const row = capped.rows[0]!;
  result.rows.push([`${row[0]} (heap capped at ${CAPPED_HEAP_MB} MB)`, ...row.slice(1)]);
  const rss = (capped.figures as { peakRssMb: number }).peakRssMb;
  result.figures.cappedHeap = {
    maxOldSpaceMb: CAPPED_HEAP_MB,
    peakRssMb: rss,
    run: (capped.figures as { runs: unknown[] }).runs[0],
  };
  result.targets.push({
    target: `peak RSS ≤ 300 MB at 100,000 updates, heap capped at ${CAPPED_HEAP_MB} MB (node --max-old-space-size=${CAPPED_HEAP_MB})`,
    measured: `${rss.toFixed(0)} MB`,
    met: rss <= 300,
  });
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

for (const name of selected) {
  process.stderr.write(`bench: ${name}\n`);
  const result = await runInChild(name);
  if (name === 'scale') await addCappedHeapRun(result);
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
