// Runs one scenario in a fresh process (so peak RSS and CPU figures are that scenario's own)
// and prints its result as the last line of stdout.
import { cliUpdate } from './cli-scenario.js';
import { crashResume, multiReplica } from './job-scenarios.js';
import * as scenarios from './scenarios.js';

const name = process.argv[2];
const run = {
  throughput: () => scenarios.throughput(),
  sustained: () => scenarios.sustained(),
  faults: () => scenarios.faults(),
  'gateway-overhead': () => scenarios.gatewayOverhead(),
  scale: () => scenarios.scale(),
  'noisy-neighbour': () => scenarios.noisyNeighbour(),
  cli: () => cliUpdate(),
  'multi-replica': () => multiReplica(),
  'crash-resume': () => crashResume(),
}[name as string];
if (!run) {
  console.error(`unknown scenario ${name}`);
  process.exit(2);
}
const result = await run();
process.stdout.write(`\n${JSON.stringify(result)}\n`);
