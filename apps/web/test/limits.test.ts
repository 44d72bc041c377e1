// The page checks the gateway's limits before sending; its defaults must be the gateway's.
import { loadConfig } from '@campaigns/gateway';
import { describe, expect, it } from 'vitest';
import { GATEWAY_DEFAULT_LIMITS, LIMITS } from '../src/limits';

describe('the limits the page checks', () => {
  it("are the gateway's defaults", () => {
    const config = loadConfig({});
    expect(GATEWAY_DEFAULT_LIMITS).toEqual({
      maxCampaignsPerJob: config.jobs.maxCampaignsPerJob,
      maxPropertiesPerCampaign: config.limits.maxPropertiesPerCampaign,
      maxPropertyValueLength: config.limits.maxPropertyValueLength,
      maxBodyBytes: config.limits.maxBodyBytes,
      maxJobBodyBytes: config.limits.maxJobBodyBytes,
    });
    expect(LIMITS).toEqual(GATEWAY_DEFAULT_LIMITS);
  });
});
