// An internal app, as a team outside this repository would write one: plain imports of the
// built packages, compiled by tsc and run by node, with no custom conditions or loaders.
//
//   HUBSPOT_TOKEN=… node dist/main.js <campaign id>…     (HUBSPOT_BASE_URL for a simulator)
import { RateLimitBudget, updateCampaigns, type UpdateInput } from '@campaigns/core';
import { createHubSpotClient, CLIENT_VERSION } from '@campaigns/hubspot-client';

const token = process.env.HUBSPOT_TOKEN;
if (!token) {
  console.error('set HUBSPOT_TOKEN');
  process.exit(2);
}
const hubspot = createHubSpotClient({
  token,
  ...(process.env.HUBSPOT_BASE_URL ? { baseUrl: process.env.HUBSPOT_BASE_URL } : {}),
});
const edits: UpdateInput[] = process.argv
  .slice(2)
  .map((id) => ({ id, properties: { hs_notes: 'Reviewed by the internal app' } }));

const outcome = await updateCampaigns(hubspot, edits, { budget: new RateLimitBudget() });
console.log(
  JSON.stringify({
    client: CLIENT_VERSION,
    status: outcome.status,
    updated: outcome.results.map((c) => c.id),
    failed: outcome.errors.map((e) => ({ category: e.category, ids: e.ids })),
  }),
);
process.exit(outcome.numErrors === 0 ? 0 : 1);
