// Runs the gateway in its own process, configured as in production (NODE_ENV=production, a
// HubSpot token, loopback without caller auth), so the overhead benchmark measures a deployed
// gateway, not one sharing an event loop with the benchmark's own HTTP client.
import { createGateway, loadConfig } from '@campaigns/gateway';
import { Writable } from 'node:stream';

const gateway = await createGateway(loadConfig(process.env), {
  logDestination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  defaultMetrics: false,
});
process.send!({ url: gateway.url });
process.on('disconnect', () => {
  void gateway.close().then(() => process.exit(0));
});
