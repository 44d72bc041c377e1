// `npm start`: the GraphQL gateway for development, from TypeScript sources through tsx, on the
// embedded HubSpot simulator unless HubSpot credentials are configured. The embedding lives here,
// not in the gateway: production runs `node apps/gateway/dist/main.js`, which has no simulator
// (it is a devDependency of the gateway) and refuses to start without a HubSpot credential.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_CONDITION = '--conditions=@campaigns/source';

if (!process.execArgv.includes(SOURCE_CONDITION)) {
  // Re-run this file with the workspace packages resolved to their sources, compiled by tsx.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const child = spawn(
    process.execPath,
    [SOURCE_CONDITION, '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', cwd: root },
  );
  // A signal for this wrapper is for the gateway: it drains, exits, and this exits with its code.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) =>
    process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 0)),
  );
  // `npm start` runs this through `sh -c`, and npm hands a SIGTERM (or SIGINT) to that shell, which
  // dies of it without passing it on: this wrapper then finds itself orphaned, with nobody left
  // to signal it. Under npm, losing the parent is taken as the SIGTERM that killed it.
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      child.kill('SIGTERM');
    }, 250);
    watch.unref();
  }
} else {
  const { runGateway } = await import('@campaigns/gateway/run');
  await runGateway({
    // Only called when no HubSpot credential is configured (never in production: the
    // configuration refuses that).
    embedHubSpot: async (config) => {
      const { startHubSpotSim, DEFAULT_SIM_TOKEN } = await import('@campaigns/hubspot-sim');
      const sim = await startHubSpotSim({
        campaigns: config.simulator.campaigns,
        seed: config.simulator.seed,
        // The spec of the version the gateway's client speaks (HUBSPOT_API_VERSION).
        apiVersion: config.hubspot.apiVersion,
      });
      return {
        baseUrl: sim.url,
        token: DEFAULT_SIM_TOKEN,
        exampleIds: sim.store
          .list()
          .slice(0, 2)
          .map((c) => c.id),
        close: async () => sim.close(),
      };
    },
  });
  // The bulk editor (apps/web) on Vite's dev server, forwarding /graphql to the gateway above.
  const { loadConfig } = await import('@campaigns/gateway');
  const { host, port } = loadConfig(process.env).server;
  const target = ['0.0.0.0', '::', ''].includes(host) ? '127.0.0.1' : host;
  if (port === 0) {
    console.log(
      '  Bulk editor: not started (PORT=0: the gateway has no fixed address to forward to)',
    );
  } else {
    const { startEditorDevServer } = await import('../../apps/web/dev-server.ts');
    const page = await startEditorDevServer({
      gatewayOrigin: `http://${target.includes(':') ? `[${target}]` : target}:${port}`,
      port: Number(process.env.WEB_PORT ?? 5173),
    });
    console.log(`  Bulk editor (the web page): ${page.url}\n`);
  }
}
