// The job API over HTTP, on the in-process queue (no REDIS_URL: `npm start`'s setup): start →
// PENDING → COMPLETE with results paged in input order; bad input refused as updateCampaigns
// refuses it, nothing queued; ownership (NOT_FOUND for another caller, an admin sees all);
// cancel with every id accounted for; both limits; the progress subscription to the end.
import { parse, subscribe, type ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelCampaignUpdateDocument, UpdateCampaignsDocument } from '@campaigns/graphql';
import { apiKeyEntry, graphqlErrors, notesInputs, startStack, type Stack } from './stack.js';
import { allResults, readJob, startJob, untilEnded, type JobWithResults } from './jobs-helpers.js';

const KEYS = {
  alice: 'alice-key-0123456789',
  bob: 'bob-key-0123456789',
  carol: 'carol-key-0123456789',
  root: 'root-key-0123456789',
};

let stack: Stack;
let ids: string[];
const as = (who: keyof typeof KEYS) => stack.client({ 'x-api-key': KEYS[who] });
const queued = async () =>
  /gateway_jobs_total\{event="queued"\} (\d+)/.exec(
    await (await stack.http('/metrics')).text(),
  )?.[1] ?? '0';

beforeAll(async () => {
  stack = await startStack({
    sim: { campaigns: 500 },
    env: {
      AUTH_MODE: 'api-key',
      GATEWAY_API_KEYS: [
        apiKeyEntry('alice', KEYS.alice),
        apiKeyEntry('bob', KEYS.bob),
        apiKeyEntry('carol', KEYS.carol),
        apiKeyEntry('root', KEYS.root, 'campaigns:write campaigns:admin'),
      ].join(','),
      MAX_CAMPAIGNS_PER_JOB: '450',
      MAX_QUEUED_JOBS_PER_CALLER: '2',
    },
  });
  ids = stack.sim.store.list().map((c) => c.id);
});
afterAll(() => stack.close());

