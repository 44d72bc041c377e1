// Runs one scenario in a fresh process (so peak RSS and CPU figures are that scenario's own)
// and prints its result as the last line of stdout.
import * as scenarios from './scenarios.js';

const name = process.argv[2];
const run = {
  throughput: () => scenarios.throughput(),
  faults: () => scenarios.faults(),
  'gateway-overhead': () => scenarios.gatewayOverhead(),
  scale: () => scenarios.scale(),
  'noisy-neighbour': () => scenarios.noisyNeighbour(),
  // The largest size again, in a process started with a capped V8 heap (see main.ts).
  'scale-capped-heap': () => scenarios.scale([100_000], { repeats: 1 }),
  // The largest size again, results taken from onResults instead of kept in the outcome.
  'scale-streamed': () => scenarios.scale([100_000], { keepResults: false, repeats: 1 }),
}[name as string];
if (!run) {
  console.error(`unknown scenario ${name}`);
  process.exit(2);
}
const result = await run();
process.stdout.write(`\n${JSON.stringify(result)}\n`);
