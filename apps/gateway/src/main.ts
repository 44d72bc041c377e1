// `npm start`: load the configuration, start the embedded HubSpot simulator when no HubSpot
// credentials are configured, start the gateway, print how to call it, and drain on SIGTERM.
import { ConfigError, loadConfig } from './config.js';
import { startBanner } from './banner.js';
import { createGateway, type GatewayDeps } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      console.error('See apps/gateway/README.md for every setting.');
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const deps: GatewayDeps = {};
  let sim: { url: string; close(): Promise<void>; ids: string[] } | undefined;
  if (config.hubspot.credentials.kind === 'simulator') {
    const { startHubSpotSim, DEFAULT_SIM_TOKEN } = await import('@campaigns/hubspot-sim');
    const started = await startHubSpotSim({
      campaigns: config.simulator.campaigns,
      seed: config.simulator.seed,
    });
    sim = {
      url: started.url,
      close: async () => started.close(),
      ids: started.store
        .list()
        .slice(0, 2)
        .map((c: { id: string }) => c.id),
    };
    deps.hubspot = { baseUrl: started.url, token: DEFAULT_SIM_TOKEN };
  }

  const gateway = await createGateway(config, deps);
  process.stdout.write(
    `${startBanner({ url: gateway.url, origin: gateway.origin, metricsOrigin: gateway.metricsOrigin, authNone: config.auth.none, ...(sim ? { simulator: { url: sim.url, ids: sim.ids } } : {}) })}\n`,
  );

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      gateway.logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    gateway.logger.info({ signal }, 'shutting down: draining in-flight requests');
    try {
      await gateway.close();
      await sim?.close();
      process.exit(0);
    } catch (error) {
      gateway.logger.error({ err: error }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

main().catch((error: unknown) => {
  console.error(
    `gateway failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
