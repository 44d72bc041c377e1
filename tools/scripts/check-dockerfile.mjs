// `node tools/scripts/check-dockerfile.mjs [--keep]`: checks that the Dockerfile builds an image
// that serves. With a Docker engine: `docker build`, then the containers are started and probed.
// Without one (this machine has only the client): the Dockerfile's own instructions are run in
// scratch folders, one per stage (WORKDIR, COPY honouring .dockerignore, COPY --from, ENV, RUN),
// then the final stage's CMD is started like the container would be. Either way the gateway must
// answer /healthz (the image's HEALTHCHECK command is run too), refuse an unknown document (it is
// in production), and run the trusted UpdateCampaigns document against a HubSpot simulator (started
// from the build stage, as compose.yaml does) with an API key. `.ci/run` runs this as its own step.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const keep = process.argv.includes('--keep');
const forceScratch = process.argv.includes('--no-docker');
const started = Date.now();
const SIM_TOKEN = 'sim-private-app-token';
const children = [];

const log = (message) =>
  console.log(`[check-dockerfile ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

// ---------------------------------------------------------------------------------------------
// The Dockerfile, parsed: stages of instructions.

export function parseDockerfile(text) {
  const lines = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && (/^\s*#/.test(line) || line.trim() === '')) continue;
    if (line.endsWith('\\')) current += `${line.slice(0, -1)} `;
    else {
      lines.push((current + line).trim());
      current = '';
    }
  }
  const args = {};
  const stages = [];
  const substitute = (value, env) =>
    value.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a, b) => env[a ?? b] ?? args[a ?? b] ?? whole);
  for (const line of lines) {
    const [, instruction, rest] = /^(\w+)\s+([\s\S]*)$/.exec(line) ?? [];
    if (!instruction) throw new Error(`Dockerfile: cannot read "${line}"`);
    const keyword = instruction.toUpperCase();
    const stage = stages.at(-1);
    if (keyword === 'ARG') {
      const [name, value = ''] = rest.split('=');
      args[name] = value;
    } else if (keyword === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      stages.push({ image: substitute(image, {}), name, env: {}, steps: [] });
    } else if (!stage) {
      throw new Error(`Dockerfile: ${keyword} before FROM`);
    } else if (keyword === 'ENV') {
      for (const [, name, value] of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g))
        stage.env[name] = value.replace(/^"|"$/g, '');
      stage.steps.push({ keyword, env: { ...stage.env } });
    } else {
      const flags = {};
      let body = rest;
      for (let m; (m = /^--([\w-]+)=(\S+)\s+/.exec(body)); body = body.slice(m[0].length))
        flags[m[1]] = m[2];
      if (keyword === 'HEALTHCHECK') body = body.replace(/^CMD\s+/, '');
      const exec = body.startsWith('[') ? JSON.parse(body) : undefined;
      stage.steps.push({ keyword, flags, body, exec });
    }
  }
  return stages;
}

/** compose.yaml's services, checked against the stages; the simulator's command is reused below. */
function readCompose(stages) {
  const compose = parseYaml(readFileSync(path.join(root, 'compose.yaml'), 'utf8'));
  const names = stages.map((s) => s.name);
  for (const [service, definition] of Object.entries(compose.services ?? {})) {
    const target = definition.build?.target;
    if (target !== undefined && !names.includes(target))
      fail(
        `compose.yaml: service ${service} builds target ${target}, not a stage of the Dockerfile`,
      );
  }
  const sim = compose.services?.['hubspot-sim'];
  const gateway = compose.services?.gateway;
  if (!sim || !gateway) fail('compose.yaml: needs the services hubspot-sim and gateway');
  if (gateway.build?.target !== stages.at(-1).name)
    fail('compose.yaml: the gateway service must build the final stage');
  if (!Array.isArray(sim.command) || sim.command[0] !== 'node')
    fail('compose.yaml: the hubspot-sim command must be ["node", ...] (exec form)');
  // The same command, on a free loopback port.
  const simArgs = sim.command
    .slice(1)
    .map((arg, i, all) =>
      all[i - 1] === '--host' ? '127.0.0.1' : all[i - 1] === '--port' ? '0' : arg,
    );
  return { simTarget: sim.build?.target, simArgs };
}

function requireStatic(stages) {
  const problems = [];
  const final = stages.at(-1);
  const find = (keyword) => final.steps.filter((s) => s.keyword === keyword);
  if (stages.length < 2) problems.push('a multi-stage build (build, then runtime)');
  if (final.env.NODE_ENV !== 'production') problems.push('ENV NODE_ENV=production at run time');
  const user = find('USER').at(-1)?.body;
  if (!user || user === 'root' || user === '0') problems.push('a non-root USER at run time');
  if (!find('EXPOSE').some((s) => s.body.split(/\s+/).includes('4000')))
    problems.push('EXPOSE 4000');
  if (!find('HEALTHCHECK').some((s) => /\/healthz/.test(s.body)))
    problems.push('a HEALTHCHECK on /healthz');
  if (!find('CMD').at(-1)?.exec) problems.push('CMD in exec form (signals reach node)');
  if (!find('RUN').some((s) => /npm ci\b.*--omit=dev/.test(s.body)))
    problems.push('production dependencies only (npm ci --omit=dev)');
  if (problems.length > 0) throw new Error(`Dockerfile lacks: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// The build context, as `docker build` sees it: the repository minus .dockerignore.

function dockerignore() {
  const file = path.join(root, '.dockerignore');
  const rules = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const toRegExp = (pattern) =>
    new RegExp(
      `^${pattern
        .replace(/^\/+|\/+$/g, '')
        .replace(/[.+^$()|{}[\]]/g, '\\$&')
        .replace(/\*\*\//g, '%GLOBSTAR%')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/%GLOBSTAR%/g, '(?:.*/)?')}$`,
    );
  const compiled = rules.map((rule) =>
    rule.startsWith('!')
      ? { include: true, re: toRegExp(rule.slice(1)) }
      : { include: false, re: toRegExp(rule) },
  );
  return (relative) => {
    let ignored = false;
    for (const { include, re } of compiled) if (re.test(relative)) ignored = !include;
    return ignored;
  };
}

function copyContext(to) {
  const ignored = dockerignore();
  let files = 0;
  const walk = (relative) => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (ignored(child)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        mkdirSync(path.dirname(path.join(to, child)), { recursive: true });
        cpSync(path.join(root, child), path.join(to, child));
        files += 1;
      }
    }
  };
  walk('');
  return files;
}

