// The typed refusals of the job service. Bad input is the engine's own InvalidInputsError.

/** The limit a start was refused for, named like its option. */
export type JobLimitName = 'maxCampaignsPerJob' | 'maxQueuedJobsPerOwner';

/** A start over a limit: nothing was queued. */
export class JobLimitError extends Error {
  override readonly name = 'JobLimitError';
  constructor(
    readonly limit: JobLimitName,
    /** The limit's value. */
    readonly max: number,
    /** What the start would have made it. */
    readonly actual: number,
  ) {
    super(
      limit === 'maxCampaignsPerJob'
        ? `a job takes at most ${max} campaign updates (${limit}); this one has ${actual}`
        : `at most ${max} jobs per caller may be pending or running at once (${limit}); this would be job ${actual}`,
    );
  }
}

/**
 * No such job for this caller: it never existed, expired, or belongs to someone else (the same
 * answer, so ids cannot be probed).
 */
export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor(readonly id: string) {
    super(`no job ${JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id)}`);
  }
}

/**
 * The job store (Redis) could not be reached in time. On a start, nothing was queued. The message
 * names neither the store's address nor its credentials; `cause` holds the client's own error (for
 * logs).
 */
export class JobStoreUnavailableError extends Error {
  override readonly name = 'JobStoreUnavailableError';
  constructor(cause: unknown) {
    super('the job store (Redis) is unreachable', { cause });
  }
}
