// The benchmark's side of the gateway's job API (issue 12): GraphQL over HTTP with an API key,
// and the small pure checks the job scenarios report (exactly once, repeats at HubSpot).
import {
  StartCampaignUpdateDocument,
  type CampaignUpdateInput,
  type CampaignUpdateJobFieldsFragment,
} from '@campaigns/graphql';
import { findRedisServer, INSTALL_REDIS_HINT } from '@campaigns/testing';
import { print } from 'graphql';

/** A job as the benchmark reads it: the trusted fragment's fields, less the coalesced ids. */
export type JobState = Omit<CampaignUpdateJobFieldsFragment, 'coalesced'>;

export type PropertyUpdate = CampaignUpdateInput;

const JOB_FIELDS =
  'id status stopReason total done succeeded failed requestedAt startedAt completedAt';
// The start goes as a frontend's would: the trusted document of @campaigns/graphql, which the
// gateway compiles (the other documents here are the benchmark's own, run by graphql-js).
const START = print(StartCampaignUpdateDocument);
const GET = `query Job($id: ID!) { campaignUpdateJob(id: $id) { ${JOB_FIELDS} } }`;
const RESULTS = `query Results($id: ID!, $first: Int, $after: String) { campaignUpdateJob(id: $id) { results(first: $first, after: $after) { edges { cursor node { id } } pageInfo { endCursor hasNextPage } } errors { ids category } } }`;
const UPDATE =
  'mutation Update($inputs: [CampaignUpdateInput!]!) { updateCampaigns(inputs: $inputs) { status numErrors } }';

/** One GraphQL call as `apiKey`; throws on an HTTP error or a GraphQL error. */
export async function graphql<T>(
  url: string,
  apiKey: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: T; errors?: Array<{ message: string }> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`gateway answered ${response.status}: ${text.slice(0, 300)}`);
  }
  if (!response.ok || body.errors?.length || !body.data)
    throw new Error(`gateway answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body.data;
}

export async function startJob(
  url: string,
  apiKey: string,
  inputs: PropertyUpdate[],
): Promise<JobState> {
  const data = await graphql<{ startCampaignUpdate: JobState }>(url, apiKey, START, { inputs });
  return data.startCampaignUpdate;
}

export async function getJob(url: string, apiKey: string, id: string): Promise<JobState> {
  const data = await graphql<{ campaignUpdateJob: JobState | null }>(url, apiKey, GET, { id });
  if (!data.campaignUpdateJob) throw new Error(`job ${id} not found`);
  return data.campaignUpdateJob;
}

/** Every id of the job's results, page after page, in the order the gateway gives them. */
export async function resultIds(
  url: string,
  apiKey: string,
  id: string,
  first = 1_000,
): Promise<{ ids: string[]; errorIds: string[] }> {
  const ids: string[] = [];
  let errorIds: string[] = [];
  let after: string | null = null;
  for (;;) {
    const data: {
      campaignUpdateJob: {
        results: {
          edges: Array<{ node: { id: string } }>;
          pageInfo: { endCursor: string | null; hasNextPage: boolean };
        };
        errors: Array<{ ids: string[] }>;
      } | null;
    } = await graphql(url, apiKey, RESULTS, { id, first, after });
    const job = data.campaignUpdateJob;
    if (!job) throw new Error(`job ${id} not found`);
    for (const edge of job.results.edges) ids.push(edge.node.id);
    errorIds = job.errors.flatMap((e) => e.ids);
    const { hasNextPage, endCursor } = job.results.pageInfo;
    if (!hasNextPage) return { ids, errorIds };
    if (!endCursor) throw new Error(`job ${id}: a next page without a cursor to reach it`);
    after = endCursor;
  }
}

/** A synchronous `updateCampaigns`; true when every campaign succeeded. */
export async function updateNow(
  url: string,
  apiKey: string,
  inputs: PropertyUpdate[],
): Promise<boolean> {
  const data = await graphql<{ updateCampaigns: { numErrors: number } }>(url, apiKey, UPDATE, {
    inputs,
  });
  return data.updateCampaigns.numErrors === 0;
}

/** Polls the job every `everyMs` until `until(job)` holds (or the job ended); returns that state. */
export async function pollJob(
  url: string,
  apiKey: string,
  id: string,
  until: (job: JobState) => boolean,
  everyMs = 250,
): Promise<JobState> {
  for (;;) {
    const job = await getJob(url, apiKey, id);
    if (until(job) || job.status === 'COMPLETE' || job.status === 'CANCELED') return job;
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * How the ids of a job's results compare with its inputs: ids missing, ids listed more than once,
 * ids that are not the job's, and whether the order is the input order.
 */
export function exactlyOnce(
  intended: readonly string[],
  got: readonly string[],
): { missing: number; repeated: number; foreign: number; inOrder: boolean } {
  const wanted = new Set(intended);
  const seen = new Map<string, number>();
  for (const id of got) seen.set(id, (seen.get(id) ?? 0) + 1);
  let missing = 0;
  for (const id of wanted) if (!seen.has(id)) missing++;
  let repeated = 0;
  let foreign = 0;
  for (const [id, count] of seen) {
    if (!wanted.has(id)) foreign++;
    if (count > 1) repeated++;
  }
  const inOrder = got.length === intended.length && got.every((id, i) => id === intended[i]);
  return { missing, repeated, foreign, inOrder };
}

/** Ids by how many times HubSpot applied an update to them: `[never, once, twice, more]`. */
export function appliedHistogram(counts: readonly number[]): {
  never: number;
  once: number;
  twice: number;
  more: number;
} {
  const h = { never: 0, once: 0, twice: 0, more: 0 };
  for (const c of counts) {
    if (c === 0) h.never++;
    else if (c === 1) h.once++;
    else if (c === 2) h.twice++;
    else h.more++;
  }
  return h;
}

/**
 * The job scenarios need a real `redis-server`. Without one they are skipped (the benchmark is
 * not part of CI's tests) with a message nobody can miss; returns whether it is there.
 */
export function redisAvailable(scenario: string): boolean {
  if (findRedisServer({ path: process.env.PATH })) return true;
  const bar = '!'.repeat(78);
  console.error(
    `\n${bar}\n!! SKIPPED: the ${scenario} benchmark needs redis-server, which was not found\n` +
      `!! (looked in /usr/bin and on PATH). Install it with: ${INSTALL_REDIS_HINT}\n${bar}\n`,
  );
  return false;
}
