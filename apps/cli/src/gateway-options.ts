// `--gateway URL` and the options that go with it, judged before anything is read or sent. Kept
// apart from gateway.ts (the client, which loads graphql and graphql-sse) so that a run without
// --gateway never loads those.
import { count, UsageError } from './io.js';

/** The environment variable holding the operator's credential for the gateway. */
export const GATEWAY_TOKEN_ENV = 'HUBSPOT_CAMPAIGNS_GATEWAY_TOKEN';
/** The gateway's GraphQL path (its GRAPHQL_PATH) and its event stream below it. */
const GRAPHQL_PATH = '/graphql';
const STREAM_SUFFIX = '/stream';
/** How the gateway credential may be sent (`--gateway-auth`). */
export const GATEWAY_AUTHS = ['auto', 'bearer', 'api-key'] as const;
export type GatewayAuth = (typeof GATEWAY_AUTHS)[number];

/** `--gateway-auth` as given, or `auto`; a value not in GATEWAY_AUTHS is a UsageError. */
export function gatewayAuthOf(options: Pick<GatewayOptions, 'gatewayAuth'>): GatewayAuth {
  const given = options.gatewayAuth ?? 'auto';
  if (!(GATEWAY_AUTHS as readonly string[]).includes(given))
    throw new UsageError(
      `--gateway-auth must be ${GATEWAY_AUTHS.join(', ')}, got ${JSON.stringify(given)}`,
    );
  return given as GatewayAuth;
}

export interface GatewayOptions {
  gateway?: string;
  gatewayTokenFile?: string;
  gatewayAuth?: string;
}

export interface GatewayEndpoint {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  graphql: string;
  stream: string;
}

/**
 * `--gateway URL` → its endpoints: the gateway's base URL (`http://host:4000`, any path prefix a
 * proxy adds) or its GraphQL endpoint itself (`…/graphql`). Throws a UsageError for anything else.
 */
export function gatewayEndpoint(text: string): GatewayEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `--gateway must be the gateway's http(s) URL, such as http://127.0.0.1:4000, got ${JSON.stringify(text)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--gateway must be an http(s) URL, got ${url.protocol} (${url.origin})`);
  if (url.username !== '' || url.password !== '')
    throw new UsageError(
      `--gateway must not carry credentials in the URL: set ${GATEWAY_TOKEN_ENV} or pass --gateway-token-file`,
    );
  if (url.search !== '' || url.hash !== '')
    throw new UsageError('--gateway must not have a query (?…) or a fragment (#…)');
  const base = url.pathname.replace(/\/+$/, '');
  const graphql = `${url.origin}${base.endsWith(GRAPHQL_PATH) ? base : `${base}${GRAPHQL_PATH}`}`;
  return { graphql, stream: `${graphql}${STREAM_SUFFIX}` };
}

/**
 * Campaigns per job without --job-size: well under the gateway's MAX_CAMPAIGNS_PER_JOB (100,000
 * by default), small enough that a job's rows and its answers stay a few MB in memory here, large
 * enough that the gateway's engine runs long stretches between two jobs.
 */
export const DEFAULT_JOB_SIZE = 10_000;
/** The largest --job-size: the gateway's default MAX_CAMPAIGNS_PER_JOB. */
export const MAX_JOB_SIZE = 100_000;

export function jobSizeOf(options: { jobSize?: string }): number {
  if (options.jobSize === undefined) return DEFAULT_JOB_SIZE;
  const size = Number(options.jobSize);
  if (!/^\d+$/.test(options.jobSize) || size < 1 || size > MAX_JOB_SIZE)
    throw new UsageError(
      `--job-size must be a whole number from 1 to ${count(MAX_JOB_SIZE)} (the gateway's default MAX_CAMPAIGNS_PER_JOB), got ${JSON.stringify(options.jobSize)}`,
    );
  return size;
}

/** Refusals of options that only make sense with --gateway, and of bad gateway settings. */
export function checkGatewayOptions(
  options: GatewayOptions & { jobSize?: string; batchRows?: string },
): void {
  if (options.gateway === undefined) {
    for (const [given, name] of [
      [options.gatewayTokenFile, '--gateway-token-file'],
      [options.gatewayAuth, '--gateway-auth'],
      [options.jobSize, '--job-size'],
    ] as const)
      if (given !== undefined) throw new UsageError(`${name} needs --gateway URL`);
    return;
  }
  gatewayEndpoint(options.gateway);
  gatewayAuthOf(options);
  if (options.batchRows !== undefined)
    throw new UsageError(
      '--batch-rows is for updates sent to HubSpot from here; with --gateway, --job-size sets how many campaigns each job holds',
    );
  jobSizeOf(options);
}
