// A create HubSpot may have applied is not sent again: a second create would make the campaigns
// twice. Every other transient failure of a create, and any of an update, is retried as before.
import { HubSpotAnswerTooLargeError } from '@campaigns/hubspot-client';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../src/failure.js';
import { CoreCategory, createCampaigns, updateCampaigns } from '../src/index.js';
import { campaign, fakeHubSpot, jsonResponse, okEcho, type SentRequest } from './fake-hubspot.js';

const fastRetry = { baseDelayMs: 1, maxDelayMs: 5 };
const created = (req: SentRequest) =>
  jsonResponse(201, {
    status: 'COMPLETE',
    results: req.inputs.map((i, n) => campaign(`new-${n}`, i.properties)),
    startedAt: '2026-01-01T00:00:00Z',
    completedAt: '2026-01-01T00:00:01Z',
  });
const inputs = [{ properties: { hs_name: 'Spring' } }, { properties: { hs_name: 'Summer' } }];

describe('a create that may have been applied', () => {
  it('is not sent again after a timeout: its items fail, saying it may have been applied', async () => {
    // The injected fetch's timeout: the request was out, HubSpot may have acted on it.
    const { client, log } = fakeHubSpot((req, n) => (n === 1 ? 'hang' : created(req)), {
      timeoutMs: 20,
    });
    const outcome = await createCampaigns(client, inputs, { retry: fastRetry });
    expect(log).toHaveLength(1);
    expect(outcome.results).toEqual([]);
    expect(outcome.errors).toHaveLength(1);
    expect(outcome.errors[0]).toMatchObject({
      category: CoreCategory.RETRIES_EXHAUSTED,
      subCategory: 'NETWORK',
      ids: ['#0', '#1'],
    });
    expect(outcome.errors[0]!.message).toMatch(/may have applied this create/);
  });

  it('is sent again after a failure that did not reach HubSpot', async () => {
    const { client, log } = fakeHubSpot((req, n) => (n === 1 ? 'drop' : created(req)));
    const outcome = await createCampaigns(client, inputs, { retry: fastRetry });
    expect(log).toHaveLength(2);
    expect(outcome.errors).toEqual([]);
    expect(outcome.results).toHaveLength(2);
  });

  it('leaves an update retried after a timeout', async () => {
    const { client, log } = fakeHubSpot((req, n) => (n === 1 ? 'hang' : okEcho(req)), {
      timeoutMs: 20,
    });
    const outcome = await updateCampaigns(
      client,
      [{ id: 'cmp-1', properties: { hs_name: 'Spring' } }],
      { retry: fastRetry },
    );
    expect(log).toHaveLength(2);
    expect(outcome.errors).toEqual([]);
  });
});

describe('an answer too large to read', () => {
  it('is unexpected to the core: booked at once, never retried', () => {
    const error = new HubSpotAnswerTooLargeError({
      method: 'POST',
      path: '/marketing/v3/campaigns/batch/read',
      status: 200,
      limitBytes: 1024,
    });
    expect(classifyFailure(error).kind).toBe('unexpected');
  });
});
