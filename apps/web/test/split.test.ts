// The page measures a job's body as it sends it and splits the inputs to fit the gateway's limit
// for the caller; the measure is checked against a real gateway: a body of exactly the limit is
// read, one byte more is refused with 413.
import { createGateway, loadConfig, type Gateway } from '@campaigns/gateway';
import { CAMPAIGN_SCOPES, startHubSpotSim, type HubSpotSim } from '@campaigns/hubspot-sim';
import { StartCampaignUpdateDocument } from '@campaigns/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestBody, statusMessage } from '../src/api';
import type { UpdateInput } from '../src/inputs';
import { GATEWAY_DEFAULT_LIMITS } from '../src/limits';
import { bodyLimitFor, BodyTooLargeError, splitForBody, startBodyBytes } from '../src/split';

const TOKEN = 'pat-na1-00000000-split-test-0000-000000000000';
const inputsOf = (n: number, value: (i: number) => string): UpdateInput[] =>
  Array.from({ length: n }, (_, i) => ({
    id: String(1_000_000 + i),
    properties: [{ name: 'hs_notes', value: value(i) }],
  }));

describe('splitForBody', () => {
  it('picks MAX_BODY_BYTES without credentials and MAX_JOB_BODY_BYTES with them', () => {
    expect(bodyLimitFor(GATEWAY_DEFAULT_LIMITS, false)).toEqual({
      bytes: 1024 * 1024,
      setting: 'MAX_BODY_BYTES',
    });
    expect(bodyLimitFor(GATEWAY_DEFAULT_LIMITS, true)).toEqual({
      bytes: 16 * 1024 * 1024,
      setting: 'MAX_JOB_BODY_BYTES',
    });
  });

  it('cuts the inputs, in order, into parts each within the limit as sent (UTF-8 bytes)', () => {
    // 15,000 short inputs are over 1 MB: the body the review saw refused.
    const inputs = inputsOf(15_000, (i) => `note ${i} – é`);
    const limit = bodyLimitFor(GATEWAY_DEFAULT_LIMITS, false);
    expect(startBodyBytes(inputs)).toBeGreaterThan(limit.bytes);
    const parts = splitForBody(inputs, limit, GATEWAY_DEFAULT_LIMITS.maxCampaignsPerJob);
    expect(parts.length).toBe(2);
    expect(parts.flat()).toEqual(inputs);
    for (const part of parts) {
      const sent = new TextEncoder().encode(
        requestBody(StartCampaignUpdateDocument, { inputs: part }),
      ).length;
      expect(sent).toBe(startBodyBytes(part));
      expect(sent).toBeLessThanOrEqual(limit.bytes);
    }
    // Full parts: the first could not take the next input.
    expect(startBodyBytes([...parts[0]!, parts[1]![0]!])).toBeGreaterThan(limit.bytes);
    // One part with credentials; and never more inputs per part than a job takes.
    expect(splitForBody(inputs, bodyLimitFor(GATEWAY_DEFAULT_LIMITS, true), 100_000)).toHaveLength(
      1,
    );
    expect(splitForBody(inputs, bodyLimitFor(GATEWAY_DEFAULT_LIMITS, true), 4_000)).toHaveLength(4);
  });

  it('refuses an input too large on its own, naming the limit', () => {
    const limit = { bytes: 2_048, setting: 'MAX_BODY_BYTES' } as const;
    expect(() =>
      splitForBody(
        inputsOf(1, () => 'x'.repeat(3_000)),
        limit,
        10,
      ),
    ).toThrow(BodyTooLargeError);
    expect(() =>
      splitForBody(
        inputsOf(1, () => 'x'.repeat(3_000)),
        limit,
        10,
      ),
    ).toThrow(/MAX_BODY_BYTES=2048/);
  });

  it('says what a 413 or a 502 means, never a bare status', () => {
    expect(statusMessage(413)).toMatch(/too large.*MAX_BODY_BYTES/);
    expect(statusMessage(502)).toMatch(/could not be reached/);
  });
});

describe('the measure against a real gateway (AUTH_MODE=none, MAX_BODY_BYTES=4096)', () => {
  let sim: HubSpotSim;
  let gateway: Gateway;
  beforeAll(async () => {
    sim = await startHubSpotSim({
      campaigns: 5,
      seed: 1,
      tokens: [{ token: TOKEN, scopes: Object.values(CAMPAIGN_SCOPES) }],
    });
    gateway = await createGateway(
      loadConfig({
        PORT: '0',
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        AUDIT_LOG: 'off',
        AUTH_MODE: 'none',
        MAX_BODY_BYTES: '4096',
        HUBSPOT_TOKEN: TOKEN,
        HUBSPOT_BASE_URL: sim.url,
        ALLOW_ARBITRARY_DOCUMENTS: 'false',
      }),
      { defaultMetrics: false },
    );
  });
  afterAll(async () => {
    await gateway?.close();
    await sim?.close();
  });

  const post = (inputs: UpdateInput[]) =>
    fetch(`${gateway.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: requestBody(StartCampaignUpdateDocument, { inputs }),
    });

  it('reads a body of exactly the limit and refuses one byte more', async () => {
    const id = sim.store.list()[0]!.id;
    // Two-byte characters, then ASCII to land on the exact size.
    const sized = (bytes: number) => {
      const base = startBodyBytes([{ id, properties: [{ name: 'hs_notes', value: '' }] }]);
      const wide = Math.floor((bytes - base) / 4);
      const value = 'é'.repeat(wide) + 'x'.repeat(bytes - base - wide * 2);
      const inputs = [{ id, properties: [{ name: 'hs_notes', value }] }];
      expect(startBodyBytes(inputs)).toBe(bytes);
      return inputs;
    };
    const fits = await post(sized(4096));
    expect(fits.status).toBe(200);
    const body = (await fits.json()) as { data?: { startCampaignUpdate?: { id: string } } };
    expect(body.data?.startCampaignUpdate?.id).toBeTruthy();
    const over = await post(sized(4097));
    expect(over.status).toBe(413);
  });
});
