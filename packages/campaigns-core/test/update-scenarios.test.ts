import { createHubSpotClient, type paths } from '@campaigns/hubspot-client';
import createClient from 'openapi-fetch';
import { describe, expect, it } from 'vitest';
import {
  CoreCategory,
  InvalidInputsError,
  RateLimitBudget,
  readCampaigns,
  updateCampaigns,
  type ProgressEvent,
  type RunEvent,
} from '../src/index.js';
import {
  answerWithMissing,
  fakeHubSpot,
  ids,
  jsonResponse,
  okEcho,
  rateLimited,
  type SentRequest,
} from './fake-hubspot.js';

const updatesFor = (list: string[]) =>
  list.map((id, i) => ({ id, properties: { hs_notes: `note ${i}` } as Record<string, string> }));
const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };
const allIdsIn = (outcome: {
  results: Array<{ id: string }>;
  errors: Array<{ ids: string[] }>;
}) => [...outcome.results.map((r) => r.id), ...outcome.errors.flatMap((e) => e.ids)];

describe('updateCampaigns', () => {
  it('sends chunks of at most 50 and returns results in input order', async () => {
    const { client, log } = fakeHubSpot(okEcho);
    const input = ids(120);
    const outcome = await updateCampaigns(client, updatesFor(input));
    expect(log.map((r) => r.inputs.length)).toEqual([50, 50, 20]);
    expect(outcome.status).toBe('COMPLETE');
    expect(outcome.results.map((r) => r.id)).toEqual(input);
    expect(outcome.numErrors).toBe(0);
    expect(outcome.stats).toMatchObject({ requests: 3, chunks: 3, retries: 0 });
  });

  it('keeps the good items of a 207 and names the missing ids in one error', async () => {
    const missing = new Set(['cmp-00003', 'cmp-00077']);
    const { client } = fakeHubSpot((req) => answerWithMissing(req, (id) => missing.has(id)));
    const outcome = await updateCampaigns(client, updatesFor(ids(100)));
    expect(outcome.results).toHaveLength(98);
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        category: 'OBJECT_NOT_FOUND',
        ids: ['cmp-00003', 'cmp-00077'],
        httpStatus: 207,
      }),
    ]);
    expect(outcome.numErrors).toBe(2);
  });

  it("isolates the ids a 400 names in its errors' and its own context, from the error's fields", async () => {
    const links = { knowledgeBase: 'https://knowledge.hubspot.com/campaigns' };
    const { client, log } = fakeHubSpot((req) => {
      const sent = new Set(req.inputs.map((i) => i.id));
      if (!sent.has('cmp-00003') && !sent.has('cmp-00007')) return okEcho(req);
      return jsonResponse(400, {
        status: 'error',
        category: 'VALIDATION_ERROR',
        correlationId: 'c-2',
        message: 'Some campaigns could not be updated',
        errors: [
          { message: 'hs_goal is read-only', in: 'hs_goal', context: { ids: ['cmp-00003'] } },
        ],
        context: { ids: ['cmp-00007'] },
        links,
      });
    });
    const outcome = await updateCampaigns(client, updatesFor(ids(10)));
    expect(log.map((r) => r.inputs.length)).toEqual([10, 8]);
    expect(outcome.results).toHaveLength(8);
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        ids: ['cmp-00003'],
        message: 'hs_goal is read-only',
        errors: [
          { message: 'hs_goal is read-only', in: 'hs_goal', context: { ids: ['cmp-00003'] } },
        ],
        links,
        correlationId: 'c-2',
        httpStatus: 400,
      }),
      expect.objectContaining({
        ids: ['cmp-00007'],
        message: 'Some campaigns could not be updated',
        context: { ids: ['cmp-00007'] },
        links,
      }),
    ]);
  });

  it('drops the items a 400 names and resends the rest, so one bad campaign does not sink 49', async () => {
    const { client, log } = fakeHubSpot((req) => {
      const bad = req.inputs.filter((i) => i.properties?.hs_start_date === 'tomorrow');
      if (bad.length === 0) return okEcho(req);
      return jsonResponse(400, {
        status: 'error',
        category: 'VALIDATION_ERROR',
        correlationId: 'c-1',
        message: 'invalid date',
        errors: bad.map((b) => ({
          message: `hs_start_date of ${b.id} is not YYYY-MM-DD`,
          context: { propertyName: ['hs_start_date'], ids: [b.id!] },
        })),
      });
    });
    const inputs = updatesFor(ids(50));
    inputs[17]!.properties.hs_start_date = 'tomorrow';
    const outcome = await updateCampaigns(client, inputs);
    expect(log.map((r) => r.inputs.length)).toEqual([50, 49]);
    expect(outcome.results).toHaveLength(49);
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        ids: ['cmp-00017'],
        category: 'VALIDATION_ERROR',
        message: 'hs_start_date of cmp-00017 is not YYYY-MM-DD',
        httpStatus: 400,
      }),
    ]);
    expect(outcome.stats.isolationRequests).toBe(1);
  });

  it('bisects a chunk whose 400 names no item until the bad ones are found', async () => {
    const badIds = new Set(['cmp-00005', 'cmp-00031']);
    const { client, log } = fakeHubSpot((req) =>
      req.inputs.some((i) => badIds.has(i.id!))
        ? jsonResponse(400, {
            status: 'error',
            category: 'VALIDATION_ERROR',
            correlationId: 'c',
            message: 'Property values were not valid',
          })
        : okEcho(req),
    );
    const outcome = await updateCampaigns(client, updatesFor(ids(50)));
    expect(outcome.results).toHaveLength(48);
    expect(outcome.errors.flatMap((e) => e.ids).sort()).toEqual(['cmp-00005', 'cmp-00031']);
    expect(log.every((r) => r.inputs.length <= 50)).toBe(true);
    expect(log.length).toBeLessThan(30); // far fewer than one request per item
  });

  it('retries 503s with backoff and succeeds', async () => {
    const { client, log } = fakeHubSpot((req, n) =>
      n <= 2 ? jsonResponse(503, { message: 'unavailable' }) : okEcho(req),
    );
    const outcome = await updateCampaigns(client, updatesFor(ids(10)), { retry: fastRetry });
    expect(outcome.results).toHaveLength(10);
    expect(outcome.stats.retries).toBe(2);
    expect(log).toHaveLength(3);
  });

  it('retries a 408 like a 5xx, as the client calls it retryable (one decision)', async () => {
    const { client, log } = fakeHubSpot((req, n) =>
      n === 1 ? jsonResponse(408, { message: 'request timeout' }) : okEcho(req),
    );
    const outcome = await updateCampaigns(client, updatesFor(ids(3)), { retry: fastRetry });
    expect(outcome.status).toBe('COMPLETE');
    expect(outcome.results).toHaveLength(3);
    expect(outcome.stats.retries).toBe(1);
    expect(log).toHaveLength(2);
  });

  it('ends a backoff wait as soon as the run is aborted', async () => {
    const controller = new AbortController();
    const { client } = fakeHubSpot(() => jsonResponse(503, { message: 'unavailable' }));
    const started = Date.now();
    const outcome = await updateCampaigns(client, updatesFor(ids(3)), {
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
      random: () => 1,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'retry') setTimeout(() => controller.abort(new Error('stop')), 20);
      },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(outcome.status).toBe('CANCELED');
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        category: CoreCategory.CANCELED,
        ids: ids(3),
        message: expect.stringMatching(/an earlier attempt failed: HubSpot answered 503/),
      }),
    ]);
  });

  it('retries a timeout and a dropped connection', async () => {
    const { client } = fakeHubSpot(
      (req, n) => (n === 1 ? 'hang' : n === 2 ? 'drop' : okEcho(req)),
      { timeoutMs: 50 },
    );
    const events: RunEvent[] = [];
    const outcome = await updateCampaigns(client, updatesFor(ids(5)), {
      retry: fastRetry,
      onEvent: (e) => events.push(e),
    });
    expect(outcome.status).toBe('COMPLETE');
    expect(outcome.results).toHaveLength(5);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
  });

  it('retries when the token provider fails once (an OAuth refresh blip), sending nothing meanwhile', async () => {
    const log: string[] = [];
    let calls = 0;
    const client = createHubSpotClient({
      token: async () => {
        if (++calls === 1) throw new Error('token endpoint timed out');
        return 'fresh-token-0123456789';
      },
      baseUrl: 'http://hubspot.test',
      fetch: async (request) => {
        log.push(request.url);
        return okEcho({
          path: '/batch/update',
          inputs: ((await request.json()) as { inputs: SentRequest['inputs'] }).inputs,
        });
      },
    });
    const outcome = await updateCampaigns(client, updatesFor(ids(3)), { retry: fastRetry });
    expect(outcome.status).toBe('COMPLETE');
    expect(outcome.results).toHaveLength(3);
    expect(outcome.stats.retries).toBe(1);
    expect(log).toHaveLength(1);
  });

  it('reports a chunk whose failures outlast every retry as RETRIES_EXHAUSTED, naming its ids', async () => {
    const { client } = fakeHubSpot(() => jsonResponse(502, { message: 'bad gateway' }));
    const outcome = await updateCampaigns(client, updatesFor(ids(3)), {
      retry: { ...fastRetry, maxAttempts: 3 },
    });
    expect(outcome.results).toEqual([]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({
        category: CoreCategory.RETRIES_EXHAUSTED,
        ids: ids(3),
        httpStatus: 502,
        message: expect.stringMatching(/gave up after 3 attempts/),
      }),
    ]);
  });

  it('keeps upstream addresses, paths and HTML out of error messages; the detail keeps them', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:8443'), {
        code: 'ECONNREFUSED',
      }),
    });
    const html = '<html><head><title>502 Bad Gateway</title></head><body>edge-7</body></html>';
    const { client } = fakeHubSpot((req) => {
      if (req.inputs[0]!.id === 'cmp-00000') throw refused;
      return new Response(html, { status: 502, headers: { 'content-type': 'text/html' } });
    });
    const outcome = await updateCampaigns(client, updatesFor(ids(2)), {
      chunkSize: 1,
      retry: { ...fastRetry, maxAttempts: 2 },
    });
    const [network, edge] = outcome.errors;
    expect(network).toMatchObject({
      category: CoreCategory.RETRIES_EXHAUSTED,
      subCategory: 'NETWORK',
      message:
        'gave up after 2 attempts; last failure: HubSpot could not be reached (connection refused)',
    });
    expect(network!.detail).toMatch(/ECONNREFUSED 10\.1\.2\.3:8443/);
    expect(network!.detail).toMatch(/\/marketing\/v3\/campaigns\/batch\/update/);
    expect(edge).toMatchObject({
      category: CoreCategory.RETRIES_EXHAUSTED,
      httpStatus: 502,
      message: 'gave up after 2 attempts; last failure: HubSpot answered 502 with a non-JSON body',
    });
    expect(edge!.detail).toContain('<html>');
    for (const e of outcome.errors)
      expect(e.message).not.toMatch(/10\.1\.2\.3|ECONNREFUSED|\/batch|<html|edge-7/);
  });

  it('honours a 429 Retry-After, then succeeds', async () => {
    const { client, log } = fakeHubSpot((req, n) => (n === 1 ? rateLimited() : okEcho(req)));
    const outcome = await updateCampaigns(client, updatesFor(ids(4)));
    expect(outcome.results).toHaveLength(4);
    expect(outcome.stats).toMatchObject({ rateLimited: 1, retries: 1 });
    expect(log).toHaveLength(2);
  });

  it('stops sending after a DAILY 429: the rest fail with DAILY_LIMIT_REACHED, not retried', async () => {
    const budget = new RateLimitBudget();
    const { client, log } = fakeHubSpot((req, n) =>
      n === 1
        ? okEcho(req)
        : jsonResponse(429, {
            status: 'error',
            message: 'daily',
            errorType: 'RATE_LIMIT',
            policyName: 'DAILY',
          }),
    );
    const outcome = await updateCampaigns(client, updatesFor(ids(200)), {
      maxConcurrency: 1,
      budget,
    });
    expect(log).toHaveLength(2);
    expect(outcome.status).toBe('CANCELED');
    expect(outcome.stopReason).toBe('daily-limit');
    expect(outcome.results).toHaveLength(50);
    expect(outcome.errors.every((e) => e.category === CoreCategory.DAILY_LIMIT_REACHED)).toBe(true);
    expect(outcome.numErrors).toBe(150);
    // The shared budget remembers: a new run given the same budget sends nothing.
    const again = await updateCampaigns(client, updatesFor(ids(3, 'x')), { budget });
    expect(log).toHaveLength(2);
    expect(again.errors[0]?.category).toBe(CoreCategory.DAILY_LIMIT_REACHED);
  });

  it('stops at once on 401: nothing more is sent', async () => {
    const { client, log } = fakeHubSpot(() =>
      jsonResponse(401, {
        category: 'INVALID_AUTHENTICATION',
        correlationId: 'c',
        message: 'expired',
      }),
    );
    const outcome = await updateCampaigns(client, updatesFor(ids(150)), { maxConcurrency: 1 });
    expect(log).toHaveLength(1);
    expect(outcome.stopReason).toBe('auth');
    expect(outcome.errors.map((e) => [e.category, e.ids.length])).toEqual([
      ['INVALID_AUTHENTICATION', 50],
      [CoreCategory.NOT_SENT_AFTER_AUTH_FAILURE, 100],
    ]);
  });

  it('on abort, reports never-sent and in-flight ids as such', async () => {
    const controller = new AbortController();
    const { client } = fakeHubSpot((req, n) => {
      if (n === 2) {
        controller.abort(new Error('user canceled'));
        return 'hang';
      }
      return okEcho(req);
    });
    const outcome = await updateCampaigns(client, updatesFor(ids(150)), {
      maxConcurrency: 1,
      signal: controller.signal,
    });
    expect(outcome.status).toBe('CANCELED');
    expect(outcome.stopReason).toBe('aborted');
    expect(outcome.results).toHaveLength(50);
    expect(outcome.errors.map((e) => [e.category, e.ids.length])).toEqual([
      [CoreCategory.CANCELED_IN_FLIGHT, 50],
      [CoreCategory.CANCELED, 50],
    ]);
    expect(allIdsIn(outcome).sort()).toEqual(ids(150));
  });

  it('on abort before a granted chunk leaves, reports it CANCELED and does not count it', async () => {
    const controller = new AbortController();
    const { client, log } = fakeHubSpot(okEcho);
    let requestEvents = 0;
    const outcome = await updateCampaigns(client, updatesFor(ids(150)), {
      maxConcurrency: 1,
      signal: controller.signal,
      onEvent: (e) => {
        // The second chunk has its slot; the run is canceled before it is sent.
        if (e.type === 'request' && ++requestEvents === 2) controller.abort(new Error('stop'));
      },
    });
    expect(log).toHaveLength(1);
    expect(outcome.status).toBe('CANCELED');
    expect(outcome.errors.map((e) => [e.category, e.ids.length])).toEqual([
      [CoreCategory.CANCELED, 100],
    ]);
    expect(outcome.stats.requests).toBe(1);
    expect(allIdsIn(outcome).sort()).toEqual(ids(150));
  });

  it('frees the slot of a chunk that was never sent', async () => {
    const controller = new AbortController();
    const budget = new RateLimitBudget({ max: 5, intervalMs: 60_000, firstBurst: 0 });
    const { client } = fakeHubSpot(okEcho);
    let requestEvents = 0;
    await updateCampaigns(client, updatesFor(ids(150)), {
      maxConcurrency: 1,
      budget,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'request' && ++requestEvents === 2) controller.abort(new Error('stop'));
      },
    });
    expect(budget.snapshot().used).toBe(1); // the one request sent, not the one that never left
  });

  it('never lets a 7-character token echoed by a 401 reach the outcome', async () => {
    const short = 'tok-7ch';
    const client = createHubSpotClient({
      token: short,
      baseUrl: 'http://hubspot.test',
      fetch: async () =>
        jsonResponse(401, {
          status: 'error',
          category: 'INVALID_AUTHENTICATION',
          message: `The token ${short} is not valid`,
          context: { token: [short] },
        }),
    });
    const outcome = await updateCampaigns(client, updatesFor(ids(60)));
    expect(outcome.stopReason).toBe('auth');
    expect(outcome.errors[0]!.message).toBe('The token [REDACTED] is not valid');
    expect(JSON.stringify(outcome)).not.toContain(short);
  });

  it('stops at the deadline with status CANCELED', async () => {
    const { client } = fakeHubSpot(() => 'hang', { timeoutMs: 10_000 });
    const outcome = await updateCampaigns(client, updatesFor(ids(60)), { deadlineMs: 100 });
    expect(outcome.status).toBe('CANCELED');
    expect(outcome.stopReason).toBe('deadline');
    expect(allIdsIn(outcome).sort()).toEqual(ids(60));
  });

  it('coalesces duplicate ids into one update, later values winning', async () => {
    const { client, log } = fakeHubSpot(okEcho);
    const outcome = await updateCampaigns(client, [
      { id: 'a-000001', properties: { hs_name: 'first', hs_goal: 'g' } },
      { id: 'b-000002', properties: { hs_name: 'b' } },
      { id: 'a-000001', properties: { hs_name: 'second' } },
    ]);
    expect(log[0]?.inputs).toEqual([
      { id: 'a-000001', properties: { hs_name: 'second', hs_goal: 'g' } },
      { id: 'b-000002', properties: { hs_name: 'b' } },
    ]);
    expect(outcome.coalesced).toEqual([{ id: 'a-000001', indices: [0, 2] }]);
    expect(outcome.results.map((r) => r.id)).toEqual(['a-000001', 'b-000002']);
  });

  it('reports invalid inputs with index and id and sends the valid rest', async () => {
    const { client, log } = fakeHubSpot(okEcho);
    const outcome = await updateCampaigns(client, [
      { id: 'good-0001', properties: { hs_name: 'ok' } },
      { id: '', properties: { hs_name: 'no id' } },
      { id: 'bad-00002', properties: { 'Not A Name': 'x' } },
      { id: 'bad-00002', properties: { hs_name: 'fine, but same id as a bad one' } },
    ]);
    expect(log[0]?.inputs.map((i) => i.id)).toEqual(['good-0001']);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ category: 'INVALID_INPUT', ids: [''], indices: [1] }),
      expect.objectContaining({
        category: 'INVALID_INPUT',
        ids: ['bad-00002'],
        indices: [2, 3],
        message: expect.stringMatching(/input 2 properties.Not A Name.*inputs 3 have the same id/),
      }),
    ]);
    expect(outcome.numErrors).toBe(2);
  });

  it("refuses the whole call with onInvalid: 'reject', sending nothing", async () => {
    const { client, log } = fakeHubSpot(okEcho);
    await expect(
      updateCampaigns(client, [{ id: 'x-000001', properties: { hs_name: 7 as never } }], {
        onInvalid: 'reject',
      }),
    ).rejects.toBeInstanceOf(InvalidInputsError);
    expect(log).toHaveLength(0);
  });

  it('names an id HubSpot forgot to mention as MISSING_FROM_RESPONSE', async () => {
    const { client } = fakeHubSpot((req) =>
      okEcho({ ...req, inputs: req.inputs.slice(1) } as SentRequest),
    );
    const outcome = await updateCampaigns(client, updatesFor(ids(3)));
    expect(outcome.errors).toEqual([
      expect.objectContaining({ category: CoreCategory.MISSING_FROM_RESPONSE, ids: ['cmp-00000'] }),
    ]);
  });

  it('reports progress per chunk with the current budget', async () => {
    const { client } = fakeHubSpot(okEcho);
    const progress: ProgressEvent[] = [];
    await updateCampaigns(client, updatesFor(ids(120)), {
      maxConcurrency: 1,
      onProgress: (p) => progress.push(p),
    });
    expect(progress.map((p) => [p.chunksDone, p.chunksTotal, p.idsDone, p.idsTotal])).toEqual([
      [1, 3, 50, 120],
      [2, 3, 100, 120],
      [3, 3, 120, 120],
    ]);
    expect(progress[2]?.budget.max).toBeGreaterThan(0);
  });

  it('lets runs given the same budget never exceed it together, even on different clients', async () => {
    const budget = new RateLimitBudget({ max: 4, intervalMs: 60_000 });
    const a = fakeHubSpot(okEcho);
    const b = fakeHubSpot(okEcho);
    const common = { budget, deadlineMs: 300, chunkSize: 10 };
    const [ra, rb] = await Promise.all([
      updateCampaigns(a.client, updatesFor(ids(100, 'a')), { ...common, fairnessKey: 'a' }),
      updateCampaigns(b.client, updatesFor(ids(100, 'b')), { ...common, fairnessKey: 'b' }),
    ]);
    expect(a.log.length + b.log.length).toBe(4);
    expect(ra.results.length + rb.results.length).toBe(40);
  });

  it('gives a run without a budget one of its own: nothing is shared behind its back', async () => {
    const { client, log } = fakeHubSpot((req, n) =>
      n === 1
        ? jsonResponse(429, { message: 'daily', errorType: 'RATE_LIMIT', policyName: 'DAILY' })
        : okEcho(req),
    );
    const first = await updateCampaigns(client, updatesFor(ids(3)));
    expect(first.stopReason).toBe('daily-limit');
    // A budget the first run exhausted would refuse this one; its own budget sends it.
    const second = await updateCampaigns(client, updatesFor(ids(3)), {
      rateLimit: { max: 5, intervalMs: 1_000 },
    });
    expect(second.status).toBe('COMPLETE');
    expect(log).toHaveLength(2);
  });

  it('refuses rateLimit together with budget, as it could not take effect, sending nothing', async () => {
    const { client, log } = fakeHubSpot(okEcho);
    await expect(
      updateCampaigns(client, updatesFor(ids(3)), {
        budget: new RateLimitBudget(),
        rateLimit: { max: 10 },
      }),
    ).rejects.toThrow(/rateLimit cannot take effect with budget/);
    expect(log).toHaveLength(0);
  });

  it('shares one budget between concurrent runs on the same client', async () => {
    const budget = new RateLimitBudget({ max: 3, intervalMs: 60_000 });
    const { client, log } = fakeHubSpot(okEcho);
    const deadline = { deadlineMs: 300 };
    const [a, b] = await Promise.all([
      updateCampaigns(client, updatesFor(ids(100, 'a')), { budget, ...deadline }),
      updateCampaigns(client, updatesFor(ids(100, 'b')), { budget, ...deadline }),
    ]);
    expect(log).toHaveLength(3);
    expect(a.results.length + b.results.length).toBe(150);
  });
});

