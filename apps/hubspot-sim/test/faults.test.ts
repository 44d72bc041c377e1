import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimConfigError, startHubSpotSim } from '../src/index.js';
import { call, campaignIds, closeSims, startSim } from './sim-helpers.js';

afterEach(closeSims);

/** A request that may never be answered: resolves with the status, or with the kind of failure. */
async function outcome(
  sim: Awaited<ReturnType<typeof startSim>>,
  timeoutMs = 2_000,
): Promise<number | 'timeout' | 'network'> {
  try {
    const response = await fetch(`${sim.url}/marketing/v3/campaigns/?limit=1`, {
      headers: { Authorization: 'Bearer sim-private-app-token' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.text();
    return response.status;
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'timeout' : 'network';
  }
}

describe('scripted faults', () => {
  it('answers the next calls with the scripted statuses, in order, then handles calls normally', async () => {
    const sim = await startSim();
    sim.script({ status: 503 }, { status: 500 });
    const answers = [
      await call(sim, 'GET', '/'),
      await call(sim, 'GET', '/'),
      await call(sim, 'GET', '/'),
    ];
    expect(answers.map((a) => a.status)).toEqual([503, 500, 200]);
    expect(answers[0]!.body).toMatchObject({ status: 'error', category: 'SERVICE_UNAVAILABLE' });
    expect(answers[1]!.body).toMatchObject({ status: 'error', category: 'INTERNAL_ERROR' });
    expect(sim.stats().faultsInjected).toEqual({ '503': 1, '500': 1 });
  });

  it('answers a scripted 429 with its policy and Retry-After, counted as rate limited', async () => {
    const sim = await startSim();
    sim.script({ status: 429, policyName: 'SECONDLY', retryAfterSeconds: 3 });
    const { status, body, headers } = await call(sim, 'POST', '/batch/read', {
      body: { inputs: [{ id: 'x' }] },
    });
    expect(status).toBe(429);
    expect(body).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
    expect(headers.get('retry-after')).toBe('3');
    expect(headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(sim.stats()).toMatchObject({ rateLimited: 1, rateLimitedByPolicy: { SECONDLY: 1 } });
  });

  it('answers a scripted 502 or 504 with an HTML page, as HubSpot’s edge does', async () => {
    const sim = await startSim();
    sim.script({ status: 502 }, { status: 504 });
    const [bad, timeout] = [
      await call<string>(sim, 'GET', '/'),
      await call<string>(sim, 'GET', '/'),
    ];
    expect([bad.status, timeout.status]).toEqual([502, 504]);
    expect(bad.headers.get('content-type')).toMatch(/^text\/html/);
    expect(bad.body).toContain('Bad Gateway');
  });

  it('uses no rate budget for scripted answers', async () => {
    const sim = await startSim({ rateLimit: { max: 2, intervalMs: 60_000 } });
    sim.script({ status: 503 }, { status: 503 }, { status: 503 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(sim, 'GET', '/')).status);
    expect(statuses).toEqual([503, 503, 503, 200, 200]);
  });

  it('does not let a scripted failure change the store', async () => {
    const sim = await startSim();
    const [id] = campaignIds(sim, 1);
    sim.script({ status: 500 });
    await call(sim, 'POST', '/batch/update', {
      body: { inputs: [{ id, properties: { hs_notes: 'lost' } }] },
    });
    expect(sim.store.get(id!)?.properties.hs_notes).not.toBe('lost');
  });

  it('hangs a scripted call until the client gives up', async () => {
    const sim = await startSim();
    sim.script({ kind: 'hang' });
    expect(await outcome(sim, 150)).toBe('timeout');
    await vi.waitFor(() => expect(sim.stats().byEndpoint['GET /']).toEqual({ hang: 1 }));
    expect(await outcome(sim)).toBe(200);
  });

  it('drops the connection after a timed hang', async () => {
    const sim = await startSim();
    sim.script({ kind: 'hang', ms: 50 });
    expect(await outcome(sim)).toBe('network');
  });

  it('drops a scripted call’s connection without an answer', async () => {
    const sim = await startSim();
    sim.script({ kind: 'drop' });
    expect(await outcome(sim)).toBe('network');
    expect(sim.stats().byEndpoint['GET /']).toEqual({ drop: 1 });
    expect(sim.stats().faultsInjected).toEqual({ drop: 1 });
  });

  it('delays a scripted call and then answers it normally', async () => {
    const sim = await startSim();
    sim.script({ kind: 'delay', ms: 30 });
    expect(await outcome(sim)).toBe(200);
    expect(sim.stats().faultsInjected).toEqual({ delay: 1 });
  });

  it('counts a delayed call against the window when it arrives after its delay (a cold start)', async () => {
    // The benchmarks' cold start rests on this: a call held by a scripted delay reaches the
    // window later than a call sent after it, so the later call takes the last slot.
    const sim = await startSim({ rateLimit: { max: 1, intervalMs: 60_000 } });
    sim.script({ kind: 'delay', ms: 1_500 });
    const late = outcome(sim, 10_000);
    await vi.waitFor(() => expect(sim.stats().faultsInjected).toEqual({ delay: 1 }));
    expect(await outcome(sim)).toBe(200);
    expect(await late).toBe(429);
    expect(sim.stats().rateLimited).toBe(1);
  });

  it("stamps a delayed call's requestedAt and startedAt after its delay, when it is counted", async () => {
    const sim = await startSim();
    sim.script({ kind: 'delay', ms: 300 });
    const sentAt = Date.now();
    const { body } = await call<{ requestedAt: string; startedAt: string }>(
      sim,
      'POST',
      '/batch/update',
      { body: { inputs: [{ id: campaignIds(sim, 1)[0], properties: {} }] } },
    );
    expect(Date.parse(body.startedAt)).toBeGreaterThanOrEqual(sentAt + 300);
    expect(Date.parse(body.requestedAt)).toBeGreaterThanOrEqual(sentAt + 300);
  });

  it('ends hung calls when the sim closes', async () => {
    const sim = await startHubSpotSim({ campaigns: 1 });
    sim.script({ kind: 'hang' }, { kind: 'hang' });
    const hung = [outcome(sim, 10_000), outcome(sim, 10_000)];
    await vi.waitFor(() => expect(sim.stats().inFlight).toBe(2));
    await sim.close();
    expect(await Promise.all(hung)).toEqual(['network', 'network']);
  });
});

describe('random faults', () => {
  it('answers every call with one of the configured statuses at errorRate 1', async () => {
    const sim = await startSim({ faults: { errorRate: 1, errorStatuses: [502, 503] } });
    const statuses = await Promise.all(Array.from({ length: 12 }, () => outcome(sim)));
    expect(new Set(statuses)).toEqual(new Set([502, 503]));
    expect(sim.stats().faultsInjected['502']! + sim.stats().faultsInjected['503']!).toBe(12);
  });

  it('fails the same calls for the same seed', async () => {
    const sequence = async () => {
      const sim = await startSim({ seed: 42, faults: { errorRate: 0.5 } });
      const statuses = [];
      for (let i = 0; i < 20; i++) statuses.push(await outcome(sim));
      return statuses;
    };
    const first = await sequence();
    expect(first).toContain(200);
    expect(first.some((s) => s !== 200)).toBe(true);
    expect(await sequence()).toEqual(first);
  });

  it('hangs calls at hangRate 1, for hangMs, then drops them', async () => {
    const sim = await startSim({ faults: { hangRate: 1, hangMs: 30 } });
    expect(await Promise.all([outcome(sim), outcome(sim)])).toEqual(['network', 'network']);
    expect(sim.stats().faultsInjected).toEqual({ hang: 2 });
  });

  it('drops connections at dropRate 1', async () => {
    const sim = await startSim({ faults: { dropRate: 1 } });
    expect(await outcome(sim)).toBe('network');
  });

  it('changes faults and latency at run time', async () => {
    const sim = await startSim();
    sim.setFaults({ errorRate: 1, errorStatuses: [500] });
    expect(await outcome(sim)).toBe(500);
    sim.setFaults({});
    sim.setLatency({ minMs: 5, maxMs: 20 });
    expect(await outcome(sim)).toBe(200);
    sim.setLatency(undefined);
    expect(await outcome(sim)).toBe(200);
  });

  it('holds calls for the configured latency, so concurrent calls overlap in flight', async () => {
    const sim = await startSim({ latency: { fixedMs: 150 } });
    const statuses = await Promise.all(Array.from({ length: 6 }, () => outcome(sim)));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(sim.stats().peakInFlight).toBeGreaterThanOrEqual(2);
    expect(sim.stats().inFlight).toBe(0);
  });

  it('refuses fault settings it cannot honour, naming the setting', async () => {
    await expect(startHubSpotSim({ faults: { errorRate: 1.5 } })).rejects.toThrow(
      /faults\.errorRate/,
    );
    await expect(startHubSpotSim({ faults: { errorRate: 0.6, dropRate: 0.6 } })).rejects.toThrow(
      SimConfigError,
    );
    await expect(startHubSpotSim({ latency: { minMs: 50, maxMs: 10 } })).rejects.toThrow(/minMs/);
    const sim = await startSim();
    expect(() => sim.setFaults({ errorStatuses: [200] })).toThrow(/errorStatuses/);
    expect(() => sim.script({ kind: 'explode' } as never)).toThrow(/script\[0\]/);
  });
});
