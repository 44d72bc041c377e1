// '@campaigns/core/internal': the engine's parts, for its tests, benchmarks and tools. Not a
// stable API: anything here may change with any release. Applications use '@campaigns/core'.
export { chunk, bisect } from './chunk.js';
export { backoffDelay } from './backoff.js';
export { classifyFailure } from './failure.js';
export type { Failure } from './failure.js';
export { namedKeys, dropNamed } from './isolation.js';
export { mergeBatchResponses } from './merge.js';
export type { ChunkReport, ErrorPayload } from './merge.js';
export { coalesceUpdates } from './coalesce.js';
export { budgetOf } from './budget.js';
export { RunLedger } from './ledger.js';
export type { RunStop } from './ledger.js';
export {
  apiErrorPayload,
  canceledPayload,
  dailyPayload,
  exhaustedPayload,
  inFlightPayload,
  notSentAfterAuthPayload,
  standardErrorPayload,
  unexpectedPayload,
} from './payloads.js';
export { Semaphore } from './semaphore.js';
