// The job API as a frontend calls it: the documents, and polling and paging helpers.
import type { GraphQLClient } from 'graphql-request';

export const JOB_FIELDS = /* GraphQL */ `
  fragment JobFields on CampaignUpdateJob {
    id
    status
    stopReason
    total
    done
    succeeded
    failed
    requestedAt
    startedAt
    completedAt
    coalesced {
      id
      indices
    }
  }
`;

export const START = /* GraphQL */ `
  mutation Start($inputs: [CampaignUpdateInput!]!) {
    startCampaignUpdate(inputs: $inputs) {
      ...JobFields
    }
  }
  ${JOB_FIELDS}
`;

export const CANCEL = /* GraphQL */ `
  mutation Cancel($id: ID!) {
    cancelCampaignUpdate(id: $id) {
      ...JobFields
    }
  }
  ${JOB_FIELDS}
`;

export const JOB = /* GraphQL */ `
  query Job($id: ID!, $first: Int, $after: String) {
    campaignUpdateJob(id: $id) {
      ...JobFields
      results(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            notes: property(name: "hs_notes")
          }
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
      errors {
        ids
        category
        message
      }
    }
  }
  ${JOB_FIELDS}
`;

export interface JobView {
  id: string;
  status: 'PENDING' | 'PROCESSING' | 'COMPLETE' | 'CANCELED';
  stopReason: string | null;
  total: number;
  done: number;
  succeeded: number;
  failed: number;
  requestedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  coalesced: Array<{ id: string; indices: number[] }>;
}

export interface JobWithResults extends JobView {
  results: {
    edges: Array<{ cursor: string; node: { id: string; notes: string | null } }>;
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
  };
  errors: Array<{ ids: string[]; category: string; message: string }>;
}

export async function startJob(client: GraphQLClient, inputs: unknown): Promise<JobView> {
  const { startCampaignUpdate } = await client.request<{ startCampaignUpdate: JobView }>(START, {
    inputs,
  });
  return startCampaignUpdate;
}

export async function readJob(
  client: GraphQLClient,
  id: string,
  page: { first?: number; after?: string } = {},
): Promise<JobWithResults> {
  const { campaignUpdateJob } = await client.request<{ campaignUpdateJob: JobWithResults }>(JOB, {
    id,
    ...page,
  });
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
    if (job.status === 'COMPLETE' || job.status === 'CANCELED') return job;
    if (Date.now() > deadline)
      throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every succeeded campaign, paging `first` at a time. */
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
      notes.push(edge.node.notes);
    }
    if (!results.pageInfo.hasNextPage || !results.pageInfo.endCursor) return { ids, notes, pages };
    after = results.pageInfo.endCursor;
  }
}
