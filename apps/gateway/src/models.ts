// What resolvers receive as parents: the engine's and HubSpot's own shapes, unconverted. The
// generated resolver types map GraphQL types onto these (see codegen.ts `mappers`).
import type { CampaignBatchError, CampaignBatchOutcome, CoalescedId } from '@campaigns/core';
import type {
  CampaignUpdateJob,
  JobErrorsPage,
  JobProgress,
  JobResultsPage,
} from '@campaigns/jobs';
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
/**
 * A job as the job service gives it: the whole record (queries, mutations), or what a progress
 * message carries (the subscription); the fields a message lacks are read when selected.
 */
export type CampaignUpdateJobModel = JobProgress & Partial<CampaignUpdateJob>;
export type CampaignConnectionModel = JobResultsPage;
export type CampaignBatchErrorPageModel = JobErrorsPage;
export type CampaignEdgeModel = JobResultsPage['items'][number];
