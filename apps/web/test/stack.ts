// What the browser tests drive: the page as built for production, served by `vite preview`,
// which forwards /graphql and /graphql/stream to a real gateway on a real HubSpot simulator,
// all on 127.0.0.1. The gateway runs as in production where it matters here: trusted documents
// only (the page sends documents by id), CSRF prevention on, the HubSpot token only in the gateway.
// startProductionStack is the other shape: the page on an origin of its own with no proxy, calling
// the gateway's absolute URL with a JWT (AUTH_MODE=jwt, CORS_ORIGINS = the page's origin).
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, loadConfig, type Gateway } from '@campaigns/gateway';
import { CAMPAIGN_SCOPES, startHubSpotSim, type HubSpotSim } from '@campaigns/hubspot-sim';
import { startJwtIssuer, type JwtIssuer } from '@campaigns/testing';
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

/** The simulator the browser tests run against: `campaigns` campaigns, HUBSPOT_TOKEN accepted. */
function startSim(campaigns: number): Promise<HubSpotSim> {
  return startHubSpotSim({
    campaigns,
    seed: 13,
    tokens: [{ token: HUBSPOT_TOKEN, scopes: Object.values(CAMPAIGN_SCOPES) }],
  });
}

/**
 * A gateway in front of `sim` as the browser tests run it: trusted documents only, CSRF
 * prevention on (the gateway always has it), the HubSpot token only here; `env` on top (AUTH_MODE,
 * CORS_ORIGINS, JWT_*).
 */
function startGateway(sim: HubSpotSim, env: Record<string, string>): Promise<Gateway> {
  return createGateway(
    loadConfig({
      PORT: '0',
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      AUDIT_LOG: 'off',
      HUBSPOT_TOKEN,
      HUBSPOT_BASE_URL: sim.url,
      ALLOW_ARBITRARY_DOCUMENTS: 'false',
      ...env,
    }),
    { defaultMetrics: false },
  );
}

/** Starts the simulator, the gateway and the preview of the page built in `outDir`. */
export async function startWebStack(outDir: string, campaigns = 300): Promise<WebStack> {
  const sim = await startSim(campaigns);
  let gateway: Gateway | undefined;
  let server: PreviewServer | undefined;
  try {
    gateway = await startGateway(sim, { AUTH_MODE: 'none' });
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

/** What the host page hands the editor (window.campaignsEditor), changed by a test between pages. */
export interface HostSettings {
  /** The gateway's absolute GraphQL URL. */
  endpoint: string;
  /** What getAccessToken returns. */
  token: string;
}

/** The host's script: window.campaignsEditor, and a count of getAccessToken's calls. */
export function hostScript(settings: HostSettings): string {
  return [
    'window.accessTokenCalls = 0;',
    'window.campaignsEditor = {',
    `  endpoint: ${JSON.stringify(settings.endpoint)},`,
    `  getAccessToken: function () { window.accessTokenCalls++; return ${JSON.stringify(settings.token)}; },`,
    '};',
  ].join('\n');
}

export interface PageHost {
  /** The page, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  origin: string;
  /** Read on each request of `/host.js`. */
  settings: HostSettings;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the page built in `outDir` as a plain static host would, on its own origin and with no
 * route to the gateway: its `index.html` loads `/host.js` (the host app's `window.campaignsEditor`,
 * from `settings`) before the bundle.
 */
export async function hostPage(outDir: string, settings: HostSettings): Promise<PageHost> {
  const server = createServer((req, res) => {
    void (async () => {
      const pathname = new URL(req.url ?? '/', 'http://host').pathname;
      const headers = { 'cache-control': 'no-store' };
      if (req.method !== 'GET') return res.writeHead(405, headers).end();
      if (pathname === '/host.js')
        return res
          .writeHead(200, { ...headers, 'content-type': CONTENT_TYPES['.js']! })
          .end(hostScript(host.settings));
      const file = path.join(outDir, pathname === '/' ? 'index.html' : pathname);
      if (!file.startsWith(outDir + path.sep)) return res.writeHead(404, headers).end();
      let body: string | Buffer;
      try {
        body = await readFile(file);
      } catch {
        return res.writeHead(404, headers).end();
      }
      if (file.endsWith('index.html'))
        body = body
          .toString('utf8')
          .replace('<head>', '<head>\n    <script src="/host.js"></script>');
      res
        .writeHead(200, {
          ...headers,
          'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        })
        .end(body);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const host: PageHost = {
    url: `${origin}/`,
    origin,
    settings,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return host;
}

export interface ProductionStack {
  /** The page on its own origin (see hostPage), pointed at `gateway` with a valid token. */
  page: PageHost;
  sim: HubSpotSim;
  /** The identity provider whose JWTs the gateways accept. */
  issuer: JwtIssuer;
  /** AUTH_MODE=jwt against `issuer`, CORS_ORIGINS = the page's origin only. */
  gateway: Gateway;
  /** Another such gateway on the same simulator, allowing `corsOrigins` (closed with the stack). */
  startGateway(corsOrigins: string): Promise<Gateway>;
  close(): Promise<void>;
}

/** A caller's JWT from `issuer` with both of the gateway's scopes; `claims` on top. */
export function callerToken(issuer: JwtIssuer, claims: Record<string, unknown> = {}): string {
  return issuer.sign({ scope: 'campaigns:read campaigns:write', ...claims });
}

/**
 * The production shape: the simulator, a JWKS issuer, a gateway with AUTH_MODE=jwt and
 * CORS_ORIGINS = the page's origin, and the page built in `outDir` on another origin (no proxy),
 * whose host script sends the issuer's JWT to the gateway's absolute URL. All on 127.0.0.1.
 */
export async function startProductionStack(
  outDir: string,
  campaigns = 120,
): Promise<ProductionStack> {
  const opened: Array<{ close(): Promise<void> }> = [];
  const closeAll = async () => {
    for (const server of opened.reverse()) await server.close();
  };
  try {
    const sim = await startSim(campaigns);
    opened.push(sim);
    const issuer = await startJwtIssuer({ audience: 'campaigns-gateway' });
    opened.push(issuer);
    const page = await hostPage(outDir, { endpoint: '', token: callerToken(issuer) });
    opened.push(page);
    const jwtGateway = async (corsOrigins: string) => {
      const gateway = await startGateway(sim, {
        AUTH_MODE: 'jwt',
        JWT_JWKS_URL: issuer.jwksUrl,
        JWT_ISSUER: issuer.issuer,
        JWT_AUDIENCE: issuer.audience,
        CORS_ORIGINS: corsOrigins,
      });
      opened.push(gateway);
      return gateway;
    };
    const gateway = await jwtGateway(page.origin);
    page.settings.endpoint = gateway.url;
    return { page, sim, issuer, gateway, startGateway: jwtGateway, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

export async function removeBuild(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
}
