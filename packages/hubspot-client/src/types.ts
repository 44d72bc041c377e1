// Friendly names for the generated schema types; only names HubSpot itself publishes are used,
// so HubSpot's own spec file can replace ours without breaking these aliases.
import type { components, operations, paths } from './generated/v3.js';

type Schemas = components['schemas'];

export type { components, operations, paths };
export type PublicCampaign = Schemas['PublicCampaign'];
export type PublicCampaignWithAssets = Schemas['PublicCampaignWithAssets'];
export type PublicCampaignBatchUpdateItem = Schemas['PublicCampaignBatchUpdateItem'];
export type PublicCampaignInput = Schemas['PublicCampaignInput'];
export type PublicCampaignReadInput = Schemas['PublicCampaignReadInput'];
export type PublicCampaignDeleteInput = Schemas['PublicCampaignDeleteInput'];
export type BatchInputPublicCampaignBatchUpdateItem =
  Schemas['BatchInputPublicCampaignBatchUpdateItem'];
export type BatchInputPublicCampaignReadInput = Schemas['BatchInputPublicCampaignReadInput'];
export type BatchInputPublicCampaignInput = Schemas['BatchInputPublicCampaignInput'];
export type BatchInputPublicCampaignDeleteInput = Schemas['BatchInputPublicCampaignDeleteInput'];
export type BatchResponsePublicCampaign = Schemas['BatchResponsePublicCampaign'];
export type BatchResponsePublicCampaignWithErrors =
  Schemas['BatchResponsePublicCampaignWithErrors'];
export type BatchResponsePublicCampaignWithAssets =
  Schemas['BatchResponsePublicCampaignWithAssets'];
export type BatchResponsePublicCampaignWithAssetsWithErrors =
  Schemas['BatchResponsePublicCampaignWithAssetsWithErrors'];
export type StandardError = Schemas['StandardError'];
export type ErrorDetail = Schemas['ErrorDetail'];
export type HubSpotError = Schemas['Error'];
/** `status` of a batch response. */
export type BatchStatus = BatchResponsePublicCampaign['status'];
export type PublicBusinessUnit = NonNullable<PublicCampaign['businessUnits']>[number];