describe('jobs without Redis (in this process)', () => {
  it('says at start that jobs are not durable', () => {
    expect(stack.gateway.jobs.durable).toBe(false);
    expect(stack.logs.some((l) => l.includes('jobs are NOT durable'))).toBe(true);
  });

  it('starts PENDING, completes, and pages the results in input order', async () => {
    const targets = ids.slice(0, 120);
    const inputs = [
      ...notesInputs(targets, (i) => `job ${i}`),
      // A duplicate (merged, later value wins) and an id HubSpot does not know (an error).
      { id: targets[5]!, properties: [{ name: 'hs_notes', value: 'job 5, again' }] },
      {
        id: '00000000-0000-4000-8000-000000000000',
        properties: [{ name: 'hs_notes', value: 'x' }],
      },
    ];
    const started = await startJob(as('alice'), inputs);
    expect(started.status).toBe('PENDING');
    expect(started.id).toMatch(/^[\w-]{22}$/);
    expect(started.total).toBe(121);
    expect(started.done).toBe(0);
    expect(started.startedAt).toBeNull();
    expect(started.coalesced).toEqual([{ id: targets[5], indices: [5, 120] }]);

    const ended = await untilEnded(as('alice'), started.id);
    expect(ended).toMatchObject({ status: 'COMPLETE', stopReason: null, total: 121, done: 121 });
    expect(ended).toMatchObject({ succeeded: 120, failed: 1 });
    expect(ended.startedAt).not.toBeNull();
    expect(Date.parse(ended.completedAt!)).toBeGreaterThanOrEqual(Date.parse(ended.requestedAt));
    expect(ended.errors).toEqual([
      expect.objectContaining({
        ids: ['00000000-0000-4000-8000-000000000000'],
        category: 'OBJECT_NOT_FOUND',
      }),
    ]);

    const { ids: resultIds, notes, pages } = await allResults(as('alice'), started.id, 50);
    expect(pages).toBe(3);
    expect(resultIds).toEqual(targets);
    expect(notes[5]).toBe('job 5, again');
    expect(notes[7]).toBe('job 7');
    expect(stack.sim.store.get(targets[119]!)?.properties.hs_notes).toBe('job 119');
  });

  it('refuses bad input exactly as updateCampaigns does, and queues nothing', async () => {
    const bad = [
      { id: 'not a uuid', properties: [{ name: 'hs_notes', value: 'x' }] },
      {
        id: ids[0]!,
        properties: [
          { name: 'hs_notes', value: 'a' },
          { name: 'hs_notes', value: 'b' },
        ],
      },
      { id: ids[1]!, properties: [{ name: '__proto__', value: 'x' }] },
    ];
    const before = await queued();
    const requests = stack.sim.stats().totalRequests;
    const job = await graphqlErrors(startJob(as('alice'), bad));
    const sync = await graphqlErrors(as('alice').request(UpdateCampaignsDocument, { inputs: bad }));
    expect(job.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(job.errors[0]!.message).toBe(sync.errors[0]!.message);
    expect(job.errors[0]!.extensions).toEqual(sync.errors[0]!.extensions);
    expect(job.errors[0]!.extensions?.problemCount).toBe(3);
    expect(await queued()).toBe(before);
    expect(stack.sim.stats().totalRequests).toBe(requests);
  });

  it('refuses more than MAX_CAMPAIGNS_PER_JOB campaigns, naming the setting', async () => {
    const before = await queued();
    const { errors } = await graphqlErrors(
      startJob(as('alice'), notesInputs([...ids.slice(0, 451)])),
    );
    expect(errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: { setting: 'MAX_CAMPAIGNS_PER_JOB', max: 450, actual: 451 },
    });
    expect(errors[0]!.message).toContain('MAX_CAMPAIGNS_PER_JOB');
    expect(await queued()).toBe(before);
  });

  it('answers NOT_FOUND to another caller (read and cancel), and lets an admin read', async () => {
    const job = await startJob(as('alice'), notesInputs(ids.slice(200, 203)));
    await untilEnded(as('alice'), job.id);

    for (const attempt of [
      readJob(as('bob'), job.id),
      as('bob').request(CancelCampaignUpdateDocument, { id: job.id }),
      readJob(as('bob'), 'AAAAAAAAAAAAAAAAAAAAAA'),
    ]) {
      const { errors } = await graphqlErrors(attempt);
      expect(errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    // A stranger's answer for a real job reads like one for an id that never existed.
    const real = await graphqlErrors(readJob(as('bob'), job.id));
    const none = await graphqlErrors(readJob(as('bob'), 'AAAAAAAAAAAAAAAAAAAAAA'));
    expect(real.errors[0]!.message.replace(job.id, 'ID')).toBe(
      none.errors[0]!.message.replace('AAAAAAAAAAAAAAAAAAAAAA', 'ID'),
    );

    const seen = await readJob(as('root'), job.id);
    expect(seen).toMatchObject({ id: job.id, status: 'COMPLETE', succeeded: 3 });
    expect(seen.results.edges.map((e) => e.node.id)).toEqual(ids.slice(200, 203));
  });

  it('cancels a running job (by an admin) with every id accounted for, and enforces MAX_QUEUED_JOBS_PER_CALLER', async () => {
    stack.sim.setLatency({ fixedMs: 1000 });
    try {
      const targets = ids.slice(100, 500);
      const first = await startJob(
        as('carol'),
        notesInputs(targets, (i) => `canceled ${i}`),
      );
      const second = await startJob(as('carol'), notesInputs(ids.slice(0, 2)));

      const refused = await graphqlErrors(startJob(as('carol'), notesInputs(ids.slice(2, 4))));
      expect(refused.errors[0]!.extensions).toEqual({
        code: 'JOB_LIMIT_EXCEEDED',
        limit: { setting: 'MAX_QUEUED_JOBS_PER_CALLER', max: 2, actual: 3 },
      });
      expect(refused.errors[0]!.message).toContain('MAX_QUEUED_JOBS_PER_CALLER');

      const { cancelCampaignUpdate: canceled } = await as('root').request(
        CancelCampaignUpdateDocument,
        { id: first.id },
      );
      expect(canceled).toMatchObject({ status: 'CANCELED', stopReason: 'ABORTED', total: 400 });
      expect(canceled.done).toBe(400);
      expect(canceled.succeeded + canceled.failed).toBe(400);

      const job: JobWithResults = await readJob(as('carol'), first.id);
      const { ids: succeeded } = await allResults(as('carol'), first.id, 1000);
      const failed = job.errors.flatMap((e) => e.ids);
      expect(succeeded.length).toBe(canceled.succeeded);
      expect([...succeeded, ...failed].sort()).toEqual([...targets].sort());
      expect(failed.length).toBeGreaterThan(0);
      expect(new Set(job.errors.map((e) => e.category))).toEqual(
        new Set(job.errors.map((e) => e.category).filter((c) => c.startsWith('CANCELED'))),
      );
      await untilEnded(as('carol'), second.id);
    } finally {
      stack.sim.setLatency(undefined);
    }
  });

  it('streams progress to the end through the subscription, and NOT_FOUND to another caller', async () => {
    const { gateway } = stack;
    const job = await startJob(as('alice'), notesInputs(ids.slice(300, 420)));
    const context = (subject: string, scopes: string[]) =>
      gateway.contextFor({
        requestId: `test-${subject}`,
        caller: { subject, scopes: new Set(scopes), method: 'api-key' },
        log: gateway.logger,
      });
    const document = parse(/* GraphQL */ `
      subscription Watch($id: ID!) {
        campaignUpdateJobProgress(id: $id) {
          id
          status
          total
          done
          succeeded
          requestedAt
        }
      }
    `);

    const stranger = (await subscribe({
      schema: gateway.schema,
      document,
      variableValues: { id: job.id },
      contextValue: context('api-key:bob', ['campaigns:write']),
    })) as ExecutionResult;
    expect(stranger.errors?.map((e) => e.extensions.code)).toEqual(['NOT_FOUND']);

    const stream = await subscribe({
      schema: gateway.schema,
      document,
      variableValues: { id: job.id },
      contextValue: context('api-key:alice', ['campaigns:write']),
    });
    expect(Symbol.asyncIterator in stream).toBe(true);
    const events: Array<{ status: string; done: number; total: number; requestedAt: string }> = [];
    for await (const event of stream as AsyncIterable<ExecutionResult>) {
      expect(event.errors).toBeUndefined();
      events.push(
        (event.data as { campaignUpdateJobProgress: (typeof events)[number] })
          .campaignUpdateJobProgress,
      );
    }
    expect(events.length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ status: 'COMPLETE', done: 120, total: 120 });
    expect(events.every((e) => typeof e.requestedAt === 'string')).toBe(true);
    const done = events.map((e) => e.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });

  it('reports jobs on /readyz (ready without Redis) and /metrics', async () => {
    await as('alice').request(UpdateCampaignsDocument, { inputs: notesInputs(ids.slice(0, 2)) });
    const ready = await stack.http('/readyz');
    expect(ready.status).toBe(200);
    const text = await (await stack.http('/metrics')).text();
    expect(text).toMatch(/gateway_jobs_queue_depth\{state="waiting"\} \d+/);
    expect(text).toMatch(/gateway_jobs_queue_depth\{state="active"\} \d+/);
    expect(text).toMatch(/gateway_jobs_running 0\n/);
    expect(text).toMatch(/gateway_job_duration_seconds_count\{status="COMPLETE"\} [1-9]/);
    expect(text).toMatch(/gateway_budget_wait_seconds_count\{path="job"\} [1-9]/);
    expect(text).toMatch(/gateway_budget_wait_seconds_count\{path="sync"\} [1-9]/);
  });
});

describe('retention', () => {
  it('forgets an ended job after JOB_RETENTION: NOT_FOUND, as for an id that never existed', async () => {
    const short = await startStack({ env: { JOB_RETENTION: '1s' } });
    try {
      const client = short.client();
      const job = await startJob(
        client,
        notesInputs(
          short.sim.store
            .list()
            .map((c) => c.id)
            .slice(0, 2),
        ),
      );
      expect((await untilEnded(client, job.id)).status).toBe('COMPLETE');
      await expect
        .poll(
          async () =>
            (await graphqlErrors(readJob(client, job.id)).catch(() => undefined))?.errors[0]
              ?.extensions?.code,
          { timeout: 15_000, interval: 250 },
        )
        .toBe('NOT_FOUND');
    } finally {
      await short.close();
    }
  });
});