// ---------------------------------------------------------------------------------------------
// Without Docker: each stage's instructions run in its own scratch root.

function runScratch(stages, scratch) {
  const context = path.join(scratch, 'context');
  log(`build context: ${copyContext(context)} files (.dockerignore applied)`);
  const roots = new Map();
  let final;
  for (const [index, stage] of stages.entries()) {
    const name = stage.name ?? String(index);
    const rootfs = path.join(scratch, `stage-${name}`);
    mkdirSync(rootfs, { recursive: true });
    roots.set(name, rootfs);
    let workdir = rootfs;
    let env = {};
    const inStage = (fsRoot, dir, p) =>
      path.isAbsolute(p) ? path.join(fsRoot, p) : path.join(dir, p);
    for (const step of stage.steps) {
      if (step.keyword === 'WORKDIR') {
        workdir = inStage(rootfs, workdir, step.body);
        mkdirSync(workdir, { recursive: true });
      } else if (step.keyword === 'ENV') env = step.env;
      else if (step.keyword === 'COPY') {
        const parts = step.exec ?? step.body.split(/\s+/);
        const dest = inStage(rootfs, workdir, parts.at(-1));
        for (const source of parts.slice(0, -1)) {
          const from = step.flags.from
            ? path.join(
                roots.get(step.flags.from) ?? fail(`COPY --from=${step.flags.from}`),
                source,
              )
            : path.join(context, source);
          log(
            `${name}: COPY ${step.flags.from ? `--from=${step.flags.from} ` : ''}${source} ${parts.at(-1)}`,
          );
          cpSync(from, dest, { recursive: true, verbatimSymlinks: true });
        }
      } else if (step.keyword === 'RUN') {
        log(`${name}: RUN ${step.body}`);
        const result = spawnSync(
          step.exec?.[0] ?? 'sh',
          step.exec ? step.exec.slice(1) : ['-c', step.body],
          {
            cwd: workdir,
            stdio: ['ignore', 'inherit', 'inherit'],
            env: { ...baseEnv(), ...env, npm_config_prefer_offline: 'true' },
          },
        );
        if (result.status !== 0) fail(`${name}: RUN ${step.body} exited with ${result.status}`);
      }
    }
    final = { stage, rootfs, workdir, env };
  }
  return { roots, final };
}

function baseEnv() {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const name of ['npm_config_cache', 'npm_config_registry', 'TMPDIR'])
    if (process.env[name]) env[name] = process.env[name];
  return env;
}

// ---------------------------------------------------------------------------------------------
// Probes: the same for a container and for the scratch run.

