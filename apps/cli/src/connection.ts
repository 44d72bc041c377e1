// Where a command's requests go and with which credential: HubSpot with HUBSPOT_TOKEN or
// --token-file, or the embedded simulator with --sim (with --gateway, the gateway: gateway.ts).
// The token is read here and handed to the client; it is never printed, logged or written
// anywhere (error messages name the file, never its content, the client redacts it from
// everything it throws, and secrets.ts has it for the rest).
import {
  createHubSpotClient,
  isApiVersion,
  isTypedApiVersion,
  TYPED_API_VERSIONS,
  type ApiVersion,
  type HubSpotClient,
} from '@campaigns/hubspot-client';
import { checkGatewayOptions, GATEWAY_TOKEN_ENV, type GatewayOptions } from './gateway-options.js';
import { UsageError, type CliIo } from './io.js';
import { holdSecret, readSecretFile } from './secrets.js';

export interface ConnectionOptions extends GatewayOptions {
  tokenFile?: string;
  apiVersion?: string;
  sim?: boolean;
  simCampaigns?: string;
  baseUrl?: string;
  /** `update` only: campaigns per gateway job, and rows per batch (direct). */
  jobSize?: string;
  batchRows?: string;
}

export interface Connection {
  client: HubSpotClient;
  /** The credential in use, only so that outputs can be redacted with it. */
  secrets: string[];
  /** `HubSpot (v3)`, `the embedded simulator (200 campaigns)`: for messages. */
  target: string;
  close(): Promise<void>;
}

/** The environment variable that turns --sim on (`1` or `true`). */
export const SIM_ENV = 'HUBSPOT_CAMPAIGNS_SIM';
export const TOKEN_ENV = 'HUBSPOT_TOKEN';

export function wantsSim(options: ConnectionOptions, io: CliIo): boolean {
  const env = io.env[SIM_ENV];
  return options.sim === true || env === '1' || env === 'true';
}

/** Settings that can be judged without connecting: refused before a file is even read. */
export async function checkConnectionOptions(options: ConnectionOptions, io: CliIo): Promise<void> {
  checkGatewayOptions(options);
  if (options.gateway !== undefined) {
    // The gateway holds the HubSpot credential and speaks its own HUBSPOT_API_VERSION: a
    // HubSpot setting here would be ignored, so it is refused rather than silently dropped.
    const hubspotSettings = [
      io.env[TOKEN_ENV]?.trim() ? TOKEN_ENV : undefined,
      options.tokenFile !== undefined ? '--token-file' : undefined,
      wantsSim(options, io) ? `--sim (or ${SIM_ENV})` : undefined,
      options.simCampaigns !== undefined ? '--sim-campaigns' : undefined,
      options.baseUrl !== undefined ? '--base-url' : undefined,
      options.apiVersion !== undefined ? '--api-version' : undefined,
    ].filter((name): name is string => name !== undefined);
    if (hubspotSettings.length > 0)
      throw new UsageError(
        `--gateway excludes ${hubspotSettings.join(', ')}: the gateway holds the HubSpot credential and its API version. ` +
          `Give the gateway's own credential in ${GATEWAY_TOKEN_ENV} or --gateway-token-file${io.env[TOKEN_ENV]?.trim() ? ` (and unset ${TOKEN_ENV})` : ''}`,
      );
    return;
  }
  if (options.apiVersion !== undefined && !isApiVersion(options.apiVersion))
    throw new UsageError(
      `--api-version must be v3 or a date version such as 2026-03, got ${JSON.stringify(options.apiVersion)}`,
    );
  if (options.apiVersion !== undefined && !isTypedApiVersion(options.apiVersion))
    // The engine reads HubSpot's answers by the types generated from a version's spec (the
    // simulator serves the same versions: one folder of openapi/ each).
    throw new UsageError(
      `--api-version ${options.apiVersion} has no spec in this build: use one of ${TYPED_API_VERSIONS.join(', ')}`,
    );
  if (wantsSim(options, io) && options.baseUrl !== undefined)
    throw new UsageError('--sim and --base-url exclude each other: --sim starts its own server');
  if (options.simCampaigns !== undefined && !/^\d+$/.test(options.simCampaigns))
    throw new UsageError(
      `--sim-campaigns must be a whole number, got ${JSON.stringify(options.simCampaigns)}`,
    );
}

export async function connect(options: ConnectionOptions, io: CliIo): Promise<Connection> {
  await checkConnectionOptions(options, io);
  const apiVersion = (options.apiVersion ?? 'v3') as ApiVersion;
  if (wantsSim(options, io)) {
    // Only loaded when asked for: a run against HubSpot never starts or even imports it.
    const { startHubSpotSim, DEFAULT_SIM_TOKEN, DEFAULT_CAMPAIGN_COUNT, DEFAULT_SEED } =
      await import('@campaigns/hubspot-sim');
    const campaigns =
      options.simCampaigns === undefined ? DEFAULT_CAMPAIGN_COUNT : Number(options.simCampaigns);
    // Always the same seed: an export and a later update on --sim see the same campaigns. The
    // simulator speaks the version the client asks for (its spec from openapi/<version>/).
    const sim = await startHubSpotSim({ campaigns, seed: DEFAULT_SEED, apiVersion });
    return {
      client: createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url, apiVersion }),
      secrets: [DEFAULT_SIM_TOKEN],
      target: `the embedded simulator (${apiVersion}, ${campaigns} campaigns, seed ${DEFAULT_SEED}; changes vanish when the command ends)`,
      close: () => sim.close(),
    };
  }
  const token = await readToken(options, io);
  try {
    return {
      client: createHubSpotClient({
        token,
        apiVersion,
        ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
      }),
      secrets: [token],
      target: `${options.baseUrl ?? 'HubSpot'} (${apiVersion})`,
      close: async () => undefined,
    };
  } catch (error) {
    // The client's own checks (a base URL that is not http(s), a token too short to redact):
    // its messages never quote the token.
    throw new UsageError((error as Error).message);
  }
}

async function readToken(options: ConnectionOptions, io: CliIo): Promise<string> {
  if (options.tokenFile !== undefined) return readSecretFile(io, options.tokenFile, 'token file');
  const token = io.env[TOKEN_ENV]?.trim();
  if (!token)
    throw new UsageError(
      `no HubSpot credential: set ${TOKEN_ENV} or pass --token-file FILE (or try --sim, which needs none)`,
    );
  holdSecret(io, token);
  return token;
}
