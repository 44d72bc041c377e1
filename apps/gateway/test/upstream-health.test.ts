// The upstream-health tracker on its own: hysteresis, what counts as a failure, probes.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../src/metrics.js';
import { createHubSpotClient, isTransientStatus } from '@campaigns/hubspot-client';
import { classifyCall, classifyStatus, createUpstreamHealth } from '../src/upstream-health.js';
import { until } from './stack.js';

function tracker(config = { failuresToDown: 3, successesToUp: 2, probeIntervalMs: 20 }) {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }),
    },
  );
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  const health = createUpstreamHealth({ config, timeoutMs: 1000, logger, metrics });
  return { health, lines, metrics };
}

const failure = { kind: 'failure', reason: 'unreachable', detail: 'HTTP 503' } as const;

describe('upstream health', () => {
  it('classifies answers: 401/403 refuse the credential, 5xx fail, every other answer succeeds', () => {
    expect(classifyStatus(401)).toMatchObject({ reason: 'credentials_refused', immediate: true });
    expect(classifyStatus(403)).toMatchObject({ reason: 'credentials_refused' });
    expect(classifyStatus(503)).toMatchObject({ kind: 'failure', reason: 'unreachable' });
    for (const status of [200, 207, 400, 404, 429])
      expect(classifyStatus(status).kind).toBe('success');
  });

  it('goes down only after consecutive failures, and up only after consecutive successes', () => {
    const { health, lines } = tracker();
    health.observe(failure);
    health.observe(failure);
    health.observe({ kind: 'success' }); // resets the count
    health.observe(failure);
    health.observe(failure);
    expect(health.problem()).toBeUndefined();
    health.observe(failure);
    expect(health.problem()).toBe('HubSpot unreachable');
    health.observe(failure);
    health.observe({ kind: 'success' });
    health.observe(failure); // resets the successes
    health.observe({ kind: 'success' });
    expect(health.problem()).toBe('HubSpot unreachable');
    health.observe({ kind: 'success' });
    expect(health.problem()).toBeUndefined();
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
    expect(lines.filter((l) => l.level === 30)).toHaveLength(1);
    health.close();
  });

  it('goes down at once on a 401', () => {
    const { health } = tracker();
    health.observe(classifyStatus(401));
    expect(health.problem()).toBe('HubSpot refused the credentials');
    health.close();
  });

  it('does not count a request the caller canceled, but counts a timeout (as the client saw them)', async () => {
    const { health } = tracker({ failuresToDown: 1, successesToUp: 1, probeIntervalMs: 1000 });
    const pending: Request[] = [];
    const hanging = (request: Request) =>
      new Promise<Response>((_, reject) => {
        // Held like a real fetch holds its socket: otherwise nothing roots the pending call.
        pending.push(request);
        if (request.signal.aborted) reject(request.signal.reason);
        request.signal.addEventListener('abort', () => reject(request.signal.reason));
      });
    const client = createHubSpotClient({
      token: 'pat-test-token-0123456789',
      baseUrl: 'http://hubspot.test',
      timeoutMs: 200,
      fetch: hanging as typeof fetch,
      onCall: health.observeCall,
    });
    const canceled = new AbortController();
    const call = client.GET('/', { signal: canceled.signal });
    canceled.abort(new Error('the caller went away'));
    await expect(call).rejects.toThrow();
    expect(health.problem()).toBeUndefined();

    await expect(client.GET('/')).rejects.toThrow(/timed out/);
    expect(health.problem()).toBe('HubSpot unreachable');
    health.close();
  });

  it('counts 408 and 5xx as HubSpot failing, like the retries do', () => {
    for (const status of [408, 500, 502, 503, 504]) {
      expect(classifyStatus(status)).toMatchObject({ kind: 'failure', reason: 'unreachable' });
      expect(isTransientStatus(status)).toBe(true);
    }
    expect(classifyCall({ method: 'GET', path: '/', outcome: 'network' }, 1000)).toMatchObject({
      kind: 'failure',
      reason: 'unreachable',
    });
    expect(classifyCall({ method: 'GET', path: '/', outcome: 'canceled' }, 1000).kind).toBe(
      'neutral',
    );
  });

  it('probes while down, stops once up, and sets the gauges', async () => {
    const { health, metrics } = tracker({
      failuresToDown: 1,
      successesToUp: 2,
      probeIntervalMs: 20,
    });
    let probes = 0;
    health.setProbe(async () => {
      probes++;
      health.observe({ kind: 'success' });
    });
    health.observe(failure);
    expect(await metrics.registry.metrics()).toMatch(/^gateway_hubspot_up 0$/m);
    await until(() => health.problem() === undefined, 'the probes saw HubSpot recover');
    expect(probes).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(probes).toBe(2);
    expect(await metrics.registry.metrics()).toMatch(/^gateway_hubspot_up 1$/m);
    health.close();
  });
});
