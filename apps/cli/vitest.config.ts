import { projectConfig } from '../../vitest.shared.js';

// The tests start simulators and spawn the command line as a child process (exit codes,
// SIGINT): a little more time than the default for the slowest of them.
export default projectConfig({ testTimeout: 30_000 });
