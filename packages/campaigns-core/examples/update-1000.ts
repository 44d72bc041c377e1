// Updates 1,000 campaigns on a local HubSpot simulator and prints the outcome summary.
// Run from the repository root:  npx tsx --conditions=@campaigns/source packages/campaigns-core/examples/update-1000.ts
import { updateCampaigns } from '@campaigns/core';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { DEFAULT_SIM_TOKEN, startHubSpotSim } from '@campaigns/hubspot-sim';

const sim = await startHubSpotSim({ campaigns: 1000, latency: { minMs: 20, maxMs: 60 } });
try {
  // Against real HubSpot: createHubSpotClient({ token: process.env.HUBSPOT_TOKEN! })
  const hubspot = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
  const ids = sim.store.list().map((c) => c.id);

  const outcome = await updateCampaigns(
    hubspot,
    ids.map((id, i) => ({
      id,
      properties: { hs_notes: `Reviewed in batch ${Math.floor(i / 50)}` },
    })),
    {
      onProgress: (p) =>
        process.stdout.write(`\r${p.idsDone}/${p.idsTotal} ids, ${p.requests} requests`),
    },
  );

  console.log(
    `\nstatus ${outcome.status}: ${outcome.results.length} updated, ${outcome.numErrors} failed`,
  );
  console.log(
    `requests ${outcome.stats.requests}, retries ${outcome.stats.retries}, ${outcome.stats.durationMs} ms`,
  );
  for (const error of outcome.errors)
    console.log(`  ${error.category}: ${error.ids.length} ids – ${error.message}`);
} finally {
  await sim.close();
}
