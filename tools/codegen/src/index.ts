export { normalizeApiPaths, assertOpenApi3, dropNullExamples } from './normalize.js';
export type { OpenApiDocument } from './normalize.js';
export {
  findSpecs,
  generateTypes,
  writeGenerated,
  checkGenerated,
  firstDifference,
} from './generate.js';
export type { SpecFile, Drift, CodegenResult } from './generate.js';
