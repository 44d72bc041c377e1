// '@campaigns/core/internal': the engine's parts, for its tests, benchmarks and tools. Not a
// stable API: anything here may change with any release. Applications use '@campaigns/core'.
export { chunk, bisect } from './chunk.js';
export { backoffDelay } from './backoff.js';
export { classifyFailure } from './failure.js';
export type { Failure } from './failure.js';
export { namedKeys } from './isolation.js';
export { mergeBatchResponses } from './merge.js';
export type { ChunkReport, ErrorPayload } from './merge.js';
export { corePayload } from './payloads.js';
export { coalesceUpdates } from './coalesce.js';
export { FAIR_RESERVE_SLOTS } from './limiter.js';
