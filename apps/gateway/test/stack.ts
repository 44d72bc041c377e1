// A gateway in front of a real simulator, both on 127.0.0.1, called over HTTP with a real
// GraphQL client. Every log line and every response body is captured for the token scans.
// Requests send the typed operations of @campaigns/graphql (what frontends send, and what the
// gateway's trusted documents manifest holds): `client().request(Document, variables)` checks the
// variables and types the answer. Hand-written documents are for tests about other documents.
import type { ApiVersion } from '@campaigns/hubspot-client';
import {
  CAMPAIGN_SCOPES,
  loadCampaignsSpec,
  servedApiVersions,
  specUrl,
  startHubSpotSim,
  type HubSpotSim,
  type HubSpotSimOptions,
} from '@campaigns/hubspot-sim';
import type {
  CampaignFieldsFragment,
  CampaignUpdateInput,
  TypedDocumentNode,
} from '@campaigns/graphql';
import { print } from 'graphql';
import { ClientError, GraphQLClient } from 'graphql-request';
import { hashApiKey } from '../src/auth.js';
import { loadConfig } from '../src/config.js';
import { createGateway, type Gateway, type GatewayDeps } from '../src/server.js';

/** A private-app-shaped token, long and unique, so a scan for it cannot miss or misfire. */
export const HUBSPOT_TOKEN = 'pat-na1-7f3c2e1d-9b8a-4c6d-a5e4-0123456789ab';
export const ALL_SCOPES = Object.values(CAMPAIGN_SCOPES);

/** One GATEWAY_API_KEYS entry: the caller `name`, the key's hash, and its scopes (both by default). */
export function apiKeyEntry(
  name: string,
  key: string,
  scopes = 'campaigns:read campaigns:write',
): string {
  return `${name}:${hashApiKey(key)}:${scopes}`;
}

