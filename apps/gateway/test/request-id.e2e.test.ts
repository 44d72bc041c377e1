// The gateway's request id reaches HubSpot as X-Request-Id on the client's default (lean)
// transport: every call a request makes carries its own request's id, concurrent requests never
// each other's, and the process's client stays on the lean transport (no middleware on it, which
// would send every call through WHATWG Request and Response objects). A recording proxy between
// the gateway and the simulator sees what goes on the wire. A job's calls carry `job:<job id>`.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CampaignListDocument,
  ReadCampaignsDocument,
  UpdateCampaignsDocument,
} from '@campaigns/graphql';
import { startJob, untilEnded } from './jobs-helpers.js';
import { notesInputs, startStack, type Stack } from './stack.js';

interface Seen {
  method: string;
  path: string;
  requestId: string | undefined;
  body: string;
}

/** A proxy to `target()` that notes each request's method, path, X-Request-Id and body. */
async function recordingProxy(
  target: () => string,
): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const header = req.headers['x-request-id'];
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        requestId: Array.isArray(header) ? header.join(', ') : header,
        body: body.toString('utf8'),
      });
      const upstream = new URL(target());
      const forward = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, seen };
}

describe('X-Request-Id to HubSpot', () => {
  let stack: Stack | undefined;
  let proxy: Server | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    proxy = undefined;
  });

  async function proxiedStack() {
    let simUrl = '';
    const recording = await recordingProxy(() => simUrl);
    proxy = recording.server;
    // No injected fetch: the HubSpot client's own transport, as in production.
    stack = await startStack({ env: { HUBSPOT_BASE_URL: recording.url } });
    simUrl = stack.sim.url;
    return { stack, seen: recording.seen };
  }

  it('sends each request’s own id with every HubSpot call it makes, on the default transport', async () => {
    const { stack, seen } = await proxiedStack();
    const ids = stack.sim.store
      .list()
      .slice(0, 120)
      .map((c) => c.id);
    const [first, second] = [ids.slice(0, 60), ids.slice(60)];
    // Two mutations at once (two chunks each), then a read and a list.
    await Promise.all([
      stack
        .client({ 'x-request-id': 'rid-update-a' })
        .request(UpdateCampaignsDocument, { inputs: notesInputs(first) }),
      stack
        .client({ 'x-request-id': 'rid-update-b' })
        .request(UpdateCampaignsDocument, { inputs: notesInputs(second) }),
    ]);
    await stack
      .client({ 'x-request-id': 'rid-read' })
      .request(ReadCampaignsDocument, { ids: [ids[0]!] });
    await stack.client({ 'x-request-id': 'rid-list' }).request(CampaignListDocument, { first: 5 });

    const updates = seen.filter((s) => s.path.endsWith('/batch/update'));
    expect(updates.length).toBeGreaterThanOrEqual(4);
    for (const call of updates) {
      const sent = (JSON.parse(call.body) as { inputs: Array<{ id: string }> }).inputs.map(
        (i) => i.id,
      );
      const expected = first.includes(sent[0]!) ? 'rid-update-a' : 'rid-update-b';
      expect(call.requestId).toBe(expected);
      expect(sent.every((id) => (expected === 'rid-update-a' ? first : second).includes(id))).toBe(
        true,
      );
    }
    expect(seen.filter((s) => s.path.endsWith('/batch/read')).map((s) => s.requestId)).toEqual([
      'rid-read',
    ]);
    const lists = seen.filter((s) => s.method === 'GET');
    expect(lists.length).toBeGreaterThan(0);
    for (const call of lists) expect(call.requestId).toBe('rid-list');
    // A generated id when the caller sends none, still one per request.
    seen.length = 0;
    const response = await stack.http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query { campaigns(ids: ["' + ids[0] + '"]) { status } }',
      }),
    });
    expect(response.status).toBe(200);
    expect(seen.map((s) => s.requestId)).toEqual([response.headers.get('x-request-id')]);
  });

  it('sends job:<id> with every HubSpot call of a job, whichever request started its worker', async () => {
    const { stack, seen } = await proxiedStack();
    const ids = stack.sim.store
      .list()
      .slice(0, 120)
      .map((c) => c.id);
    const client = stack.client({ 'x-request-id': 'rid-start' });
    const job = await startJob(client, notesInputs(ids));
    expect((await untilEnded(client, job.id)).status).toBe('COMPLETE');
    const calls = seen.filter((s) => s.path.endsWith('/batch/update'));
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const call of calls) expect(call.requestId).toBe(`job:${job.id}`);
  });

  it('keeps the process’s client and each request’s on the lean transport (no middleware)', async () => {
    const { stack, seen } = await proxiedStack();
    const id = stack.sim.store.list()[0]!.id;
    for (const client of [stack.gateway.hubspot, stack.gateway.hubspotFor('rid-lean')]) {
      const { response } = await client.POST('/batch/read', { body: { inputs: [{ id }] } });
      // A middleware would have sent the call through openapi-fetch, answering a WHATWG Response.
      expect(response instanceof Response).toBe(false);
      expect(response.ok).toBe(true);
    }
    expect(seen.map((s) => s.requestId)).toEqual([undefined, 'rid-lean']);
  });
});
