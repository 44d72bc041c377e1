// @campaigns/cli as a library: the whole command line as a function, for tests and for tools
// that want to run it in-process (`runCli(['update', '--file', 'x.csv'], io)`).
export { runCli } from './cli.js';
export { EXIT, UsageError, StoppedError } from './io.js';
export type { CliIo, ExitCode } from './io.js';
export { RESET_MARKER, readRows, columnLetter } from './rows.js';
export type { InputRow, RowProblem, RowItem, FileFormat } from './rows.js';
export type { ReportLine } from './report.js';
export { DEFAULT_EXPORT_PROPERTIES } from './export.js';
export { DEFAULT_BATCH_ROWS } from './update.js';
