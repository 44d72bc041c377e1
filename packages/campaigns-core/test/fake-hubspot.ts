// A HubSpot stand-in behind the real client's injected fetch: each test scripts the answers,
// and the log records what the core actually sent.
import { createHubSpotClient, type HubSpotClient } from '@campaigns/hubspot-client';

export interface SentRequest {
  path: string;
  inputs: Array<{ id?: string; properties?: Record<string, string> }>;
}

export type Answer = Response | 'hang' | 'drop';
export type Handler = (req: SentRequest, n: number) => Answer | Promise<Answer>;

export function campaign(id: string, properties: Record<string, string> = {}) {
  return {
    id,
    properties,
    businessUnits: [{ id: 3_000_000_001 }],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
  };
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** HubSpot's ten-secondly 429, to be retried at once (Retry-After: 0). */
export function rateLimited(): Response {
  return jsonResponse(
    429,
    {
      status: 'error',
      message: 'ten secondly',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    },
    { 'retry-after': '0' },
  );
}

/** 200 with every input echoed as a result, in reverse order (HubSpot does not keep order). */
export function okEcho(req: SentRequest): Response {
  const results = req.inputs.map((i) => campaign(i.id!, i.properties)).reverse();
  return jsonResponse(200, {
    status: 'COMPLETE',
    results,
    startedAt: '2026-01-01T00:00:01.000Z',
    completedAt: '2026-01-01T00:00:02.000Z',
  });
}

export function fakeHubSpot(
  handler: Handler,
  options: { timeoutMs?: number } = {},
): { client: HubSpotClient; log: SentRequest[] } {
  const log: SentRequest[] = [];
  const client = createHubSpotClient({
    token: 'test-token-0123456789',
    baseUrl: 'http://hubspot.test',
    timeoutMs: options.timeoutMs ?? 2000,
    fetch: async (request) => {
      // As fetch does: a request whose signal is already aborted never leaves.
      if (request.signal.aborted) throw request.signal.reason;
      const body = JSON.parse(await request.text()) as { inputs: SentRequest['inputs'] };
      const sent: SentRequest = {
        path: new URL(request.url).pathname.replace('/marketing/v3/campaigns', ''),
        inputs: body.inputs,
      };
      log.push(sent);
      const answer = await handler(sent, log.length);
      if (answer === 'drop') throw new TypeError('fetch failed: socket hang up');
      if (answer === 'hang') {
        return new Promise<Response>((_, reject) => {
          if (request.signal.aborted) return reject(request.signal.reason);
          request.signal.addEventListener('abort', () => reject(request.signal.reason), {
            once: true,
          });
        });
      }
      return answer;
    },
  });
  return { client, log };
}

export const ids = (n: number, prefix = 'cmp') =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

/** HubSpot's answer when some ids are unknown: 207 with one OBJECT_NOT_FOUND error naming them. */
export function answerWithMissing(
  req: SentRequest,
  isMissing: (id: string) => boolean,
  extra: Record<string, unknown> = {},
): Response {
  const found = req.inputs.filter((i) => !isMissing(i.id!));
  const gone = req.inputs.filter((i) => isMissing(i.id!)).map((i) => i.id!);
  return jsonResponse(gone.length ? 207 : 200, {
    status: 'COMPLETE',
    results: found.map((i) => ({ ...campaign(i.id!, i.properties), ...extra })).reverse(),
    ...(gone.length
      ? {
          numErrors: 1,
          errors: [
            {
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              message: 'not found',
              context: { ids: gone },
              errors: [],
              links: {},
            },
          ],
        }
      : {}),
    startedAt: '2026-01-01T00:00:00Z',
    completedAt: '2026-01-01T00:00:01Z',
  });
}
