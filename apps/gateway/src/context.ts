// What the gateway knows about the request it serves: RequestScope at the HTTP level (kept in an
// AsyncLocalStorage for the request's duration), GatewayContext for the resolvers, and the one
// factory that turns an authenticated request into a GatewayContext (every transport uses it:
// GraphQL over HTTP and the event stream).
import type { JobCaller, JobService } from '@campaigns/jobs';
import type { Logger } from 'pino';
import type { Caller } from './auth.js';

export interface GatewayContext {
  /** Sent back as `x-request-id` and present in every log line about this request. */
  requestId: string;
  /** The authenticated caller (AUTH_MODE=none: an anonymous caller with every scope). */
  caller: Caller;
  /** A child logger carrying the request id. */
  log: Logger;
  /** The process's job service (startCampaignUpdate, campaignUpdateJob, the progress stream). */
  jobs: JobService;
  /**
   * The caller as the job service knows it: `id` is the caller's subject (JWT `sub`,
   * `api-key:<name>`, `anonymous`), `admin` whether it holds AUTH_ADMIN_SCOPE.
   */
  jobCaller: JobCaller;
}

/** One HTTP request, from its arrival: the caller is known once its headers are authenticated. */
export interface RequestScope {
  requestId: string;
  log: Logger;
  caller?: Caller;
}

/** An authenticated request → its resolvers' context. */
export type ContextFactory = (request: {
  requestId: string;
  caller: Caller;
  log: Logger;
}) => GatewayContext;

/** The context factory of a gateway: `adminScope` lets a caller read and cancel every job. */
export function createContextFactory(deps: {
  jobs: JobService;
  adminScope: string;
}): ContextFactory {
  return ({ requestId, caller, log }) => ({
    requestId,
    caller,
    log,
    jobs: deps.jobs,
    jobCaller: jobCallerOf(caller, deps.adminScope),
  });
}

/** The job service's view of a caller: its subject, and whether it holds the admin scope. */
export function jobCallerOf(caller: Caller, adminScope: string): JobCaller {
  return caller.scopes.has(adminScope)
    ? { id: caller.subject, admin: true }
    : { id: caller.subject };
}
