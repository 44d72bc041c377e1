// 100,000 updates in a fresh process, for the scale scenario's peak RSS: main.ts bundles this
// file and runs it with plain `node` (default settings, no loader), `kept` or `streamed`
// (keepResults: false, results taken from onResults). Prints the result as its last line.
import { scale } from './scale.js';

const variant = process.argv[2];
if (variant !== 'kept' && variant !== 'streamed') {
  console.error(`usage: scale-fresh kept|streamed, got ${variant}`);
  process.exit(2);
}
// A short warm-up only, so that the figure is the 100,000 run's own.
const result = await scale([100_000], {
  keepResults: variant === 'kept',
  repeats: 1,
  warmup: 1_000,
});
process.stdout.write(`\n${JSON.stringify(result)}\n`);
