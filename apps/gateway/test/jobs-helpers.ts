// The job API as a frontend calls it: the typed operations of @campaigns/graphql (the documents
// of the gateway's trusted manifest), and polling and paging helpers.
import {
  CampaignUpdateJobDocument,
  isJobEnded,
  StartCampaignUpdateDocument,
  type CampaignUpdateJobFieldsFragment,
  type CampaignUpdateJobQuery,
} from '@campaigns/graphql';
import type { GraphQLClient } from 'graphql-request';
import { propertyOf, unchecked } from './stack.js';

export type JobView = CampaignUpdateJobFieldsFragment;
export type JobWithResults = NonNullable<CampaignUpdateJobQuery['campaignUpdateJob']>;

export async function startJob(client: GraphQLClient, inputs: unknown): Promise<JobView> {
  const { startCampaignUpdate } = await client.request(StartCampaignUpdateDocument, {
    inputs: unchecked(inputs),
  });
  return startCampaignUpdate;
}

export async function readJob(
  client: GraphQLClient,
  id: string,
  page: { first?: number; after?: string } = {},
): Promise<JobWithResults> {
  const { campaignUpdateJob } = await client.request(CampaignUpdateJobDocument, { id, ...page });
  if (!campaignUpdateJob) throw new Error(`job ${id} not found`);
  return campaignUpdateJob;
}

/** Polls until the job ended (every 100 ms; no timing is asserted). */
export async function untilEnded(
  client: GraphQLClient,
  id: string,
  timeoutMs = 60_000,
): Promise<JobWithResults> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await readJob(client, id);
    if (isJobEnded(job)) return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every succeeded campaign (its id and hs_notes), paging `first` at a time. */
export async function allResults(
  client: GraphQLClient,
  id: string,
  first: number,
): Promise<{ ids: string[]; notes: Array<string | null>; pages: number }> {
  const ids: string[] = [];
  const notes: Array<string | null> = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const { results } = await readJob(client, id, { first, ...(after ? { after } : {}) });
    pages++;
    for (const edge of results.edges) {
      ids.push(edge.node.id);
      notes.push(propertyOf(edge.node, 'hs_notes'));
    }
    if (!results.pageInfo.hasNextPage || !results.pageInfo.endCursor) return { ids, notes, pages };
    after = results.pageInfo.endCursor;
  }
}
