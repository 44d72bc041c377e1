// A real HTTP server on 127.0.0.1 for client tests: records every request and answers with
// whatever the test's handler decides.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The connection it came on, and how many requests that connection has carried with it. */
  socket: Socket;
  nthOnConnection: number;
}

export type Handler = (req: CapturedRequest, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: CapturedRequest[];
  /** Connections the server accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /**
   * Node's `keepAliveTimeout` (default 5 s). 0: the server sends no `Keep-Alive` hint and keeps
   * idle connections as long as the client does.
   */
  keepAliveTimeout?: number;
}

export async function startTestServer(
  handler: Handler,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const requests: CapturedRequest[] = [];
  const sockets = new Set<Socket>();
  const carried = new WeakMap<Socket, number>();
  let connections = 0;
  const server = createServer(
    { keepAliveTimeout: options.keepAliveTimeout ?? 5_000 },
    (req, res) => {
      const nthOnConnection = (carried.get(req.socket) ?? 0) + 1;
      carried.set(req.socket, nthOnConnection);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const captured: CapturedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          socket: req.socket,
          nthOnConnection,
        };
        requests.push(captured);
        void handler(captured, res);
      });
    },
  );
  server.on('connection', (s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