async function probe({ gatewayOrigin, simUrl, apiKey, manifest, healthcheck }) {
  await waitFor(async () => (await fetch(`${gatewayOrigin}/healthz`)).ok, '/healthz answers 200');
  log('/healthz: 200');
  if (healthcheck) {
    const result = spawnSync(healthcheck.command[0], healthcheck.command.slice(1), {
      env: healthcheck.env,
      timeout: 10_000,
    });
    if (result.status !== 0) fail(`the HEALTHCHECK command exited with ${result.status}`);
    log('HEALTHCHECK command: exit 0');
  }
  const update = manifest.operations.find((o) => o.name === 'UpdateCampaigns');
  if (!update) fail('no UpdateCampaigns operation in the trusted documents manifest');
  const listing = await fetch(`${simUrl}/marketing/v3/campaigns/?limit=2`, {
    headers: { authorization: `Bearer ${SIM_TOKEN}` },
  });
  const ids = (await listing.json()).results.map((c) => c.id);
  const graphql = (body, headers = { 'x-api-key': apiKey }) =>
    fetch(`${gatewayOrigin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  const anonymous = await graphql({ documentId: update.id, variables: { inputs: [] } }, {});
  if (anonymous.status !== 401) fail(`without an API key: HTTP ${anonymous.status}, not 401`);
  const arbitrary = await graphql({ query: '{ __typename }' });
  const arbitraryBody = await arbitrary.json();
  if (
    arbitrary.status !== 400 ||
    arbitraryBody.errors?.[0]?.extensions?.code !== 'TRUSTED_DOCUMENT_REQUIRED'
  )
    fail(`an arbitrary document was not refused: ${JSON.stringify(arbitraryBody)}`);
  log('production: no key → 401, an arbitrary document → TRUSTED_DOCUMENT_REQUIRED');

  const note = `check-dockerfile ${new Date().toISOString()}`;
  const response = await graphql({
    documentId: update.id,
    variables: {
      inputs: ids.map((id) => ({ id, properties: [{ name: 'hs_notes', value: note }] })),
    },
  });
  const body = await response.json();
  const payload = body.data?.updateCampaigns;
  if (
    response.status !== 200 ||
    payload?.status !== 'COMPLETE' ||
    payload.numErrors !== 0 ||
    payload.results.length !== ids.length
  )
    fail(`the UpdateCampaigns mutation failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  const check = await fetch(`${simUrl}/marketing/v3/campaigns/${ids[0]}?properties=hs_notes`, {
    headers: { authorization: `Bearer ${SIM_TOKEN}` },
  });
  const stored = (await check.json()).properties?.hs_notes;
  if (stored !== note) fail(`the simulator does not hold the update (hs_notes=${stored})`);
  log(
    `UpdateCampaigns (trusted document, API key): COMPLETE, ${ids.length} campaigns updated in the simulator`,
  );
}

async function waitFor(condition, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function startProcess(command, args, options, readyPattern, what) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const ready = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk.toString('utf8');
      const match = readyPattern.exec(output);
      if (match) resolve(match);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`${what} did not start in 30 s:\n${output}`)), 30_000);
  });
  return { child, ready, exited, output: () => output };
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function fail(message) {
  throw new Error(message);
}

function apiKeyEnv() {
  const apiKey = randomBytes(24).toString('hex');
  const hash = createHash('sha256').update(apiKey).digest('hex');
  return { apiKey, GATEWAY_API_KEYS: `check:${hash}:campaigns:read campaigns:write` };
}

function dockerAvailable() {
  if (forceScratch) return false;
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return result.status === 0;
}

// ---------------------------------------------------------------------------------------------

async function checkWithDocker(stages, compose) {
  const tag = 'campaigns-gateway:check';
  const buildTag = 'campaigns-gateway-build:check';
  log('docker build');
  execFileSync('docker', ['build', '-t', tag, root], { stdio: 'inherit' });
  execFileSync('docker', ['build', '--target', compose.simTarget, '-t', buildTag, root], {
    stdio: 'inherit',
  });
  const simPort = await freePort();
  const port = await freePort();
  const names = [`check-sim-${process.pid}`, `check-gateway-${process.pid}`];
  const { apiKey, GATEWAY_API_KEYS } = apiKeyEnv();
  try {
    const simArgs = compose.simArgs.map((arg, i, all) =>
      all[i - 1] === '--port' ? String(simPort) : arg,
    );
    execFileSync('docker', [
      'run',
      '-d',
      '--rm',
      '--name',
      names[0],
      '--network',
      'host',
      buildTag,
      'node',
      ...simArgs,
    ]);
    const simUrl = `http://127.0.0.1:${simPort}`;
    await waitFor(async () => (await fetch(`${simUrl}/__sim/stats`)).ok, 'the simulator answers');
    const env = {
      PORT: port,
      HOST: '127.0.0.1',
      HUBSPOT_TOKEN: SIM_TOKEN,
      HUBSPOT_BASE_URL: simUrl,
      AUTH_MODE: 'api-key',
      GATEWAY_API_KEYS,
      LOG_LEVEL: 'warn',
    };
    execFileSync('docker', [
      'run',
      '-d',
      '--rm',
      '--name',
      names[1],
      '--network',
      'host',
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      tag,
    ]);
    const manifest = JSON.parse(
      execFileSync(
        'docker',
        ['run', '--rm', tag, 'cat', 'apps/gateway/operations/trusted-documents.json'],
        { encoding: 'utf8' },
      ),
    );
    await probe({ gatewayOrigin: `http://127.0.0.1:${port}`, simUrl, apiKey, manifest });
    await waitFor(
      () =>
        execFileSync('docker', ['inspect', '--format', '{{.State.Health.Status}}', names[1]], {
          encoding: 'utf8',
        }).trim() === 'healthy',
      'docker reports the container healthy',
      60_000,
    );
    log('docker: container healthy');
  } finally {
    for (const name of names) spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  }
}

