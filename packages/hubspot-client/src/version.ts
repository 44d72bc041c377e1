// Which versions exist, in one place: this package's own version, and the API versions HubSpot
// serves the same Campaigns API under (a classic and a date-versioned prefix; only the API root
// changes, so the version is configuration, not code). The client builds its URLs from here, the
// simulator routes with `API_ROOT_PATH` and the codegen strips it from spec paths: to accept a new
// kind of version, change `DATE_VERSION_SOURCE` (and `ApiVersion`) and nothing else.
import packageJson from '../package.json' with { type: 'json' };

/** This package's version, as its package.json says; the default User-Agent carries it. */
export const CLIENT_VERSION: string = packageJson.version;

/** `v3`, or a date-versioned release such as `2026-03`, or its beta, `2026-09-beta`. */
export type ApiVersion = 'v3' | `${number}-${number}` | `${number}-${number}-beta`;

export const DEFAULT_BASE_URL = 'https://api.hubapi.com';

/**
 * A date version, `YYYY-MM` with a month from 01 to 12, optionally followed by `-beta` as HubSpot
 * names the preview of a coming release (`2026-09-beta`). A regular expression's source, unanchored.
 */
export const DATE_VERSION_SOURCE = String.raw`\d{4}-(?:0[1-9]|1[0-2])(?:-beta)?`;

const DATE_VERSION = new RegExp(`^${DATE_VERSION_SOURCE}$`);

export function isApiVersion(value: string): value is ApiVersion {
  return value === 'v3' || DATE_VERSION.test(value);
}

/**
 * The API root at the start of a path, up to a `/` or the end: `/marketing/v3/campaigns` or
 * `/marketing/campaigns/<date version>`. `alsoInVersionSlot` is the source of a regular expression
 * also accepted where the date version stands (the codegen passes a `{version}` path template).
 */
export function apiRootPattern(alsoInVersionSlot?: string): RegExp {
  const slot =
    alsoInVersionSlot === undefined
      ? DATE_VERSION_SOURCE
      : `(?:${DATE_VERSION_SOURCE}|${alsoInVersionSlot})`;
  return new RegExp(String.raw`^\/marketing\/(?:v3\/campaigns|campaigns\/${slot})(?=\/|$)`);
}

/** Matches the API root of every accepted version at the start of a path. */
export const API_ROOT_PATH: RegExp = apiRootPattern();

/** An API root as a spec file may write it: any accepted version, or a `{version}` template. */
const SPEC_API_ROOT_PATH = apiRootPattern(String.raw`\{[^}/]+\}`);

/**
 * A spec's path key relative to the API root: `/marketing/v3/campaigns/batch/update` and
 * `/marketing/campaigns/{version}/batch/update` both become `/batch/update`; a path that is
 * already relative (the root in `servers`) or belongs to no Campaigns root is returned unchanged.
 * The codegen and the simulator read spec paths through this one function.
 */
export function specPathRelativeToApiRoot(specPath: string): string {
  return specPath.replace(SPEC_API_ROOT_PATH, '') || '/';
}

/** The path of the API root for a version: `/marketing/v3/campaigns`, `/marketing/campaigns/2026-03`. */
export function apiRootPath(version: ApiVersion): string {
  if (!isApiVersion(version)) {
    throw new TypeError(
      `apiVersion must be "v3" or a date version like "2026-03" or "2026-09-beta", got ${JSON.stringify(version)}`,
    );
  }
  return version === 'v3' ? '/marketing/v3/campaigns' : `/marketing/campaigns/${version}`;
}

/** The URL every generated path is relative to, e.g. `https://api.hubapi.com/marketing/v3/campaigns`. */
export function campaignsApiRoot(
  baseUrl: string = DEFAULT_BASE_URL,
  version: ApiVersion = 'v3',
): string {
  const rootPath = apiRootPath(version);
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`baseUrl must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseUrl must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (url.search || url.hash) {
    throw new TypeError('baseUrl must not carry a query or fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}${rootPath}`;
}