export interface Stack {
  sim: HubSpotSim;
  gateway: Gateway;
  /** Every JSON log line the gateway wrote. */
  logs: string[];
  /** Every response body the gateway sent through `client()` or `http()`. */
  responses: string[];
  /** A GraphQL client with these extra headers. */
  client(headers?: Record<string, string>): GraphQLClient;
  /** A raw HTTP call to the gateway (path relative to its origin). */
  http(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** The API versions of openapi/'s folders: the HubSpot-facing e2e tests run on each. */
export const API_VERSIONS: ApiVersion[] = servedApiVersions();

/** What a version's spec says of the answers the e2e tests check. */
export function specFacts(version: ApiVersion): {
  /** The status of a batch answer naming item errors: 207 if the spec declares one, else 200. */
  partialStatus: number;
  businessUnitIdFormat: string | undefined;
} {
  const spec = loadCampaignsSpec(specUrl(undefined, version));
  const update = spec.operations.find((o) => o.method === 'POST' && o.path === '/batch/update');
  return {
    partialStatus: update?.responses['207'] ? 207 : 200,
    businessUnitIdFormat: spec.businessUnitIdFormat,
  };
}

export interface StackOptions {
  /**
   * Settings on top of the test defaults (AUTH_MODE=none, ALLOW_ARBITRARY_DOCUMENTS=true, the
   * sim's URL and HUBSPOT_TOKEN). HUBSPOT_API_VERSION also picks the spec the sim serves.
   */
  env?: Record<string, string | undefined>;
  sim?: HubSpotSimOptions;
  deps?: GatewayDeps;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const apiVersion = options.env?.HUBSPOT_API_VERSION;
  const sim = await startHubSpotSim({
    campaigns: 150,
    seed: 7,
    tokens: [{ token: HUBSPOT_TOKEN, scopes: ALL_SCOPES }],
    ...(apiVersion && options.sim?.spec === undefined ? { apiVersion } : {}),
    ...options.sim,
  });
  const logs: string[] = [];
  const responses: string[] = [];
  let gateway: Gateway;
  try {
    const config = loadConfig({
      PORT: '0',
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      AUTH_MODE: 'none',
      HUBSPOT_TOKEN,
      HUBSPOT_BASE_URL: sim.url,
      // Tests send their own documents, in production mode too; documents.e2e.test.ts covers the
      // production default (trusted documents only) by passing ALLOW_ARBITRARY_DOCUMENTS: undefined.
      ALLOW_ARBITRARY_DOCUMENTS: 'true',
      ...options.env,
    });
    gateway = await createGateway(config, {
      logDestination: { write: (line: string) => void logs.push(line) },
      defaultMetrics: false,
      ...options.deps,
    });
  } catch (error) {
    await sim.close();
    throw error;
  }
  const capturing: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    responses.push(await response.clone().text());
    return response;
  };
  return {
    sim,
    gateway,
    logs,
    responses,
    client: (headers = {}) => new GraphQLClient(gateway.url, { headers, fetch: capturing }),
    http: (path, init) => capturing(`${gateway.origin}${path}`, init),
    close: async () => {
      const stats = sim.stats();
      await gateway.close();
      await sim.close();
      assertSpokeServedVersion(sim, stats.byApiRoot);
    },
  };
}

/**
 * Fails when the gateway called HubSpot under an API root the simulator does not serve: a gateway
 * speaking v3 to a 2026-03 simulator would get only 404s, which a test about failures could take
 * for the failures it expects.
 */
export function assertSpokeServedVersion(
  sim: Pick<HubSpotSim, 'apiRoots'>,
  byApiRoot: Record<string, number>,
): void {
  const served = sim.apiRoots;
  if (served === undefined) return;
  const other = Object.keys(byApiRoot).filter((root) => !served.includes(root));
  if (other.length > 0)
    throw new Error(
      `the gateway called HubSpot under ${other.join(', ')}, the simulator serves ${served.join(', ')}`,
    );
}

/**
 * A HubSpot (the stack's simulator behind) whose batch update answers 200 with a malformed body:
 * the engine throws, as it would on a bug.
 */
export function malformedUpdateAnswer(): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    if (request.method === 'POST' && request.url.endsWith('/batch/update'))
      return Response.json({ status: 'COMPLETE', results: 'not-a-list' });
    return fetch(request);
  };
}

/** The GraphQL errors of a failed request (throws when the request did not fail). */
export async function graphqlErrors(promise: Promise<unknown>): Promise<{
  status: number;
  errors: Array<{ message: string; extensions?: Record<string, unknown> }>;
}> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClientError) {
      return {
        status: error.response.status,
        errors: (error.response.errors ?? []) as unknown as Array<{
          message: string;
          extensions?: Record<string, unknown>;
        }>,
      };
    }
    throw error;
  }
  throw new Error('expected the request to fail with GraphQL errors');
}

/**
 * The body of a POST to /graphql that sends `document` as a client does (its printed text, the
 * text the trusted documents manifest holds), its variables checked against the operation's.
 */
export function graphqlBody<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): string {
  return JSON.stringify({ query: print(document), variables });
}

/** One property of a campaign as the gateway returns it, or null when HubSpot did not. */
export function propertyOf(campaign: CampaignFieldsFragment, name: string): string | null {
  return campaign.properties.find((p) => p.name === name)?.value ?? null;
}

/**
 * Inputs as the schema types them, from a value that may not fit: tests also send what the schema
 * (or the gateway's own checks) must refuse.
 */
export function unchecked(inputs: unknown): CampaignUpdateInput[] {
  return inputs as CampaignUpdateInput[];
}

export function notesInputs(
  ids: readonly string[],
  note: (i: number) => string = (i) => `note ${i}`,
): CampaignUpdateInput[] {
  return ids.map((id, i) => ({ id, properties: [{ name: 'hs_notes', value: note(i) }] }));
}

/** Waits (polling, no fixed sleeps in assertions) until `condition` holds. */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
