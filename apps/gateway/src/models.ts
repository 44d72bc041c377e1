// What resolvers receive as parents: the engine's and HubSpot's own shapes, unconverted. The
// generated resolver types map GraphQL types onto these (see codegen.ts `mappers`). HubSpot's
// shapes are the core's, which takes them from the operations' answers in the generated `paths`:
// a field renamed or retyped in the spec fails the gateway's typecheck where a resolver reads it.
import type {
  BatchErrorDetail,
  CampaignBatchError,
  CampaignBatchOutcome,
  CoalescedId,
  ListedCampaign,
  ReadCampaign,
  UpdatedCampaign,
} from '@campaigns/core';
import type {
  CampaignUpdateJob,
  JobErrorsPage,
  JobProgress,
  JobResultsPage,
} from '@campaigns/jobs';

/** A campaign as an update, a read or the list returned it. */
export type CampaignModel = UpdatedCampaign | ReadCampaign | ListedCampaign;
export type UpdateCampaignsPayloadModel = CampaignBatchOutcome<UpdatedCampaign>;
export type CampaignsPayloadModel = CampaignBatchOutcome<ReadCampaign>;
export type CampaignBatchErrorModel = CampaignBatchError;
export type ErrorDetailModel = BatchErrorDetail;
export type BusinessUnitModel = NonNullable<CampaignModel['businessUnits']>[number];
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
