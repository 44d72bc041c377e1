export { updateCampaigns, readCampaigns, createCampaigns, archiveCampaigns } from './operations.js';
export type { CampaignsClient, BulkOptions, ReadOptions, CreateInput } from './operations.js';
export { runBatch, namedKeys } from './runner.js';
export type { BatchOperation, RunnerItem, RunOptions, SentChunk } from './runner.js';
export { RateLimitBudget, DailyLimitReachedError, DEFAULT_FAIRNESS_KEY } from './limiter.js';
export type { RateLimitBudgetOptions, BudgetSnapshot } from './limiter.js';
export { budgetFor } from './budgets.js';
export { chunk, bisect, HUBSPOT_BATCH_LIMIT } from './chunk.js';
export { backoffDelay, sleep, DEFAULT_RETRY_POLICY } from './backoff.js';
export type { RetryPolicy } from './backoff.js';
export { mergeBatchResponses } from './merge.js';
export type { ChunkReport, ErrorPayload, MergedBatch } from './merge.js';
export { coalesceUpdates } from './coalesce.js';
export { checkUpdateInput, checkId, checkPropertyName, InvalidInputsError } from './validate.js';
export type { InputProblem, UpdateInput } from './validate.js';
export { classifyFailure, describeFailure } from './failure.js';
export type { Failure } from './failure.js';
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
