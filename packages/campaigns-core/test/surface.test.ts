import { describe, expect, it } from 'vitest';

describe('entry points', () => {
  it('keeps the public entry to what users need; the parts are behind @campaigns/core/internal', async () => {
    const core = await import('@campaigns/core');
    const internal = await import('@campaigns/core/internal');
    expect(Object.keys(core).sort()).toEqual([
      'CoreCategory',
      'DEFAULT_FAIRNESS_KEY',
      'DEFAULT_LIST_PROPERTIES',
      'DEFAULT_MAX_CONCURRENCY',
      'DEFAULT_RETRY_POLICY',
      'DailyLimitReachedError',
      'HUBSPOT_BATCH_LIMIT',
      'InvalidInputsError',
      'ListPageError',
      'MAX_LIST_PAGE_SIZE',
      'RateLimitBudget',
      'archiveCampaigns',
      'checkId',
      'checkIdValue',
      'checkPropertyName',
      'checkUpdateInput',
      'checkUpdateInputs',
      'createCampaigns',
      'describeFailure',
      'listCampaignsPage',
      'readCampaigns',
      'runBatch',
      'updateCampaigns',
    ]);
    for (const name of [
      'namedKeys',
      'bisect',
      'chunk',
      'classifyFailure',
      'backoffDelay',
      'mergeBatchResponses',
    ])
      expect(internal).toHaveProperty(name);
  });
});
