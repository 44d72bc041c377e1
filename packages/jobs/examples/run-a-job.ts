// A job of 1,000 campaign updates on an embedded simulator: start, watch progress, read the
// outcome. In process by default; with REDIS_URL set, on BullMQ (same code, durable).
//   npx tsx --conditions=@campaigns/source packages/jobs/examples/run-a-job.ts
import { RateLimitBudget } from '@campaigns/core';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { DEFAULT_SIM_TOKEN, startHubSpotSim } from '@campaigns/hubspot-sim';
import { createJobService } from '@campaigns/jobs';

const sim = await startHubSpotSim({ campaigns: 1_000, latency: { minMs: 80, maxMs: 200 } });
const hubspot = createHubSpotClient({ token: DEFAULT_SIM_TOKEN, baseUrl: sim.url });
const budget = new RateLimitBudget(); // one per process and HubSpot account

const jobs = createJobService({
  redisUrl: process.env.REDIS_URL, // unset: in-process, not durable
  worker: { client: () => hubspot, budget: () => budget },
});
console.log(`jobs on ${jobs.backend}, durable: ${jobs.durable}`);

const alice = { id: 'alice' };
const inputs = sim.store.list().map((c) => ({ id: c.id, properties: { hs_notes: 'Q3 push' } }));
const job = await jobs.start(alice, inputs);
console.log(`job ${job.id}: ${job.status}, ${job.total} campaigns`);

for await (const p of await jobs.progress(alice, job.id))
  console.log(`${p.status} ${p.done}/${p.total} (${p.succeeded} ok, ${p.failed} failed)`);

const page = await jobs.results(alice, job.id, { first: 3 });
console.log(
  page!.items.map((i) => i.campaign.properties.hs_notes),
  page!.hasNextPage,
);
console.log('errors:', (await jobs.errors(alice, job.id))!.items);
await jobs.close();
await sim.close();
