// The public surface of @campaigns/core: the four bulk operations, the rate budget they draw
// from, input checks, and the outcome's types. The engine's parts (chunking, backoff, failure
// classification, isolation, merging) are behind '@campaigns/core/internal', for tests and tools.
export { updateCampaigns, readCampaigns, createCampaigns, archiveCampaigns } from './operations.js';
export type { CampaignsClient, BulkOptions, ReadOptions, CreateInput } from './operations.js';
export { runBatch, DEFAULT_MAX_CONCURRENCY } from './runner.js';
export type { RunOptions } from './runner.js';
export type { BatchOperation, RunnerItem, SentChunk } from './batch-operation.js';
export { RateLimitBudget, DailyLimitReachedError, DEFAULT_FAIRNESS_KEY } from './limiter.js';
export type { RateLimitBudgetOptions, BudgetSnapshot } from './limiter.js';
export type { GrantOutcome, RateBudget, ServerStamps } from './budget.js';
export { HUBSPOT_BATCH_LIMIT } from './chunk.js';
export { DEFAULT_RETRY_POLICY } from './backoff.js';
export type { RetryPolicy } from './backoff.js';
export type { MergedBatch } from './merge.js';
export {
  checkUpdateInput,
  checkUpdateInputs,
  checkId,
  checkIdValue,
  checkPropertyName,
  InvalidInputsError,
} from './validate.js';
export type { InputProblem, UpdateInput } from './validate.js';
export { describeFailure } from './failure.js';
export * from './list.js';
export { CoreCategory } from './outcome.js';
export type {
  BatchOutcome,
  CampaignBatchOutcome,
  CampaignBatchError,
  CoalescedId,
  OutcomeStatus,
  RunStats,
  StopReason,
} from './outcome.js';
export type { ProgressEvent, RunEvent, RunHooks } from './progress.js';
export type {
  BatchAnswer,
  BatchErrorDetail,
  BatchItemError,
  CreateAnswer,
  CreateRequest,
  CreatedCampaign,
  ListAnswer,
  ListedCampaign,
  ReadAnswer,
  ReadCampaign,
  ReadRequest,
  ResultOf,
  UpdateAnswer,
  UpdatedCampaign,
  UpdateRequest,
  ArchiveRequest,
} from './api.js';
