export {
  createHubSpotClient,
  CLIENT_VERSION,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
} from './client.js';
export type {
  HubSpotClient,
  HubSpotClientOptions,
  TokenProvider,
  RateLimitEvent,
  HubSpotCall,
} from './client.js';
export {
  HubSpotApiError,
  HubSpotNetworkError,
  HubSpotTokenError,
  isHubSpotApiError,
  isHubSpotNetworkError,
  isTransientStatus,
} from './errors.js';
export type { HubSpotErrorBody, HubSpotNetworkErrorKind, RateLimitPolicy } from './errors.js';
export { parseRateLimitHeaders, parseRetryAfter } from './rate-limit.js';
export type { RateLimitInfo } from './rate-limit.js';
export { campaignsApiRoot, isApiVersion, DEFAULT_BASE_URL } from './version.js';
export type { ApiVersion } from './version.js';
export { redactString, redactValue, REDACTED } from './redact.js';
export type * from './types.js';
