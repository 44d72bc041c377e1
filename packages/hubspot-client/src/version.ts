// HubSpot serves the same Campaigns API under a classic and a date-versioned prefix; only the
// API root changes, so the version is configuration, not code.

/** `v3`, or a date-versioned release such as `2026-03`. */
export type ApiVersion = 'v3' | `${number}-${number}`;

export const DEFAULT_BASE_URL = 'https://api.hubapi.com';

const DATE_VERSION = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isApiVersion(value: string): value is ApiVersion {
  return value === 'v3' || DATE_VERSION.test(value);
}

/** The URL every generated path is relative to, e.g. `https://api.hubapi.com/marketing/v3/campaigns`. */
export function campaignsApiRoot(
  baseUrl: string = DEFAULT_BASE_URL,
  version: ApiVersion = 'v3',
): string {
  if (!isApiVersion(version)) {
    throw new TypeError(
      `apiVersion must be "v3" or a date version like "2026-03", got ${JSON.stringify(version)}`,
    );
  }
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
  const origin = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return version === 'v3'
    ? `${origin}/marketing/v3/campaigns`
    : `${origin}/marketing/campaigns/${version}`;
}
