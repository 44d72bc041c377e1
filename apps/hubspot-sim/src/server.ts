// startHubSpotSim: one independent simulator per call – an HTTP server on 127.0.0.1, its own
// store, limiter, faults and stats – that tests, benchmarks and `npm start` talk to.
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_PREFIX, handleAdminCall } from './admin.js';
import { TokenRegistry } from './auth.js';
import { FaultPlan, Refusals } from './faults.js';
import { OPERATION_HANDLERS } from './handlers.js';
import { failInternally, readBody, writeAdminAnswer } from './http.js';
import {
  resolveSimOptions,
  SimConfigError,
  type HubSpotSimOptions,
  type ScriptedFault,
  type SimFaults,
  type SimLatency,
  type SimRefusal,
} from './options.js';
import { answerApiCall, type PipelineParts } from './pipeline.js';
import { createSeededRandom, deriveSeed } from './random.js';
import { DEMO_BUSINESS_UNIT_IDS, DEMO_INT32_BUSINESS_UNIT_IDS } from './seed.js';
import { RateLimiter } from './rate-limit.js';
import { routeKeyOf } from './routes.js';
import { loadCampaignsSpec, specUrl, type CampaignsSpec } from './spec.js';
import { StatsRecorder, type SimStats } from './stats.js';
import { CampaignStore } from './store.js';
import { createSpecValidator, type SpecValidator } from './validation.js';

export interface HubSpotSim {
  /** The API host, e.g. `http://127.0.0.1:PORT`; clients use it as their base URL. */
  url: string;
  /** Stops listening and ends hung requests and open connections. */
  close(): Promise<void>;
  /** The campaigns as the server holds them now. */
  store: CampaignStore;
  stats(): SimStats;
  resetStats(): void;
  setFaults(faults: SimFaults): void;
  setLatency(latency: SimLatency | undefined): void;
  /** The next API calls (not `/__sim`) answer these, in order, before normal handling. */
  script(...faults: ScriptedFault[]): void;
  /** Adds `n` demo campaigns and returns their ids. */
  seedCampaigns(n: number): string[];
  /**
   * Batch updates naming any of `ids` answer 207 (200 with errors folded in, for a spec without a
   * 207) with an item error `{ category, message }` for them and apply the rest; after `times` such batches (default: never) an id is accepted.
   */
  refuse(ids: readonly string[], refusal: SimRefusal): void;
  /** Forgets every refusal. */
  clearRefusals(): void;
  /**
   * Operations the spec declares that the simulator does not model (`POST /{campaignGuid}/x`):
   * they are routed, authenticated and validated like the others, then answer 501 `NOT_IMPLEMENTED`.
   */
  notImplemented: string[];
  /**
   * The API roots served (`['/marketing/campaigns/2026-03']`), from the spec; calls under another
   * version's root answer 404. Undefined for a spec that names no root: every version's is served.
   */
  apiRoots: string[] | undefined;
}

/** The most campaigns one `seedCampaigns` call adds; a guard against a typo that eats memory. */
export const MAX_SEED_COUNT = 1_000_000;

export async function startHubSpotSim(options: HubSpotSimOptions = {}): Promise<HubSpotSim> {
  const settings = resolveSimOptions(options);
  if (settings.spec !== undefined && settings.apiVersion !== undefined) {
    throw new SimConfigError('give spec or apiVersion, not both: spec is the file to serve');
  }
  const { spec, validator } = compiledContract(specOf(settings));
  const notImplemented = spec.operations
    .map((o) => routeKeyOf(o.method, o.path))
    .filter((key) => !OPERATION_HANDLERS[key]);

  const store = new CampaignStore({
    random: createSeededRandom(deriveSeed(settings.seed, 'data')),
    // Business-unit ids that fit the spec served: HubSpot's v3 ids pass 2^31, int32 ones cannot.
    businessUnitIds:
      spec.businessUnitIdFormat === 'int32' ? DEMO_INT32_BUSINESS_UNIT_IDS : DEMO_BUSINESS_UNIT_IDS,
  });
  store.seed(settings.campaigns);
  const faults = new FaultPlan(
    createSeededRandom(deriveSeed(settings.seed, 'faults')),
    settings.faults,
    settings.latency,
  );
  const stats = new StatsRecorder();
  const refusals = new Refusals();
  const closing = new AbortController();
  // Every request waiting out its latency listens for the close: more than 10 is no leak.
  setMaxListeners(0, closing.signal);
  const parts: PipelineParts = {
    spec,
    validator,
    tokens: new TokenRegistry(settings.tokens),
    limiter: settings.rateLimit && new RateLimiter(settings.rateLimit),
    faults,
    stats,
    handlerContext: {
      store,
      order: createSeededRandom(deriveSeed(settings.seed, 'order')),
      validationErrorsNameIds: settings.validationErrorsNameIds,
      refusals,
    },
    closing: closing.signal,
  };

  const sim: Omit<HubSpotSim, 'url' | 'close'> = {
    store,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setFaults: (next) => faults.setFaults(next),
    setLatency: (next) => faults.setLatency(next),
    script: (...next) => faults.script(next),
    seedCampaigns: (n) => {
      if (!Number.isInteger(n) || n < 0 || n > MAX_SEED_COUNT) {
        throw new SimConfigError(
          `the number of campaigns to seed must be an integer from 0 to ${MAX_SEED_COUNT}, got ${JSON.stringify(n)}`,
        );
      }
      return store.seed(n);
    },
    refuse: (ids, refusal) => refusals.refuse(ids, refusal),
    clearRefusals: () => refusals.clear(),
    notImplemented,
    apiRoots: spec.apiRoots && [...spec.apiRoots],
  };

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => failInternally(res, error));
  });
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://sim').pathname;
    if (pathname.startsWith(ADMIN_PREFIX)) {
      const answer = handleAdminCall(req.method ?? 'GET', pathname, await readBody(req), sim);
      return writeAdminAnswer(res, answer);
    }
    stats.requestStarted();
    res.once('close', () => stats.requestEnded());
    await answerApiCall(req, res, await readBody(req), parts);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      closing.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    }));

  return { ...sim, url: `http://${host}:${port}`, close };
}

/** The spec file to serve; a version without a folder in `@campaigns/openapi` is a config error. */
function specOf(settings: { spec?: string | URL; apiVersion?: string }): URL {
  try {
    return specUrl(settings.spec, settings.apiVersion);
  } catch (error) {
    throw new SimConfigError(`apiVersion: ${(error as Error).message}`);
  }
}

const contracts = new Map<string, { spec: CampaignsSpec; validator: SpecValidator }>();

/** A spec file is read and compiled once per process, however many simulators serve it. */
function compiledContract(url: URL): { spec: CampaignsSpec; validator: SpecValidator } {
  let contract = contracts.get(url.href);
  if (!contract) {
    const spec = loadCampaignsSpec(url);
    contract = { spec, validator: createSpecValidator(spec) };
    contracts.set(url.href, contract);
  }
  return contract;
}
