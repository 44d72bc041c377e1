import { createRequire } from 'node:module';
import { mergeConfig } from 'vitest/config';
import { projectConfig } from '../../vitest.shared.js';

const require = createRequire(import.meta.url);

// The browser tests build the page, start a gateway and a simulator, and drive Chromium: they
// need more than the default 20 s for their set-up. The gateway runs in-process, so `graphql` is
// pinned to the one copy Apollo Server loads (as in apps/gateway/vitest.config.ts).
export default mergeConfig(projectConfig({ testTimeout: 60_000, hookTimeout: 60_000 }), {
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
});
