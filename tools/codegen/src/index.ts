export { normalizeApiPaths, assertOpenApi3, dropNullExamples } from './normalize.js';
export type { OpenApiDocument } from './normalize.js';
export {
  findSpecs,
  loadSpec,
  generateTypes,
  generateLimits,
  generateModules,
  OVERLAY_FILE,
  writeGenerated,
  checkGenerated,
  firstDifference,
} from './generate.js';
export type { SpecFile, Drift, CodegenResult, LoadOptions } from './generate.js';
export { batchInputLimits } from '@campaigns/openapi';
export { readSpecMeta, parseSpecMeta, checkSpecMeta, SPEC_ORIGINS } from './meta.js';
export type { SpecMeta } from './meta.js';
export { diffGeneratedTypes, describeTypesChange } from './structure.js';
export type { TypesChange, SchemaChange } from './structure.js';
export { formatOutputs, writeOrCheckOutputs } from './outputs.js';
export type { GeneratedOutput, WriteOrCheckOptions } from './outputs.js';
