import { createRequire } from 'node:module';
import { mergeConfig } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.js';

const require = createRequire(import.meta.url);

// Apollo Server is loaded by Node, which resolves `graphql` to its CommonJS build; Vite would
// pick the ESM build for our sources, and graphql refuses types from "another realm". One copy.
export default mergeConfig(projectConfig({ testTimeout: 30_000 }), {
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
});
