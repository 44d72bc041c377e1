// Tracing in the core: spans only when a tracer is given (run → chunks → the client's requests,
// with 429s, retries and isolation as chunk events), and no OpenTelemetry call at all without one.
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readCampaigns, runBatch, RateLimitBudget, updateCampaigns } from '../src/index.js';
import {
  fakeHubSpot,
  ids,
  jsonResponse,
  okEcho,
  rateLimited,
  type SentRequest,
} from './fake-hubspot.js';

const TOKEN = 'test-token-0123456789-tracing';
const updatesFor = (list: string[]) =>
  list.map((id, i) => ({ id, properties: { hs_notes: `note ${i}` } as Record<string, string> }));

const invalid = () =>
  jsonResponse(400, {
    status: 'error',
    category: 'VALIDATION_ERROR',
    correlationId: 'c',
    message: 'Property values were not valid',
  });

/** A real client (with the tracer) over a scripted HubSpot: `handler` answers each request. */
function tracedClient(tracer: Tracer, handler: (req: SentRequest, n: number) => Response) {
  let n = 0;
  return createHubSpotClient({
    token: TOKEN,
    baseUrl: 'http://hubspot.test',
    tracer,
    fetch: async (request) => {
      const text = await request.text();
      const body = (text ? JSON.parse(text) : { inputs: [] }) as { inputs: SentRequest['inputs'] };
      return handler({ path: new URL(request.url).pathname, inputs: body.inputs }, ++n);
    },
  });
}

