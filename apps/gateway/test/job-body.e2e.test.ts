// A job of the documented default size fits with the default limits: a body over MAX_BODY_BYTES
// is read, up to MAX_JOB_BODY_BYTES, for a caller holding the write scope (that declares its
// length), MAX_JOB_BODIES_INFLIGHT at a time; anyone else's is still refused at MAX_BODY_BYTES.
// Too many campaigns is one refusal, whichever check found it.
import {
  CancelCampaignUpdateDocument,
  StartCampaignUpdateDocument,
  type StartCampaignUpdateMutation,
} from '@campaigns/graphql';
import { DEFAULT_MAX_CAMPAIGNS_PER_JOB } from '@campaigns/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { apiKeyEntry, graphqlBody, startStack, type Stack } from './stack.js';

const WRITER = 'writer-key-0123456789';
const READER = 'reader-key-0123456789';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    // Every id of the job exists, and no 429 slows the few requests it sends before the cancel.
    sim: { campaigns: 10, rateLimit: false },
    env: {
      AUTH_MODE: 'api-key',
      GATEWAY_API_KEYS: [
        apiKeyEntry('writer', WRITER),
        apiKeyEntry('reader', READER, 'campaigns:read'),
      ].join(','),
    },
  });
});
afterAll(() => stack.close());

/** A startCampaignUpdate body of `count` inputs, in the README's shape. */
function startBody(count: number): string {
  const inputs = Array.from({ length: count }, (_, i) => ({
    id: String(100_000_000 + i),
    properties: [{ name: 'hs_notes', value: `row ${i}` }],
  }));
  return graphqlBody(StartCampaignUpdateDocument, { inputs });
}

const post = (body: string, key?: string) =>
  stack.http('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { 'x-api-key': key } : {}),
    },
    body,
  });

describe('the body of a job', () => {
  it('takes MAX_CAMPAIGNS_PER_JOB inputs with the default limits', async () => {
    const body = startBody(DEFAULT_MAX_CAMPAIGNS_PER_JOB);
    expect(Buffer.byteLength(body)).toBeGreaterThan(loadConfig({}).limits.maxBodyBytes);
    const response = await post(body, WRITER);
    const answer = (await response.json()) as {
      data?: StartCampaignUpdateMutation;
      errors?: unknown;
    };
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.startCampaignUpdate).toMatchObject({
      total: DEFAULT_MAX_CAMPAIGNS_PER_JOB,
      status: 'PENDING',
    });
    // Stopped at once: this test is about the body, not the run.
    const canceled = await stack
      .client({ 'x-api-key': WRITER })
      .request(CancelCampaignUpdateDocument, {
        id: answer.data!.startCampaignUpdate.id,
      });
    expect(canceled.cancelCampaignUpdate.status).toBe('CANCELED');
  });

  it('still refuses a large body at MAX_BODY_BYTES for a caller without the write scope', async () => {
    const response = await post(startBody(20_000), READER);
    expect(response.status).toBe(413);
    const answer = (await response.json()) as {
      errors: Array<{ extensions: { code: string; limit: { setting: string } } }>;
    };
    expect(answer.errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: { setting: 'MAX_BODY_BYTES' },
    });
  });

  it('refuses a stranger before reading its large body', async () => {
    const response = await post(startBody(20_000));
    expect(response.status).toBe(401);
  });
});

describe('more campaigns than MAX_CAMPAIGNS_PER_JOB', () => {
  it('is one BAD_USER_INPUT naming the setting', async () => {
    const count = DEFAULT_MAX_CAMPAIGNS_PER_JOB + 1;
    const response = await post(startBody(count), WRITER);
    const answer = (await response.json()) as {
      errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    };
    expect(answer.errors[0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: {
        setting: 'MAX_CAMPAIGNS_PER_JOB',
        max: DEFAULT_MAX_CAMPAIGNS_PER_JOB,
        actual: count,
      },
    });
  });
});
