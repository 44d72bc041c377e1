// "Select all matching" reads no more list pages than the cap needs.
import { describe, expect, it } from 'vitest';
import { collectMatching, MAX_LIST_PAGE } from '../src/campaigns';
import { fakeGateway } from './fake-gateway';

function listGateway(count: number) {
  return fakeGateway((name, variables) => {
    expect(name).toBe('CampaignList');
    const from = Number(variables.after ?? 0);
    const first = Number(variables.first);
    const next = from + first < count ? String(from + first) : null;
    const edges = Array.from({ length: Math.min(first, count - from) }, (_, i) => ({
      cursor: next ?? '',
      node: { id: `c${from + i}`, properties: [{ name: 'hs_name', value: `C ${from + i}` }] },
    }));
    return {
      campaignList: {
        totalCount: count,
        edges,
        pageInfo: { endCursor: next, hasNextPage: next !== null },
      },
    };
  });
}

describe('collectMatching', () => {
  it('stops at the cap: ceil(cap / page) list calls at most', async () => {
    for (const [cap, count] of [
      [200, 1_000],
      [250, 1_000],
      [300, 300],
      [50, 1_000],
    ] as const) {
      const gateway = listGateway(count);
      const result = await collectMatching(gateway, { name: '', cap });
      expect(result.rows.map((r) => r.id)).toEqual(
        Array.from({ length: Math.min(cap, count) }, (_, i) => `c${i}`),
      );
      expect(result.capped).toBe(count > cap);
      expect(gateway.calls.length).toBeLessThanOrEqual(Math.ceil(cap / MAX_LIST_PAGE));
    }
  });

  it('reads every page when fewer match than the cap', async () => {
    const gateway = listGateway(250);
    const result = await collectMatching(gateway, { name: '', cap: 1_000 });
    expect([result.rows.length, result.capped, gateway.calls.length]).toEqual([250, false, 3]);
  });
});
