// Runs the gateway in its own process, configured by its environment as in production
// (NODE_ENV=production, a HubSpot token), so a benchmark measures a deployed gateway, not one
// sharing an event loop with the benchmark's own HTTP client. Its log is
// discarded; with BENCH_JOB_EVENTS=1 (and LOG_LEVEL=info) the job events it logs (`job-started`,
// `job-ended`, …) go to the parent over IPC, so a benchmark knows which process runs a job.
import { createGateway, loadConfig } from '@campaigns/gateway';
import { Writable } from 'node:stream';

const forwardJobEvents = process.env['BENCH_JOB_EVENTS'] === '1';

/** Sends the job events among the log lines of `chunk` to the parent. */
function forward(chunk: Buffer): void {
  for (const line of chunk.toString('utf8').split('\n')) {
    if (!line.includes('"type":"job-')) continue;
    try {
      const { type, id, resumed, pending, status } = JSON.parse(line) as Record<string, unknown>;
      process.send?.({ jobEvent: { type, id, resumed, pending, status, pid: process.pid } });
    } catch {
      // not a whole JSON line: not one of the job events
    }
  }
}

const gateway = await createGateway(loadConfig(process.env), {
  logDestination: new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      if (forwardJobEvents) forward(chunk);
      done();
    },
  }),
  defaultMetrics: false,
});
process.send!({ url: gateway.url });
process.on('disconnect', () => {
  void gateway.close().then(() => process.exit(0));
});
