// The command line's benchmark (issue 14): a 100,000-row CSV update through `hubspot-campaigns`
// against the same work done by @campaigns/core directly, each in a fresh process, on one
// simulator in a process of its own with a limit that never binds.
//
// Both contenders run compiled JavaScript on plain node, the way they run once installed: the
// command line from apps/cli/dist (its bin runs that outside this checkout), the core's process
// a script importing packages/campaigns-core/dist. So the figures are theirs, not tsx's. The
// "same work" for the core is what a script would do with the file: read it with csv-parse,
// build the inputs, one updateCampaigns call taking results from onResults (keepResults: false).
// Wall time is the process's, from spawn to exit (start-up, reading the file, the run, exit);
// peak RSS and CPU time are reported by each process itself as it exits (a preloaded module).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SIM_TOKEN } from '@campaigns/hubspot-sim';
import { startRemoteSim, type RemoteSim } from './remote-sim.js';
import type { ScenarioResult } from './scenarios.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PROPERTY = 'hs_notes';
const GENEROUS = { max: 1_000_000, intervalMs: 10_000, daily: 100_000_000 };
/** The libraries and the command line, in build order. */
const BUILDS = [
  'packages/redact',
  'packages/hubspot-client',
  'packages/campaigns-core',
  'apps/cli',
];

const RSS_TARGET_MB = 150;
const WALL_TARGET = 1.05;

interface ProcessRun {
  wallMs: number;
  peakRssMb: number;
  cpuMs: number;
  lost: number;
}

/** Written next to the CSV files: each process reports its own peak RSS and CPU on exit. */
const REPORTER = `import { writeSync } from 'node:fs';
process.on('exit', () => {
  const cpu = process.cpuUsage();
  writeSync(2, '\\nbench-process ' + JSON.stringify({
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
  }) + '\\n');
});
`;

/** The core doing the same work as `hubspot-campaigns update --file`: file in, HubSpot updated. */
const coreScript = () => `import { readFileSync } from 'node:fs';
import { parse } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'node_modules/csv-parse/lib/sync.js')).href)};
import { updateCampaigns } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'packages/campaigns-core/dist/index.js')).href)};
import { createHubSpotClient } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'packages/hubspot-client/dist/index.js')).href)};
const [file, baseUrl] = process.argv.slice(2);
const [header, ...rows] = parse(readFileSync(file), { bom: true });
const inputs = rows.map((cells) => ({ id: cells[0], properties: { [header[1]]: cells[1] } }));
const client = createHubSpotClient({ token: process.env.HUBSPOT_TOKEN, baseUrl });
let succeeded = 0;
const outcome = await updateCampaigns(client, inputs, {
  keepResults: false,
  onResults: (results) => (succeeded += results.length),
});
if (succeeded + outcome.numErrors !== inputs.length) throw new Error('ids not accounted for');
process.exit(outcome.numErrors === 0 ? 0 : 1);
`;

function build(): void {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  for (const project of BUILDS) {
    process.stderr.write(`  cli: building ${project}…\n`);
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.lib.json'], {
      cwd: path.join(ROOT, project),
      stdio: 'inherit',
    });
  }
}

