// What the page says when a request gets no readable answer (the gateway down, or its CORS
// refusing this page's origin) and when the gateway refuses the caller's sign-in.
import { CampaignListDocument } from '@campaigns/graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway, GatewayError } from '../src/api';

const ENDPOINT = 'https://gateway.example/graphql';
const VARIABLES = { first: 1, after: null, name: null };

afterEach(() => vi.unstubAllGlobals());

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('the gateway client', () => {
  it('names the gateway and CORS_ORIGINS when a request gets no answer the page may read', async () => {
    vi.stubGlobal('location', new URL('https://editor.example.com/tools/'));
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    for (const endpoint of [ENDPOINT, '/graphql']) {
      const error = await refusal(
        createGateway({ endpoint }).request(CampaignListDocument, VARIABLES),
      );
      const url = endpoint === ENDPOINT ? ENDPOINT : 'https://editor.example.com/graphql';
      expect(error.code).toBe('GATEWAY_UNREACHABLE');
      expect(error.message).toBe(
        `the gateway at ${url} could not be reached: it is down, or it does not allow this page's origin (https://editor.example.com), which its CORS_ORIGINS must list`,
      );
    }
  });

  it('passes an abort on as it is, and a failing getAccessToken as its own error', async () => {
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) =>
      Promise.reject(init.signal!.reason as Error),
    );
    const abort = new AbortController();
    abort.abort(new DOMException('stopped', 'AbortError'));
    await expect(
      createGateway({ endpoint: ENDPOINT }).request(CampaignListDocument, VARIABLES, abort.signal),
    ).rejects.toThrow('stopped');
    const hostFailure = new Error('the host app has nobody signed in');
    await expect(
      createGateway({
        endpoint: ENDPOINT,
        getAccessToken: () => Promise.reject(hostFailure),
      }).request(CampaignListDocument, VARIABLES),
    ).rejects.toBe(hostFailure);
  });

  it('says the sign-in was refused, with the gateway’s reason, on UNAUTHENTICATED', async () => {
    vi.stubGlobal('fetch', () =>
      Promise.resolve(
        Response.json(
          {
            errors: [{ message: 'the token has expired', extensions: { code: 'UNAUTHENTICATED' } }],
          },
          { status: 401 },
        ),
      ),
    );
    const error = await refusal(
      createGateway({ endpoint: ENDPOINT, getAccessToken: () => 'a.b.c' }).request(
        CampaignListDocument,
        VARIABLES,
      ),
    );
    expect([error.code, error.status]).toEqual(['UNAUTHENTICATED', 401]);
    expect(error.message).toBe(
      'the gateway refused the sign-in: the token has expired. Sign in again, or ask the host app for a new token',
    );
  });

  it('keeps other GraphQL errors as the gateway wrote them', async () => {
    const message =
      'updating campaigns requires the scope "campaigns:write", which user-1 does not have';
    vi.stubGlobal('fetch', () =>
      Promise.resolve(
        Response.json(
          { errors: [{ message, extensions: { code: 'FORBIDDEN' } }] },
          { status: 403 },
        ),
      ),
    );
    const error = await refusal(
      createGateway({ endpoint: ENDPOINT }).request(CampaignListDocument, VARIABLES),
    );
    expect(error.message).toBe(message);
  });
});
