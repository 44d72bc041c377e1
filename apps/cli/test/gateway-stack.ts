// A real gateway for `--gateway` tests, started in this process (createGateway, the in-process job
// store, AUTH_MODE=api-key, trusted documents only) in front of a simulator; and a small HTTP proxy
// to put in front of it, for what the gateway itself would not do (refuse its event stream).
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createGateway, hashApiKey, loadConfig, type Gateway } from '@campaigns/gateway';
import { DEFAULT_SIM_TOKEN, type HubSpotSim, type HubSpotSimOptions } from '@campaigns/hubspot-sim';
import { afterEach } from 'vitest';
import { csv, sim } from './helpers.js';

export const KEY = 'cli-gateway-key-3f9a1c7e5b2d4086';
/** No HubSpot token in the command's environment: only the gateway's key. */
export const ENV = { HUBSPOT_TOKEN: '', HUBSPOT_CAMPAIGNS_GATEWAY_TOKEN: KEY };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export interface StackOptions {
  /** Gateway settings on top of the tests' (MAX_QUEUED_JOBS_PER_CALLER, MAX_JOB_BODY_BYTES, …). */
  env?: Record<string, string>;
  /** The token the gateway sends HubSpot (default: the simulator's). */
  hubspotToken?: string;
}

export async function stack(
  options: HubSpotSimOptions = {},
  { env = {}, hubspotToken = DEFAULT_SIM_TOKEN }: StackOptions = {},
): Promise<{ s: HubSpotSim; gw: Gateway; logs: string[] }> {
  const s = await sim(options);
  const logs: string[] = [];
  const config = loadConfig({
    PORT: '0',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    AUTH_MODE: 'api-key',
    GATEWAY_API_KEYS: `cli:${hashApiKey(KEY)}:campaigns:read campaigns:write`,
    // What production allows: the command's documents must be the trusted ones, as printed.
    ALLOW_ARBITRARY_DOCUMENTS: 'false',
    ...env,
  });
  const gw = await createGateway(config, {
    hubspot: { baseUrl: s.url, token: hubspotToken },
    logDestination: { write: (line: string) => void logs.push(line) },
    defaultMetrics: false,
  });
  cleanups.push(() => gw.close());
  return { s, gw, logs };
}

/** The gateway's count of job lifecycle events (`queued`, `ended`, …). */
/** `update --file e.csv --report r.jsonl --job-size N --gateway URL`: the tests' usual run. */
export function gatewayUpdate(origin: string, jobSize: number): string[] {
  return [
    'update',
    '--file',
    'e.csv',
    '--report',
    'r.jsonl',
    '--job-size',
    String(jobSize),
    '--gateway',
    origin,
  ];
}

export async function jobEvents(gw: Gateway, event: string): Promise<number> {
  const { values } = await gw.metrics.jobs.get();
  return values.find((v) => v.labels.event === event)?.value ?? 0;
}

/** e.csv: one row per id setting hs_notes to `note <i>`, then `extra` rows as they are. */
export function notesFile(dir: string, ids: string[], extra: string[][] = []): void {
  writeFileSync(
    path.join(dir, 'e.csv'),
    csv([['id', 'hs_notes'], ...ids.map((id, i) => [id, `note ${i}`]), ...extra]),
  );
}

export interface Proxy {
  /** `http://127.0.0.1:port`: give it as --gateway. */
  origin: string;
  /** Every request that came through: method, path and the operation named in its body. */
  seen: Array<{ method: string; path: string; operation: string | undefined }>;
  /** Stops listening and drops every connection: the gateway is gone, as the command sees it. */
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Answer this status here instead of passing the request on (a proxy without the stream). */
  refuse?: (path: string, operation: string | undefined) => number | undefined;
  /** Answer 200 with an event stream's headers, then nothing at all (a stalled stream). */
  hang?: (path: string) => boolean;
  /** Pass the request on, then answer this status instead of the gateway's answer. */
  after?: (operation: string | undefined) => number | undefined;
  /** Pass the request on, and answer this instead of the gateway's answer (JSON text). */
  alter?: (operation: string | undefined, answer: string) => string;
}

/** An HTTP proxy to `target` (a gateway's origin) that misbehaves as `options` say. */
export async function proxy(target: string, options: ProxyOptions = {}): Promise<Proxy> {
  const upstream = new URL(target);
  const seen: Proxy['seen'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const operation = operationOf(body);
      seen.push({ method: req.method ?? '', path: url.pathname, operation });
      const status = options.refuse?.(url.pathname, operation);
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'text/plain' }).end('refused by the proxy\n');
        return;
      }
      if (options.hang?.(url.pathname)) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        return;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer: IncomingMessage) => {
          const instead = options.after?.(operation);
          const alter = options.alter;
          if (instead === undefined && !alter) {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            if (instead !== undefined) {
              res.writeHead(instead, { 'content-type': 'text/plain' }).end('gateway timeout\n');
              return;
            }
            const text = alter!(operation, Buffer.concat(parts).toString());
            const {
              'content-length': _length,
              'transfer-encoding': _encoding,
              ...headers
            } = answer.headers;
            res.writeHead(answer.statusCode ?? 502, headers).end(text);
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  cleanups.push(close);
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, seen, close };
}

function operationOf(body: Buffer): string | undefined {
  try {
    const query = (JSON.parse(body.toString()) as { query?: unknown }).query;
    return typeof query === 'string'
      ? /^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1]
      : undefined;
  } catch {
    return undefined;
  }
}
