// Starts simulators for a test file and talks to them over real HTTP, the way clients do.
import type { HubSpotErrorBody } from '@campaigns/hubspot-client';
import {
  DEFAULT_SIM_TOKEN,
  startHubSpotSim,
  type HubSpotSim,
  type HubSpotSimOptions,
} from '../src/index.js';

export const V3 = '/marketing/v3/campaigns';
export const DATED = '/marketing/campaigns/2026-03';

const running: HubSpotSim[] = [];

/** A sim with a small demo account; close them all with `closeSims` in `afterEach`. */
export async function startSim(options: HubSpotSimOptions = {}): Promise<HubSpotSim> {
  const sim = await startHubSpotSim({ campaigns: 20, ...options });
  running.push(sim);
  return sim;
}

export async function closeSims(): Promise<void> {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
}

export interface SimAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  body?: unknown;
  /** Bearer token; `null` sends no Authorization header. Default `DEFAULT_SIM_TOKEN`. */
  token?: string | null;
  /** API root. Default v3. */
  root?: string;
  headers?: Record<string, string>;
}

/** One API call; `path` is relative to the API root (`/batch/update`). Bodies are parsed as JSON when they are JSON. */
export async function call<T = HubSpotErrorBody>(
  sim: HubSpotSim,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<SimAnswer<T>> {
  const token = options.token === undefined ? DEFAULT_SIM_TOKEN : options.token;
  const response = await fetch(`${sim.url}${options.root ?? V3}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
  return {
    status: response.status,
    headers: response.headers,
    body: (isJson ? JSON.parse(text) : text) as T,
  };
}

/** Calls an admin endpoint (`/__sim/...`); no token. */
export async function admin<T = unknown>(
  sim: HubSpotSim,
  method: string,
  path: string,
  body?: unknown,
): Promise<SimAnswer<T>> {
  const response = await fetch(`${sim.url}/__sim${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}

/** Ids of the sim's campaigns, oldest first. */
export function campaignIds(sim: HubSpotSim, count?: number): string[] {
  return sim.store
    .list()
    .slice(0, count)
    .map((c) => c.id);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