function timed(args: string[], env: Record<string, string>): Promise<Omit<ProcessRun, 'lost'>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      const line = stderr.split('\n').find((l) => l.startsWith('bench-process '));
      if (code !== 0 || !line)
        return reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      const figures = JSON.parse(line.slice('bench-process '.length)) as {
        peakRssMb: number;
        cpuMs: number;
      };
      resolve({ wallMs, ...figures });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function cliUpdate(n = 100_000, rounds = 3): Promise<ScenarioResult> {
  build();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cli-'));
  const reporter = path.join(dir, 'report-process.mjs');
  const core = path.join(dir, 'core-update.mjs');
  writeFileSync(reporter, REPORTER);
  writeFileSync(core, coreScript());
  const cliMain = path.join(ROOT, 'apps/cli/dist/main.js');
  const env = { HUBSPOT_TOKEN: DEFAULT_SIM_TOKEN };

  let sim: RemoteSim | undefined;
  const contenders = [
    { name: '@campaigns/core (csv-parse, one updateCampaigns call)', runs: [] as ProcessRun[] },
    { name: 'hubspot-campaigns update --file', runs: [] as ProcessRun[] },
    { name: 'hubspot-campaigns update --file --report', runs: [] as ProcessRun[] },
  ];
  try {
    sim = await startRemoteSim({ campaigns: n, seed: 3, rateLimit: GENEROUS });
    const ids = sim.ids.slice(0, n);
    // The simulator's process warms up once, untimed, so the first contender does not pay for it.
    const warmup = path.join(dir, 'warmup.csv');
    const warmIds = ids.slice(0, Math.min(n, 20_000));
    writeFileSync(warmup, `id,${PROPERTY}\n${warmIds.map((id) => `${id},warm-up`).join('\n')}\n`);
    process.stderr.write(
      `  cli: warm-up (${warmIds.length.toLocaleString('en')} untimed updates)…\n`,
    );
    await timed(['--import', reporter, core, warmup, sim.url], env);
    // Rounds interleave the contenders, so drift in the machine's load hits all alike.
    for (let round = 0; round < rounds; round++) {
      for (const [k, contender] of contenders.entries()) {
        const tag = `cli bench r${round} c${k}`;
        const expected: Record<string, string> = {};
        const lines = ids.map((id, i) => {
          const value = `${tag} #${i}`;
          expected[id] = value;
          return `${id},${value}`;
        });
        const file = path.join(dir, `r${round}c${k}.csv`);
        writeFileSync(file, `id,${PROPERTY}\n${lines.join('\n')}\n`);
        process.stderr.write(`  cli: round ${round + 1}/${rounds}, ${contender.name}…\n`);
        const args =
          k === 0
            ? ['--import', reporter, core, file, sim.url]
            : [
                '--import',
                reporter,
                cliMain,
                'update',
                '--file',
                file,
                '--base-url',
                sim.url,
                '--quiet',
                ...(k === 2 ? ['--report', path.join(dir, `r${round}.jsonl`)] : []),
              ];
        const run = await timed(args, env);
        const lost = (await sim.notApplied(PROPERTY, expected)).length;
        contender.runs.push({ ...run, lost });
        rmSync(file);
      }
    }
  } finally {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const summary = contenders.map((c) => ({
    name: c.name,
    wallMs: median(c.runs.map((r) => r.wallMs)),
    minMs: Math.min(...c.runs.map((r) => r.wallMs)),
    maxMs: Math.max(...c.runs.map((r) => r.wallMs)),
    cpuMs: median(c.runs.map((r) => r.cpuMs)),
    peakRssMb: Math.max(...c.runs.map((r) => r.peakRssMb)),
    lost: c.runs.reduce((sum, r) => sum + r.lost, 0),
  }));
  const [coreRun, cliRun, reportRun] = summary as [
    (typeof summary)[0],
    (typeof summary)[0],
    (typeof summary)[0],
  ];
  const ratio = cliRun.wallMs / coreRun.wallMs;
  return {
    scenario: 'cli',
    headers: [
      'process',
      'wall s (median)',
      'wall s (min–max)',
      'CPU s (median)',
      'peak RSS MB (max)',
      'lost ids',
    ],
    rows: summary.map((s) => [
      s.name,
      s.wallMs / 1000,
      `${(s.minMs / 1000).toFixed(2)}–${(s.maxMs / 1000).toFixed(2)}`,
      s.cpuMs / 1000,
      s.peakRssMb,
      s.lost,
    ]),
    figures: {
      updates: n,
      rounds,
      runs: Object.fromEntries(contenders.map((c) => [c.name, c.runs])),
      wallRatio: ratio,
    },
    targets: [
      {
        target: `peak RSS of the command line ≤ ${RSS_TARGET_MB} MB at ${n.toLocaleString('en')} rows, default Node settings`,
        measured: `${cliRun.peakRssMb.toFixed(0)} MB (with --report: ${reportRun.peakRssMb.toFixed(0)} MB)`,
        met: cliRun.peakRssMb <= RSS_TARGET_MB,
      },
      {
        target: `wall time within ${Math.round((WALL_TARGET - 1) * 100)}% of the core's own for the same work (median of ${rounds})`,
        measured: `${(cliRun.wallMs / 1000).toFixed(2)} s vs ${(coreRun.wallMs / 1000).toFixed(2)} s (×${ratio.toFixed(3)}; with --report ×${(reportRun.wallMs / coreRun.wallMs).toFixed(3)})`,
        met: ratio <= WALL_TARGET,
      },
      {
        target: 'every row applied (the simulator’s final state)',
        measured: `${summary.reduce((sum, s) => sum + s.lost, 0)} lost`,
        met: summary.every((s) => s.lost === 0),
      },
    ],
    notes: [
      'Each contender in a fresh process, compiled JavaScript on plain node (the libraries and apps/cli built with tsc first); the simulator in a process of its own, no latency, a limit that never binds.',
      'The core’s process reads the CSV with csv-parse, builds the inputs and makes one updateCampaigns call (keepResults: false); the command line checks the whole file first (nothing is sent for a bad file), then sends it in batches of 1,000 (at most 50 requests in flight across two batches, like the core’s single call) under one rate budget.',
      'Wall time from spawn to exit; peak RSS and CPU as each process reports them on exit.',
    ],
  };
}
