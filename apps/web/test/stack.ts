// What the browser tests drive: the page as built for production, served by `vite preview`,
// which forwards /graphql and /graphql/stream to a real gateway on a real HubSpot simulator,
// all on 127.0.0.1. The gateway runs as in production where it matters here: trusted documents
// only (the page sends documents by id), CSRF prevention on, the HubSpot token only in the gateway.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, loadConfig, type Gateway } from '@campaigns/gateway';
import { CAMPAIGN_SCOPES, startHubSpotSim, type HubSpotSim } from '@campaigns/hubspot-sim';
import { build, preview, type PluginOption, type PreviewServer } from 'vite';
import { gatewayProxy } from '../vite.config';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A private-app-shaped token, unique, so a scan for it cannot miss or misfire. */
export const HUBSPOT_TOKEN = 'pat-na1-3c1f0e9a-web0-4b7d-8e2f-5a6b7c8d9e0f';

/** What HubSpot answers for a campaign the tests tell it to refuse (`sim.refuse`). */
export const REFUSAL = {
  category: 'VALIDATION_ERROR',
  message: 'This campaign is locked for editing while it is in review',
};

/**
 * Builds the page (as `vite build` does) into a scratch folder; returns the folder. The build runs
 * where a careless config could pick the token up: HUBSPOT_TOKEN (and VITE_HUBSPOT_TOKEN) in the
 * process's environment and in a `.env` file of the build's envDir, so a scan of the output for
 * the token can fail. `plugins` are added to the page's (a test's planted leak).
 */
export async function buildPage(options: { plugins?: PluginOption[] } = {}): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'campaigns-web-'));
  const envDir = await mkdtemp(path.join(tmpdir(), 'campaigns-web-env-'));
  await writeFile(
    path.join(envDir, '.env'),
    `HUBSPOT_TOKEN=${HUBSPOT_TOKEN}\nVITE_HUBSPOT_TOKEN=${HUBSPOT_TOKEN}\n`,
  );
  // Vitest sets NODE_ENV=test, which Vite would honour with React's development build.
  const saved = { NODE_ENV: process.env.NODE_ENV, HUBSPOT_TOKEN: process.env.HUBSPOT_TOKEN };
  process.env.NODE_ENV = 'production';
  process.env.HUBSPOT_TOKEN = HUBSPOT_TOKEN;
  try {
    await build({
      root: WEB_ROOT,
      configFile: path.join(WEB_ROOT, 'vite.config.ts'),
      envDir,
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true },
      ...(options.plugins ? { plugins: options.plugins } : {}),
    });
  } finally {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    await rm(envDir, { recursive: true, force: true });
  }
  return outDir;
}

/** What looks like a HubSpot private-app token (`pat-<region>-<uuid-ish>`). */
const TOKEN_SHAPE = /pat-[a-z]{2,4}\d?-[0-9a-f]{4,}/;

/** Which of `texts` (name → content) hold `token`, or anything shaped like a HubSpot token. */
export function findToken(texts: Iterable<[string, string]>, token: string): string[] {
  const found: string[] = [];
  for (const [name, text] of texts)
    if (text.includes(token) || TOKEN_SHAPE.test(text)) found.push(name);
  return found;
}

/** Every file under `dir`, as name → content. */
export async function filesOf(dir: string): Promise<Array<[string, string]>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((f) => f.isFile()).map((f) => path.join(f.parentPath, f.name));
  return Promise.all(
    files.map(async (file) => [file, await readFile(file, 'utf8')] as [string, string]),
  );
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
