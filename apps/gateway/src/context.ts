// What every resolver knows about the request it serves: who called, and how to log about it.
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
