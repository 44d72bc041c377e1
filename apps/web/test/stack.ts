// What the browser tests drive: the page as built for production, served by `vite preview`,
// which forwards /graphql and /graphql/stream to a real gateway on a real HubSpot simulator,
// all on 127.0.0.1. The gateway runs as in production where it matters here: trusted documents
// only (the page sends documents by id), CSRF prevention on, the HubSpot token only in the gateway.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, loadConfig, type Gateway } from '@campaigns/gateway';
import { CAMPAIGN_SCOPES, startHubSpotSim, type HubSpotSim } from '@campaigns/hubspot-sim';
import { build, preview, type PreviewServer } from 'vite';
import { gatewayProxy } from '../vite.config';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A private-app-shaped token, unique, so a scan for it cannot miss or misfire. */
export const HUBSPOT_TOKEN = 'pat-na1-3c1f0e9a-web0-4b7d-8e2f-5a6b7c8d9e0f';

/** What HubSpot answers for a campaign the tests tell it to refuse (`sim.refuse`). */
export const REFUSAL = {
  category: 'VALIDATION_ERROR',
  message: 'This campaign is locked for editing while it is in review',
};

/** Builds the page (as `vite build` does) into a scratch folder; returns the folder. */
export async function buildPage(): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'campaigns-web-'));
  // Vitest sets NODE_ENV=test, which Vite would honour with React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: WEB_ROOT,
      configFile: path.join(WEB_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

export interface WebStack {
  /** The page, e.g. `http://127.0.0.1:41234/`. */
  pageUrl: string;
  pageOrigin: string;
  sim: HubSpotSim;
  gateway: Gateway;
  close(): Promise<void>;
}

/** Starts the simulator, the gateway and the preview of the page built in `outDir`. */
export async function startWebStack(outDir: string, campaigns = 300): Promise<WebStack> {
  const sim = await startHubSpotSim({
    campaigns,
    seed: 13,
    tokens: [{ token: HUBSPOT_TOKEN, scopes: Object.values(CAMPAIGN_SCOPES) }],
  });
  let gateway: Gateway | undefined;
  let server: PreviewServer | undefined;
  try {
    gateway = await createGateway(
      loadConfig({
        PORT: '0',
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        AUDIT_LOG: 'off',
        AUTH_MODE: 'none',
        HUBSPOT_TOKEN,
        HUBSPOT_BASE_URL: sim.url,
        ALLOW_ARBITRARY_DOCUMENTS: 'false',
      }),
      { defaultMetrics: false },
    );
    server = await preview({
      root: WEB_ROOT,
      configFile: path.join(WEB_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir },
      preview: { port: 0, strictPort: false, proxy: gatewayProxy(gateway.origin) },
    });
  } catch (error) {
    await gateway?.close();
    await sim.close();
    throw error;
  }
  const pageUrl = server.resolvedUrls?.local[0];
  if (!pageUrl) throw new Error('vite preview did not say where it listens');
  const previewServer = server;
  const started = gateway;
  return {
    pageUrl,
    pageOrigin: new URL(pageUrl).origin,
    sim,
    gateway: started,
    close: async () => {
      await previewServer.close();
      await started.close();
      await sim.close();
    },
  };
}

export async function removeBuild(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
}
