// The gateway's production entry point (`node apps/gateway/dist/main.js`, the Docker image's
// command): real HubSpot credentials only. `npm start` (tools/scripts/start.mjs) is the
// development entry, which embeds the HubSpot simulator when no credential is configured.
import { runGateway } from './run.js';

await runGateway();
