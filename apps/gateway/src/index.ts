export { createGateway, GRAPHQL_PATH } from './server.js';
export type { Gateway, GatewayDeps } from './server.js';
export { loadConfig, ConfigError, parseApiKeys, isLoopback } from './config.js';
export type {
  GatewayConfig,
  AuthConfig,
  JwtConfig,
  ApiKeyEntry,
  LimitsConfig,
  HubSpotCredentialsConfig,
} from './config.js';
export { createCredentialProvider, staticToken, TokenRefreshError } from './credentials.js';
export type { CredentialProvider, CredentialOptions } from './credentials.js';
export { createAuthenticator, hashApiKey } from './auth.js';
export type { Caller, Authenticator } from './auth.js';
export { curlExample } from './banner.js';
