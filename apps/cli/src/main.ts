// The process behind the `hubspot-campaigns` bin: real streams, the environment, and signals.
// The first Ctrl-C (SIGINT) or SIGTERM stops the command cleanly: requests in flight are
// canceled, the report is completed (CANCELED for what was not done) and the exit code is 3.
// Later ones are ignored while it finishes (a terminal may deliver one Ctrl-C to the process
// twice, through a wrapper such as npm exec and directly), so the report is never cut short.
import { runCli } from './cli.js';

const controller = new AbortController();
let signalled = false;
const stop = (signal: NodeJS.Signals) => {
  if (signalled) return;
  signalled = true;
  process.stderr.write(
    `\n${signal === 'SIGINT' ? 'Interrupted' : 'Terminated'}: stopping (canceling requests in flight, completing the report)…\n`,
  );
  controller.abort(new Error(`stopped by ${signal}`));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
// Open keep-alive connections and a paused standard input must not hold the process: exit once
// what was written has been handed over.
process.stdout.write('', () => process.exit(code));
