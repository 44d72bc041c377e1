// Shared vitest settings. Workspace packages resolve to their TypeScript sources the one way the
// whole repository uses: the "@campaigns/source" condition of each package's `exports` map, which
// TypeScript reads through `customConditions` (tsconfig.base.json) and Node and tsx through
// `--conditions=@campaigns/source`. So tests never need a build first, and a new package or
// entry point works in tests as soon as its package.json exports it.
import { defaultServerConditions } from 'vite';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

export const SOURCE_CONDITION = '@campaigns/source';

/**
 * Vitest's own conditions for Node (Vite's server conditions without `module`, so packages
 * such as @opentelemetry/api load their Node build, not their bundler-only ESM), plus ours.
 */
const conditions = [
  SOURCE_CONDITION,
  ...defaultServerConditions.filter((condition) => condition !== 'module'),
];

export function projectConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions },
    // Tests run in Node: the SSR environment, which has resolve options of its own.
    ssr: { resolve: { conditions } },
    test: {
      environment: 'node',
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      ...overrides,
    },
  });
}
