// The gateway as a library, for whoever deploys or embeds it: read the settings (loadConfig),
// start the gateway (createGateway), and the types of both. `@campaigns/gateway/run` runs it as a
// process. Everything else is internal; the gateway's tests import the modules they exercise.
export { createGateway, GRAPHQL_PATH } from './server.js';
export type { Gateway, GatewayDeps } from './server.js';
export { loadConfig, ConfigError } from './config.js';
export type {
  GatewayConfig,
  AuthConfig,
  JwtConfig,
  ApiKeyEntry,
  LimitsConfig,
  HubSpotCredentialsConfig,
} from './config.js';
export type { CredentialProvider } from './credentials.js';
// GATEWAY_API_KEYS holds each key's SHA-256: this computes it, as the deployment scripts need.
export { hashApiKey } from './auth.js';
// A frontend's build makes its trusted-documents manifest (TRUSTED_DOCUMENTS_FILE) with this.
export { buildManifest } from './documents.js';
export type { PersistedQueryManifest, TrustedOperation } from './documents.js';
