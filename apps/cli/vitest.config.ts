import { createRequire } from 'node:module';
import { mergeConfig } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.js';

const require = createRequire(import.meta.url);

// The tests start simulators and spawn the command line as a child process (exit codes,
// SIGINT): a little more time than the default for the slowest of them. test/gateway.test.ts
// runs the gateway in-process: Apollo Server is loaded by Node, which resolves `graphql` to its
// CommonJS build, and graphql refuses types from "another realm", so every import gets that one
// copy (as in apps/gateway's own config).
export default mergeConfig(projectConfig({ testTimeout: 30_000 }), {
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
});
