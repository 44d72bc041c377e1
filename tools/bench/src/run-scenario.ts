// Runs one scenario in a fresh process (so peak RSS and CPU figures are that scenario's own)
// and prints its result as the last line of stdout.
import * as scenarios from './scenarios.js';

const name = process.argv[2];
const run = {
  throughput: () => scenarios.throughput(),
  sustained: () => scenarios.sustained(),
  faults: () => scenarios.faults(),
  'gateway-overhead': () => scenarios.gatewayOverhead(),
  scale: () => scenarios.scale(),
  'noisy-neighbour': () => scenarios.noisyNeighbour(),
  // Peak RSS at the largest size in a fresh process with default Node settings (a short warm-up
  // only, so the figure is the 100,000 run's own): results kept, then taken from onResults.
  'scale-rss-kept': () => scenarios.scale([100_000], { repeats: 1, warmup: 1_000 }),
  'scale-rss-streamed': () =>
    scenarios.scale([100_000], { keepResults: false, repeats: 1, warmup: 1_000 }),
}[name as string];
if (!run) {
  console.error(`unknown scenario ${name}`);
  process.exit(2);
}
const result = await run();
process.stdout.write(`\n${JSON.stringify(result)}\n`);