describe('tracing in the core', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('core-test');
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
  });
  afterEach(() => {
    exporter.reset();
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    context.disable();
    await provider.shutdown();
  });

  const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
  const eventNames = (span: ReadableSpan) => span.events.map((e) => e.name);

  it('makes a run span, a span per chunk and a client span per request, parented in that order', async () => {
    const client = tracedClient(tracer, (req, n) => (n === 1 ? rateLimited() : okEcho(req)));
    const outer = tracer.startSpan('caller');
    const outcome = await context.with(trace.setSpan(context.active(), outer), () =>
      updateCampaigns(client, updatesFor(ids(120)), { tracer, budget: new RateLimitBudget() }),
    );
    outer.end();
    expect(outcome.status).toBe('COMPLETE');

    const spans = exporter.getFinishedSpans();
    const [run] = byName(spans, 'campaigns.update');
    expect(run).toBeDefined();
    expect(parentOf(run!)).toBe(outer.spanContext().spanId);
    expect(run!.attributes).toMatchObject({
      'campaigns.operation': 'update',
      'campaigns.items': 120,
      'campaigns.chunks': 3,
      'campaigns.outcome.status': 'COMPLETE',
      'campaigns.requests': 4,
      'campaigns.retries': 1,
      'campaigns.rate_limited': 1,
      'campaigns.succeeded': 120,
      'campaigns.failed': 0,
    });

    const chunks = byName(spans, 'campaigns.update chunk');
    expect(chunks.map((c) => c.attributes['campaigns.chunk.size']).sort()).toEqual([20, 50, 50]);
    for (const c of chunks) expect(parentOf(c)).toBe(run!.spanContext().spanId);
    const limited = chunks.filter((c) => eventNames(c).includes('campaigns.rate_limited'));
    expect(limited).toHaveLength(1);
    expect(eventNames(limited[0]!)).toEqual(
      expect.arrayContaining([
        'campaigns.request_failed',
        'campaigns.rate_limited',
        'campaigns.retry',
      ]),
    );
    expect(limited[0]!.attributes).toMatchObject({
      'campaigns.chunk.requests': 2,
      'campaigns.chunk.attempts': 2,
      'campaigns.chunk.retries': 1,
      'campaigns.chunk.rate_limited': 1,
      'http.response.status_code': 200,
    });
    const event = limited[0]!.events.find((e) => e.name === 'campaigns.rate_limited')!;
    expect(event.attributes).toMatchObject({
      'hubspot.policy_name': 'TEN_SECONDLY_ROLLING',
      'hubspot.retry_after_ms': 0,
    });

    const requests = byName(spans, 'POST /marketing/v3/campaigns/batch/update');
    expect(requests).toHaveLength(4);
    const chunkIds = new Set(chunks.map((c) => c.spanContext().spanId));
    for (const r of requests) {
      expect(chunkIds.has(parentOf(r)!)).toBe(true);
      expect(r.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.template': '/marketing/v3/campaigns/batch/update',
        'url.full': 'http://hubspot.test/marketing/v3/campaigns/batch/update',
        'server.address': 'hubspot.test',
      });
    }
    expect(requests.filter((r) => r.attributes['http.response.status_code'] === 429)).toHaveLength(
      1,
    );
    // The rate-limited request is a child of the chunk that recorded the 429.
    const limitedRequest = requests.find((r) => r.attributes['http.response.status_code'] === 429)!;
    expect(parentOf(limitedRequest)).toBe(limited[0]!.spanContext().spanId);
    // One trace, from the caller's span down to every request.
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(JSON.stringify(spans.map((s) => [s.attributes, s.events]))).not.toContain(TOKEN);
  });

  it('shows isolation by bisection as events of the chunk, and marks a stopped run as an error', async () => {
    const bad = new Set(['cmp-00005']);
    const client = tracedClient(tracer, (req) =>
      req.inputs.some((i) => bad.has(i.id!)) ? invalid() : okEcho(req),
    );
    const outcome = await updateCampaigns(client, updatesFor(ids(8)), {
      tracer,
      budget: new RateLimitBudget(),
    });
    expect(outcome.errors.flatMap((e) => e.ids)).toEqual(['cmp-00005']);
    const [chunkSpan] = byName(exporter.getFinishedSpans(), 'campaigns.update chunk');
    const isolations = chunkSpan!.events.filter((e) => e.name === 'campaigns.isolate');
    expect(isolations.length).toBeGreaterThanOrEqual(3); // 8 → 4 → 2 → 1
    expect(isolations[0]!.attributes).toMatchObject({
      'campaigns.isolate.strategy': 'bisect',
      'campaigns.request.size': 8,
    });
    expect(chunkSpan!.attributes['campaigns.chunk.requests']).toBe(outcome.stats.requests);

    exporter.reset();
    const denied = tracedClient(tracer, () =>
      jsonResponse(401, { status: 'error', category: 'INVALID_AUTHENTICATION', message: 'no' }),
    );
    const stopped = await updateCampaigns(denied, updatesFor(ids(3)), {
      tracer,
      budget: new RateLimitBudget(),
    });
    expect(stopped.status).toBe('CANCELED');
    const [run] = byName(exporter.getFinishedSpans(), 'campaigns.update');
    expect(run!.status).toMatchObject({ code: 2, message: expect.stringContaining('auth') });
    expect(run!.attributes['campaigns.stop_reason']).toBe('auth');
    expect(eventNames(run!)).toContain('campaigns.stop');
  });

  it('traces runBatch for any operation, and records a run that throws', async () => {
    await expect(
      runBatch(
        {
          name: 'custom',
          idempotent: true,
          send: async () => Promise.reject(new Error('x')),
          match: () => [],
        },
        [{ key: 'a', payload: 1 }],
        new RateLimitBudget(),
        { tracer, retry: { maxAttempts: 0 } },
      ),
    ).rejects.toThrow(RangeError);
    const [run] = byName(exporter.getFinishedSpans(), 'campaigns.custom');
    expect(run!.status.code).toBe(2);
    expect(run!.events[0]).toMatchObject({ name: 'exception' });
    expect(run!.events[0]!.attributes).not.toHaveProperty('exception.stacktrace');
  });

  it("names the client's request spans by route template, without the query, and marks failures", async () => {
    const client = tracedClient(tracer, (req, n) => {
      if (n === 1) throw new TypeError('fetch failed: socket hang up');
      return okEcho(req);
    });
    const outcome = await readCampaigns(client, ['cmp-1', 'cmp-2'], {
      tracer,
      budget: new RateLimitBudget(),
      properties: ['hs_name', 'hs_notes'],
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    expect(outcome.results).toHaveLength(2);
    const spans = byName(exporter.getFinishedSpans(), 'POST /marketing/v3/campaigns/batch/read');
    expect(spans).toHaveLength(2);
    for (const span of spans)
      expect(span.attributes['url.full']).toBe(
        'http://hubspot.test/marketing/v3/campaigns/batch/read',
      );
    const failed = spans.find((s) => s.attributes['http.response.status_code'] === undefined)!;
    expect(failed.status.code).toBe(2);
    expect(failed.attributes['error.type']).toBe('TypeError');
    const [chunkSpan] = byName(exporter.getFinishedSpans(), 'campaigns.read chunk');
    expect(
      chunkSpan!.events.find((e) => e.name === 'campaigns.request_failed')!.attributes,
    ).toMatchObject({ 'campaigns.failure.kind': 'transient' });

    exporter.reset();
    const one = tracedClient(tracer, () =>
      jsonResponse(404, { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'nope' }),
    );
    await one
      .GET('/{campaignGuid}', { params: { path: { campaignGuid: 'abc-123' } } })
      .catch(() => undefined);
    const [get] = exporter.getFinishedSpans();
    expect(get!.name).toBe('GET /marketing/v3/campaigns/{campaignGuid}');
    expect(get!.attributes).toMatchObject({
      'url.template': '/marketing/v3/campaigns/{campaignGuid}',
      'url.full': 'http://hubspot.test/marketing/v3/campaigns/abc-123',
      'http.response.status_code': 404,
      'error.type': '404',
    });
  });

  it('without a tracer, creates no span and makes no OpenTelemetry call at all', async () => {
    const spies = [
      vi.spyOn(context, 'active'),
      vi.spyOn(context, 'with'),
      vi.spyOn(trace, 'setSpan'),
      vi.spyOn(trace, 'getSpan'),
      vi.spyOn(trace, 'getTracer'),
      vi.spyOn(propagation, 'inject'),
    ];
    const startSpan = vi.spyOn(tracer, 'startSpan');
    // 429, retry, a 400 bisected and a 503: every path that would record something when traced.
    const bad = new Set(['cmp-00007']);
    const { client, log } = fakeHubSpot((req, n) =>
      n === 1
        ? rateLimited()
        : n === 2
          ? jsonResponse(503, { message: 'unavailable' })
          : req.inputs.some((i) => bad.has(i.id!))
            ? invalid()
            : okEcho(req),
    );
    const outcome = await updateCampaigns(client, updatesFor(ids(60)), {
      budget: new RateLimitBudget(),
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    expect(outcome.stats.retries).toBe(2);
    expect(outcome.stats.isolationRequests).toBeGreaterThan(0);
    expect(log.length).toBeGreaterThan(5);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(startSpan).not.toHaveBeenCalled();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
