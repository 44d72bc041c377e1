// Counts graphql-jit's compilations and the runs of what it compiled, to show which path an
// operation took where the executor itself is out of reach (behind Apollo or the whole gateway).
// In a test file: vi.mock('graphql-jit', async (original) =>
//   (await import('./jit-spy.js')).countingJit(await original()));
import type * as jit from 'graphql-jit';

export const compiled = { compilations: 0, runs: 0 };

/** graphql-jit, its compileQuery counting into `compiled`. */
export function countingJit(real: typeof jit): typeof jit {
  return {
    ...real,
    compileQuery: ((...args: Parameters<typeof jit.compileQuery>) => {
      compiled.compilations++;
      const query = real.compileQuery(...args);
      if (!('query' in query)) return query;
      const run = query.query;
      return {
        ...query,
        query: (...runArgs: Parameters<typeof run>) => {
          compiled.runs++;
          return run(...runArgs);
        },
      };
    }) as typeof jit.compileQuery,
  };
}
