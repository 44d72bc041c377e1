export {
  createHubSpotClient,
  isHubSpotClient,
  rateLimitOf,
  roundTripOf,
  BufferedResponse,
  HUBSPOT_CLIENT,
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
export {
  API_ROOT_PATH,
  apiRootPath,
  apiRootPattern,
  campaignsApiRoot,
  DATE_VERSION_SOURCE,
  isApiVersion,
  DEFAULT_BASE_URL,
} from './version.js';
export { BATCH_INPUT_LIMIT, BATCH_INPUT_LIMITS } from './generated/v3.limits.js';
export type { ApiVersion } from './version.js';
export type * from './types.js';
