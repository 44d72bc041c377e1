// A stand-in for HubSpot's OAuth token endpoint on 127.0.0.1: records every refresh request and
// answers what the test says, optionally holding answers until the test releases them.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenRequest {
  grant_type: string | null;
  client_id: string | null;
  client_secret: string | null;
  refresh_token: string | null;
}

export interface TokenAnswer {
  status?: number;
  body: Record<string, unknown>;
}

export interface FakeTokenEndpoint {
  url: string;
  requests: TokenRequest[];
  /** What the next requests get (default: a fresh access token each time). */
  answer: (request: TokenRequest, n: number) => TokenAnswer;
  /** While held, answers wait until `release()`. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startFakeTokenEndpoint(
  answer?: FakeTokenEndpoint['answer'],
): Promise<FakeTokenEndpoint> {
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const endpoint: FakeTokenEndpoint = {
    url: '',
    requests: [],
    answer:
      answer ??
      ((_req, n) => ({
        body: {
          access_token: `access-token-number-${n}-abcdef`,
          refresh_token: 'rt-unchanged',
          expires_in: 1800,
          token_type: 'bearer',
        },
      })),
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      open?.();
      gate = undefined;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', async () => {
      const form = new URLSearchParams(text);
      const request: TokenRequest = {
        grant_type: form.get('grant_type'),
        client_id: form.get('client_id'),
        client_secret: form.get('client_secret'),
        refresh_token: form.get('refresh_token'),
      };
      endpoint.requests.push(request);
      const n = endpoint.requests.length;
      await gate;
      const { status = 200, body } = endpoint.answer(request, n);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/v1/token`;
  return endpoint;
}
