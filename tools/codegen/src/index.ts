export { normalizeApiPaths, assertOpenApi3, dropNullExamples } from './normalize.js';
export type { OpenApiDocument } from './normalize.js';
export {
  findSpecs,
  loadSpec,
  generateTypes,
  generateLimits,
  generateModules,
  batchInputLimits,
  DOCUMENTED_BATCH_LIMIT,
  writeGenerated,
  checkGenerated,
  firstDifference,
} from './generate.js';
export type { SpecFile, Drift, CodegenResult } from './generate.js';
export { diffGeneratedTypes, describeTypesChange } from './structure.js';
export type { TypesChange, SchemaChange } from './structure.js';
export { formatOutputs, writeOrCheckOutputs } from './outputs.js';
export type { GeneratedOutput, WriteOrCheckOptions } from './outputs.js';
