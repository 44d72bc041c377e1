// `npm run bench [-- scenario ...]`: runs the benchmark scenarios against simulators on
// 127.0.0.1, prints a table and one JSON line per scenario, and records them in BENCHMARKS.md.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from './measure.js';
import type { ScenarioResult } from './scenarios.js';

const ALL = ['throughput', 'faults', 'gateway-overhead', 'scale', 'noisy-neighbour'] as const;
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
 * Peak RSS is a process-lifetime figure, so variants of the largest scale run each get a fresh
 * process. V8 grows its heap lazily when memory is plentiful, so RSS says as much about the
 * collector as about the code: one variant caps the old space; another takes results from
 * `onResults` instead of keeping 100,000 of them in the outcome.
 */
const CAPPED_HEAP_MB = 160;
async function addLargestScaleVariants(result: ScenarioResult): Promise<void> {
  const variants = [
    {
      name: 'scale-capped-heap',
      flags: [`--max-old-space-size=${CAPPED_HEAP_MB}`],
      label: `heap capped at ${CAPPED_HEAP_MB} MB`,
      key: 'cappedHeap',
    },
    {
      name: 'scale-streamed',
      flags: [],
      label: 'keepResults: false, results via onResults',
      key: 'streamedResults',
    },
  ];
  for (const variant of variants) {
    process.stderr.write(`bench: scale again (${variant.label})\n`);
    const run = await runInChild(variant.name, variant.flags);
    const row = run.rows[0]!;
    result.rows.push([`${row[0]} (${variant.label})`, ...row.slice(1)]);
    const rss = (run.figures as { peakRssMb: number }).peakRssMb;
    result.figures[variant.key] = {
      nodeFlags: variant.flags,
      peakRssMb: rss,
      run: (run.figures as { runs: unknown[] }).runs[0],
    };
    result.targets.push({
      target: `peak RSS ≤ 300 MB at 100,000 updates, ${variant.label}`,
      measured: `${rss.toFixed(0)} MB`,
      met: rss <= 300,
    });
  }
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
  if (name === 'scale') await addLargestScaleVariants(result);
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