describe('keepResults: false', () => {
  it('hands results to onResults as chunks finish and keeps none, with the same accounting', async () => {
    const missing = 'cmp-00042';
    const { client } = fakeHubSpot((req) => answerWithMissing(req, (id) => id === missing));
    const streamed: string[] = [];
    const outcome = await updateCampaigns(client, updatesFor(ids(120)), {
      keepResults: false,
      onResults: (results) => streamed.push(...results.map((r) => r.id)),
    });
    expect(outcome.results).toEqual([]);
    expect(streamed.sort()).toEqual(ids(120).filter((id) => id !== missing));
    expect(outcome.errors).toEqual([
      expect.objectContaining({ category: 'OBJECT_NOT_FOUND', ids: [missing] }),
    ]);
    expect(outcome.numErrors).toBe(1);
    expect(outcome.stats.succeeded).toBe(119);
  });

  it('still calls onResults when results are kept', async () => {
    const { client } = fakeHubSpot(okEcho);
    let count = 0;
    const outcome = await updateCampaigns(client, updatesFor(ids(60)), {
      onResults: (r) => (count += r.length),
    });
    expect(count).toBe(60);
    expect(outcome.results).toHaveLength(60);
    expect(outcome.stats.succeeded).toBe(60);
  });
});

describe('with a plain openapi-fetch client (answers non-2xx instead of throwing)', () => {
  it('is refused with a clear error before anything is sent', async () => {
    let sent = 0;
    const plain = createClient<paths>({
      baseUrl: 'http://hubspot.test/marketing/v3/campaigns',
      fetch: async (request) => {
        sent++;
        const { inputs } = (await request.json()) as { inputs: SentRequest['inputs'] };
        return okEcho({ path: '/batch/update', inputs });
      },
    });
    // Refused by the types too: a plain client lacks the HubSpot client's mark.
    const untyped = plain as unknown as Parameters<typeof updateCampaigns>[0];
    await expect(updateCampaigns(untyped, updatesFor(ids(4)))).rejects.toThrow(
      /needs a client made by createHubSpotClient/,
    );
    await expect(readCampaigns(untyped, ids(4))).rejects.toBeInstanceOf(TypeError);
    expect(sent).toBe(0);
  });
});
