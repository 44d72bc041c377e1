// Runs the gateway as a process: load the configuration, start the gateway, print how to call it,
// and drain on SIGTERM/SIGINT. `main.ts` (production) calls it as is; `npm start`
// (tools/scripts/start.mjs) passes `embedHubSpot` to run on the simulator when no HubSpot
// credential is configured, so the simulator stays out of the production code path.
import { ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { startBanner } from './banner.js';
import { createGateway, type GatewayDeps } from './server.js';

/** A HubSpot started beside the gateway for development (the simulator). */
export interface EmbeddedHubSpot {
  baseUrl: string;
  token: string;
  /** Campaign ids the banner's curl example updates. */
  exampleIds: string[];
  close(): Promise<void>;
}

export interface RunGatewayOptions {
  /** The environment to read the settings from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /**
   * Called when no HubSpot credential is configured (outside production): starts a HubSpot for
   * the gateway to use. Without it, such a configuration stops the start.
   */
  embedHubSpot?: (config: GatewayConfig) => Promise<EmbeddedHubSpot>;
}

export const EX_CONFIG = 78;

export async function runGateway(options: RunGatewayOptions = {}): Promise<void> {
  try {
    await run(options);
  } catch (error) {
    console.error(
      `gateway failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
}

async function run(options: RunGatewayOptions): Promise<void> {
  let config;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      console.error('See apps/gateway/README.md for every setting.');
      process.exit(EX_CONFIG);
    }
    throw error;
  }

  const deps: GatewayDeps = {};
  let embedded: EmbeddedHubSpot | undefined;
  if (config.hubspot.credentials.kind === 'simulator') {
    if (!options.embedHubSpot) {
      console.error(
        'no HubSpot credential configured: set HUBSPOT_TOKEN, HUBSPOT_TOKEN_FILE or HUBSPOT_CLIENT_ID/SECRET/REFRESH_TOKEN (`npm start` runs the gateway on the embedded HubSpot simulator for development).',
      );
      console.error('See apps/gateway/README.md for every setting.');
      process.exit(EX_CONFIG);
    }
    embedded = await options.embedHubSpot(config);
    deps.hubspot = { baseUrl: embedded.baseUrl, token: embedded.token };
  }

  const gateway = await createGateway(config, deps);
  process.stdout.write(
    `${startBanner({ url: gateway.url, origin: gateway.origin, metricsOrigin: gateway.metricsOrigin, authNone: config.auth.none, ...(embedded ? { simulator: { url: embedded.baseUrl, ids: embedded.exampleIds } } : {}) })}\n`,
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
      await embedded?.close();
      process.exit(0);
    } catch (error) {
      gateway.logger.error({ err: error }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}
