// What the gateway knows about the request it serves: RequestScope at the HTTP level (kept in an
// AsyncLocalStorage for the request's duration), GatewayContext for the resolvers.
import type { Logger } from 'pino';
import type { Caller } from './auth.js';

export interface GatewayContext {
  /** Sent back as `x-request-id` and present in every log line about this request. */
  requestId: string;
  /** The authenticated caller (AUTH_MODE=none: an anonymous caller with every scope). */
  caller: Caller;
  /** A child logger carrying the request id. */
  log: Logger;
}

/** One HTTP request, from its arrival: the caller is known once its headers are authenticated. */
export interface RequestScope {
  requestId: string;
  log: Logger;
  caller?: Caller;
}
