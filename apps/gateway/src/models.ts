// What resolvers receive as parents: the engine's and HubSpot's own shapes, unconverted. The
// generated resolver types map GraphQL types onto these (see codegen.ts `mappers`).
import type { CampaignBatchError, CampaignBatchOutcome, CoalescedId } from '@campaigns/core';
import type {
  ErrorDetail,
  PublicBusinessUnit,
  PublicCampaign,
  PublicCampaignWithAssets,
} from '@campaigns/hubspot-client';

export type CampaignModel = PublicCampaign | PublicCampaignWithAssets;
export type UpdateCampaignsPayloadModel = CampaignBatchOutcome<PublicCampaign>;
export type CampaignsPayloadModel = CampaignBatchOutcome<PublicCampaignWithAssets>;
export type CampaignBatchErrorModel = CampaignBatchError;
export type ErrorDetailModel = ErrorDetail;
export type BusinessUnitModel = PublicBusinessUnit;
export type CoalescedIdModel = CoalescedId;
export interface CampaignPropertyModel {
  name: string;
  value: string | null;
}
