export { applyOverlay, assertOverlay } from './overlay.js';
export type { OverlayAction, OverlayDocument, OverlayResult } from './overlay.js';
export {
  OPENAPI_DIR,
  OVERLAY_URL,
  SPEC_FILE_NAMES,
  assertOpenApi3,
  batchInputLimits,
  findSpecFile,
  readDataFile,
  readOverlay,
  readSpecDocument,
  requireBatchInputLimits,
  specFileOf,
  specVersions,
} from './spec.js';
export type { OpenApiDocument, ReadSpecOptions, VersionRule } from './spec.js';
