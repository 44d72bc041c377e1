export {
  diffSpecs,
  prepare,
  assertBoundedRefs,
  MAX_INLINED_DEPTH,
  MAX_INLINED_NODES,
} from './diff.js';
export type { SpecChange, SpecDiff, ChangeKind } from './diff.js';
export { formatReport } from './report.js';
export type { ReportLabels } from './report.js';
export {
  checkSpecs,
  updateSpec,
  reportFiles,
  readSpec,
  versionSpecFile,
  generatedDirs,
  writeAccepted,
  npmRunner,
  findWorkspaceRoot,
  UsageError,
  ACCEPTED_DIR,
  INTERRUPTED_EXIT_CODE,
} from './workspace.js';
export type { Workspace, ScriptRunner, Outcome, UpdateOptions, CheckOptions } from './workspace.js';
