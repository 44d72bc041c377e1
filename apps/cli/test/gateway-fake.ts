// A fake gateway for the tests of a gateway that answers wrong on purpose: each test says what
// every GraphQL call gets (and what its event stream does); the calls are counted by operation.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

export interface Call {
  op: string | undefined;
  variables: Record<string, unknown>;
}
/** Answers a GraphQL call with this JSON, or handles `res` itself and answers undefined. */
export type Handler = (call: Call, res: ServerResponse) => unknown;

/** A fake gateway: `/graphql/stream` as `stream` says (500 by default), GraphQL by `handle`. */
export async function fakeGateway(
  handle: Handler,
  stream: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    void res.writeHead(500).end('no stream'),
) {
  const calls: Call[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url?.endsWith('/stream')) return stream(req, res);
      const { query, variables } = JSON.parse(Buffer.concat(chunks).toString()) as {
        query: string;
        variables: Record<string, unknown>;
      };
      const call = { op: /(?:query|mutation)\s+(\w+)/.exec(query)?.[1], variables };
      calls.push(call);
      const answer = handle(call, res);
      if (answer !== undefined)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  const count = (op: string) => calls.filter((c) => c.op === op).length;
  return { origin: `http://127.0.0.1:${port}`, calls, count };
}
