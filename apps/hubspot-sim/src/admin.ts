// `/__sim/*`: the simulator's control panel over HTTP, for tools in other processes (a benchmark,
// curl). It needs no token, is never rate limited and never counted in the API stats.
import {
  adminMethodNotAllowed as methodNotAllowed,
  adminRouteNotFound,
  campaignNotFound,
  invalidSetting,
  type ApiAnswer,
} from './answers.js';
import {
  parseLatency,
  parseRefusalRequest,
  parseScriptedFaults,
  parseSimFaults,
  SimConfigError,
} from './options.js';
import { decodeSegment } from './routes.js';
import type { HubSpotSim } from './server.js';

export const ADMIN_PREFIX = '/__sim/';

type AdminControls = Pick<
  HubSpotSim,
  | 'store'
  | 'stats'
  | 'resetStats'
  | 'setFaults'
  | 'setLatency'
  | 'script'
  | 'seedCampaigns'
  | 'refuse'
  | 'clearRefusals'
>;

export function handleAdminCall(
  method: string,
  pathname: string,
  rawBody: string,
  sim: AdminControls,
): ApiAnswer {
  const route = pathname.slice(ADMIN_PREFIX.length);
  const campaign = /^campaigns\/([^/]+)$/.exec(route);
  try {
    if (campaign) {
      if (method !== 'GET') return methodNotAllowed('GET');
      const id = decodeSegment(campaign[1]!);
      const current = sim.store.get(id);
      return current ? { status: 200, body: current } : campaignNotFound(id);
    }
    switch (route) {
      case 'stats':
        return method === 'GET' ? { status: 200, body: sim.stats() } : methodNotAllowed('GET');
      case 'stats/reset':
        if (method !== 'POST') return methodNotAllowed('POST');
        sim.resetStats();
        return { status: 204 };
      case 'faults':
        if (method !== 'POST') return methodNotAllowed('POST');
        sim.setFaults(parseSimFaults(parseJson(rawBody)));
        return { status: 204 };
      case 'latency':
        if (method !== 'POST') return methodNotAllowed('POST');
        sim.setLatency(parseLatency(parseJson(rawBody)));
        return { status: 204 };
      case 'script':
        if (method !== 'POST') return methodNotAllowed('POST');
        sim.script(...parseScriptedFaults(parseJson(rawBody)));
        return { status: 204 };
      case 'refusals': {
        if (method !== 'POST') return methodNotAllowed('POST');
        const { ids, ...refusal } = parseRefusalRequest(parseJson(rawBody));
        sim.refuse(ids, refusal);
        return { status: 204 };
      }
      case 'refusals/clear':
        if (method !== 'POST') return methodNotAllowed('POST');
        sim.clearRefusals();
        return { status: 204 };
      case 'seed': {
        if (method !== 'POST') return methodNotAllowed('POST');
        const { count } = (parseJson(rawBody) ?? {}) as { count?: unknown };
        return { status: 201, body: { ids: sim.seedCampaigns(count as number) } };
      }
      default:
        return adminRouteNotFound(method, pathname);
    }
  } catch (error) {
    if (error instanceof SimConfigError) return invalidSetting(error.message);
    throw error;
  }
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new SimConfigError(`Invalid JSON body: ${(error as Error).message}`);
  }
}