async function checkInScratch(stages, compose) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'check-dockerfile-'));
  log(`no Docker engine: running the Dockerfile's instructions in ${scratch}`);
  try {
    const { roots, final } = runScratch(stages, scratch);
    const runtimeModules = path.join(final.workdir, 'node_modules');
    const devOnly = [
      '@campaigns/hubspot-sim',
      '@campaigns/openapi',
      'tsx',
      'typescript',
      'vitest',
      'nx',
    ].filter((name) => existsSync(path.join(runtimeModules, name)));
    if (devOnly.length > 0)
      fail(`the runtime stage holds development packages: ${devOnly.join(', ')}`);
    log('runtime stage: production dependencies only (no simulator, tsx, typescript, vitest, nx)');

    const simStage = stages.find((s) => s.name === compose.simTarget) ?? fail('no simulator stage');
    const simWorkdir = path.join(
      roots.get(simStage.name),
      simStage.steps.filter((s) => s.keyword === 'WORKDIR').at(-1)?.body ?? '/',
    );
    const sim = startProcess(
      process.execPath,
      compose.simArgs,
      { cwd: simWorkdir, env: baseEnv() },
      /listening on (http:\/\/\S+)/,
      `the simulator (compose.yaml's command in the ${simStage.name} stage)`,
    );
    const simUrl = (await sim.ready)[1];
    log(`simulator (compose.yaml: node ${compose.simArgs.join(' ')}): ${simUrl}`);

    const port = await freePort();
    const { apiKey, GATEWAY_API_KEYS } = apiKeyEnv();
    const env = {
      ...baseEnv(),
      ...final.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      HUBSPOT_TOKEN: SIM_TOKEN,
      HUBSPOT_BASE_URL: simUrl,
      AUTH_MODE: 'api-key',
      GATEWAY_API_KEYS,
      LOG_LEVEL: 'warn',
    };
    const cmd = final.stage.steps.filter((s) => s.keyword === 'CMD').at(-1).exec;
    log(`gateway: ${cmd.join(' ')} (NODE_ENV=${env.NODE_ENV})`);
    const gateway = startProcess(
      cmd[0] === 'node' ? process.execPath : cmd[0],
      cmd.slice(1),
      { cwd: final.workdir, env },
      /GraphQL gateway ready: (\S+)/,
      'the gateway (runtime stage)',
    );
    await gateway.ready;
    const healthcheck = final.stage.steps.find((s) => s.keyword === 'HEALTHCHECK').exec;
    await probe({
      gatewayOrigin: `http://127.0.0.1:${port}`,
      simUrl,
      apiKey,
      manifest: JSON.parse(
        readFileSync(
          path.join(final.workdir, 'apps/gateway/operations/trusted-documents.json'),
          'utf8',
        ),
      ),
      healthcheck: {
        command:
          healthcheck[0] === 'node' ? [process.execPath, ...healthcheck.slice(1)] : healthcheck,
        env,
      },
    });
    gateway.child.kill('SIGTERM');
    const code = await gateway.exited;
    if (code !== 0) fail(`the gateway exited with ${code} on SIGTERM:\n${gateway.output()}`);
    log('gateway: drained and exited 0 on SIGTERM');
    sim.child.kill('SIGTERM');
    await sim.exited;
  } finally {
    if (keep) log(`kept ${scratch}`);
    // rm is several times faster than rmSync on a few hundred MB of node_modules.
    else if (spawnSync('rm', ['-rf', scratch]).status !== 0)
      rmSync(scratch, { recursive: true, force: true });
  }
}

const stages = parseDockerfile(readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
try {
  requireStatic(stages);
  const compose = readCompose(stages);
  if (dockerAvailable()) await checkWithDocker(stages, compose);
  else await checkInScratch(stages, compose);
  log('Dockerfile OK');
} catch (error) {
  console.error(`[check-dockerfile] FAILED: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}
