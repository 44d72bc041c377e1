// OpenTelemetry through the running gateway and simulator: the caller's traceparent becomes the
// parent of the operation span, under it the engine's run, its chunks and every HubSpot request;
// HubSpot gets a traceparent and the request id. Off by default. OTLP/HTTP to a local collector stub.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { UpdateCampaignsDocument } from '@campaigns/graphql';
import { graphqlErrors, HUBSPOT_TOKEN, notesInputs, startStack, type Stack } from './stack.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${CALLER_SPAN_ID}-01`;

interface SentHeaders {
  url: string;
  traceparent: string | null;
  requestId: string | null;
}

/** A fetch for HubSpot calls that notes the headers of each request as it goes on the wire. */
function capturingFetch(sent: SentHeaders[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    sent.push({
      url: request.url,
      traceparent: request.headers.get('traceparent'),
      requestId: request.headers.get('x-request-id'),
    });
    return fetch(request);
  };
}

describe('tracing', () => {
  let stack: Stack | undefined;
  let stub: Server | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
    await new Promise<void>((resolve) => (stub ? stub.close(() => resolve()) : resolve()));
    stub = undefined;
  });

  async function tracedStack() {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const sent: SentHeaders[] = [];
    stack = await startStack({ deps: { tracerProvider: provider, fetch: capturingFetch(sent) } });
    return { stack, exporter, sent };
  }

  const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
  const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  it('traces a mutation of 120 campaigns under the caller’s traceparent, down to each HubSpot request', async () => {
    const { stack, exporter, sent } = await tracedStack();
    const ids = stack.sim.store
      .list()
      .slice(0, 120)
      .map((c) => c.id);
    stack.sim.script({ status: 429, policyName: 'TEN_SECONDLY_ROLLING', retryAfterSeconds: 0 });

    const { updateCampaigns: payload } = await stack
      .client({ traceparent: TRACEPARENT, tracestate: 'vendor=abc', 'x-request-id': 'trace-req-1' })
      .request(UpdateCampaignsDocument, { inputs: notesInputs(ids) });
    expect(payload.status).toBe('COMPLETE');
    expect(payload.numErrors).toBe(0);

    const spans = exporter.getFinishedSpans();
    // One trace: the caller's.
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([TRACE_ID]));

    const operations = named(spans, 'mutation UpdateCampaigns');
    expect(operations).toHaveLength(1);
    const operation = operations[0]!;
    expect(parentId(operation)).toBe(CALLER_SPAN_ID);
    expect(operation.attributes).toMatchObject({
      'graphql.operation.type': 'mutation',
      'graphql.operation.name': 'UpdateCampaigns',
      'enduser.id': 'anonymous',
      'gateway.request_id': 'trace-req-1',
      'http.response.status_code': 200,
    });
    expect(operation.status.code).not.toBe(2);

    const runs = named(spans, 'campaigns.update');
    expect(runs).toHaveLength(1);
    expect(parentId(runs[0]!)).toBe(operation.spanContext().spanId);
    expect(runs[0]!.attributes).toMatchObject({
      'campaigns.items': 120,
      'campaigns.chunks': 3,
      'campaigns.outcome.status': 'COMPLETE',
      'campaigns.rate_limited': 1,
      'campaigns.retries': 1,
      'campaigns.requests': 4,
    });

    const chunks = named(spans, 'campaigns.update chunk');
    expect(chunks).toHaveLength(3);
    for (const c of chunks) expect(parentId(c)).toBe(runs[0]!.spanContext().spanId);
    const limited = chunks.filter((c) => c.events.some((e) => e.name === 'campaigns.rate_limited'));
    expect(limited).toHaveLength(1);
    expect(limited[0]!.events.map((e) => e.name)).toContain('campaigns.retry');

    const requests = named(spans, 'POST /marketing/v3/campaigns/batch/update');
    expect(requests.length).toBeGreaterThanOrEqual(4);
    const chunkIds = new Set(chunks.map((c) => c.spanContext().spanId));
    for (const r of requests) expect(chunkIds.has(parentId(r)!)).toBe(true);
    const statuses = requests.map((r) => r.attributes['http.response.status_code']).sort();
    expect(statuses).toEqual([200, 200, 200, 429]);
    const ok = requests.find((r) => r.attributes['http.response.status_code'] === 200)!;
    expect(ok.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.template': '/marketing/v3/campaigns/batch/update',
      'server.address': '127.0.0.1',
      'hubspot.ratelimit.max': expect.any(Number),
      'hubspot.ratelimit.remaining': expect.any(Number),
    });
    expect(String(ok.attributes['url.full'])).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/marketing\//);

    // HubSpot received each request's own span as parent, in the caller's trace, and the request id.
    const batchCalls = sent.filter((s) => s.url.includes('/batch/update'));
    expect(batchCalls).toHaveLength(4);
    const requestIds = new Set(requests.map((r) => r.spanContext().spanId));
    for (const call of batchCalls) {
      expect(call.requestId).toBe('trace-req-1');
      const [, traceId, spanId] = call.traceparent?.split('-') ?? [];
      expect(traceId).toBe(TRACE_ID);
      expect(requestIds.has(spanId!)).toBe(true);
    }

    // No credential anywhere in what a collector would receive.
    const exported = JSON.stringify(
      spans.map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status,
      })),
    );
    expect(exported).not.toContain(HUBSPOT_TOKEN);
    expect(exported.toLowerCase()).not.toContain('bearer');
    expect(exported.toLowerCase()).not.toContain('authorization');
  });

  it('records GraphQL errors on the operation span; a malformed traceparent starts a new trace', async () => {
    const { stack, exporter, sent } = await tracedStack();
    const { errors } = await graphqlErrors(
      stack
        .client({ traceparent: '00-not-a-trace-01' })
        .request(UpdateCampaignsDocument, { inputs: [{ id: 'has spaces', properties: [] }] }),
    );
    expect(errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(sent).toHaveLength(0);
    const [operation] = named(exporter.getFinishedSpans(), 'mutation UpdateCampaigns');
    expect(operation).toBeDefined();
    expect(operation!.parentSpanContext).toBeUndefined();
    expect(operation!.status.code).toBe(2);
    expect(operation!.attributes['error.type']).toBe('BAD_USER_INPUT');
    expect(operation!.events[0]).toMatchObject({
      name: 'exception',
      attributes: expect.objectContaining({ 'exception.type': 'BAD_USER_INPUT' }),
    });
    expect(named(exporter.getFinishedSpans(), 'campaigns.update')).toHaveLength(0);
  });

  it('is off by default: no traceparent goes to HubSpot, the request id still does', async () => {
    const sent: SentHeaders[] = [];
    stack = await startStack({ deps: { fetch: capturingFetch(sent) } });
    const ids = stack.sim.store
      .list()
      .slice(0, 3)
      .map((c) => c.id);
    await stack
      .client({ traceparent: TRACEPARENT, 'x-request-id': 'untraced-1' })
      .request(UpdateCampaignsDocument, { inputs: notesInputs(ids) });
    const batchCalls = sent.filter((s) => s.url.includes('/batch/update'));
    expect(batchCalls).toHaveLength(1);
    expect(batchCalls[0]).toMatchObject({ traceparent: null, requestId: 'untraced-1' });
    expect(stack.logs.join('\n')).not.toContain('tracing on');
  });

  it('exports over OTLP/HTTP to the configured collector, flushing on close', async () => {
    const received: Array<{ path: string; type: string | undefined; body: string }> = [];
    stub = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          type: req.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => stub!.listen(0, '127.0.0.1', resolve));
    const port = (stub.address() as AddressInfo).port;
    stack = await startStack({
      env: {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_SERVICE_NAME: 'campaigns-gateway-test',
      },
    });
    expect(stack.logs.join('\n')).toContain('tracing on');
    const ids = stack.sim.store
      .list()
      .slice(0, 2)
      .map((c) => c.id);
    await stack.client().request(UpdateCampaignsDocument, { inputs: notesInputs(ids) });
    await stack.close(); // flushes the BatchSpanProcessor
    stack = undefined;

    expect(received.length).toBeGreaterThan(0);
    expect(received[0]!.path).toBe('/v1/traces');
    expect(received[0]!.type).toContain('application/json');
    const all = received.map((r) => r.body).join('\n');
    expect(all).toContain('campaigns-gateway-test');
    for (const name of ['mutation UpdateCampaigns', 'campaigns.update', 'campaigns.update chunk'])
      expect(all).toContain(`"${name}"`);
    expect(all).toContain('POST /marketing/v3/campaigns/batch/update');
    expect(all).not.toContain(HUBSPOT_TOKEN);
  });
});
