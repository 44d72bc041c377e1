// Public surface of the HubSpot Campaigns simulator.
export { startHubSpotSim, MAX_SEED_COUNT } from './server.js';
export type { HubSpotSim } from './server.js';
export { DEFAULT_CAMPAIGN_COUNT, DEFAULT_SEED, SimConfigError } from './options.js';
export type {
  HubSpotSimOptions,
  ScriptedFault,
  SimFaults,
  SimLatency,
  SimRefusal,
} from './options.js';
export { CAMPAIGN_SCOPES, DEFAULT_SIM_TOKEN } from './auth.js';
export type { SimTokenConfig } from './auth.js';
export { DEFAULT_ERROR_STATUSES } from './faults.js';
export type { SimStats } from './stats.js';
export { CampaignStore } from './store.js';
export { DEFAULT_RATE_LIMIT } from './rate-limit.js';
export type { RateLimitPolicyName, RateLimitSettings } from './rate-limit.js';
export type { HubSpotErrorBody, RateLimitErrorBody } from './answers.js';
export {
  CAMPAIGN_STATUS_OPTIONS,
  READ_ONLY_PROPERTIES,
  WRITABLE_PROPERTY_NAMES,
} from './properties.js';
export { DEMO_BUSINESS_UNIT_IDS, DEMO_INT32_BUSINESS_UNIT_IDS } from './seed.js';
export {
  DEFAULT_API_VERSION,
  DEFAULT_SPEC_URL,
  loadCampaignsSpec,
  servedApiVersions,
  specUrl,
} from './spec.js';
export type { CampaignsSpec, OperationSpec } from './spec.js';
export { createSpecValidator } from './validation.js';
export type { SpecValidator } from './validation.js';
