// @campaigns/jobs: durable bulk campaign-update jobs for the gateway and internal apps. No GraphQL
// here: the gateway exposes these as `CampaignUpdateJob`.
export {
  createJobService,
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_MAX_CAMPAIGNS_PER_JOB,
  DEFAULT_MAX_STALLED_COUNT,
  DEFAULT_MAX_QUEUED_JOBS_PER_OWNER,
  DEFAULT_PAGE,
  DEFAULT_PROGRESS_POLL_MS,
  DEFAULT_RETENTION_MS,
  MAX_PAGE,
  MAX_RESULTS_SCANNED,
} from './service.js';
export { JobLimitError, JobNotFoundError, JobStoreUnavailableError } from './errors.js';
export type { JobLimitName } from './errors.js';
export { InvalidInputsError } from '@campaigns/core';
export type {
  CampaignUpdateJob,
  JobCaller,
  JobCounts,
  JobErrorsPage,
  JobEvent,
  JobProgress,
  JobResultsPage,
  JobService,
  JobServiceOptions,
  JobStatus,
  RunningJob,
  WorkerOptions,
} from './types.js';
