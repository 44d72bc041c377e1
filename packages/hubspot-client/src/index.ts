export {
  createHubSpotClient,
  isHubSpotClient,
  rateLimitOf,
  roundTripOf,
  HUBSPOT_CLIENT,
  CLIENT_VERSION,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  MAX_ANSWER_BYTES,
  SOCKET_IDLE_TIMEOUT_MS,
} from './client.js';
export type {
  HubSpotClient,
  HubSpotClientOptions,
  TokenProvider,
  RateLimitEvent,
  HubSpotCall,
} from './client.js';
export { BufferedHeaders, BufferedResponse } from './buffered-response.js';
export type { BufferedHeadersInit, BufferedResponseInit } from './buffered-response.js';
export {
  HubSpotAnswerTooLargeError,
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
export { BATCH_INPUT_LIMITS } from './generated/v3.limits.js';
export {
  BATCH_INPUT_LIMIT,
  BATCH_INPUT_LIMITS_BY_VERSION,
  isTypedApiVersion,
  TYPED_API_VERSIONS,
} from './api-versions.js';
export type { AnyVersionPaths, PathsByVersion, PathsOf, TypedApiVersion } from './api-versions.js';
export type { ApiVersion } from './version.js';
export type * from './types.js';
