// /readyz follows HubSpot: 503 once HubSpot is unreachable or refuses the credential (after the
// configured number of consecutive failures, at once for a 401), one error line on the way down,
// and 200 again once probes (no traffic needed) see it recover.
import { startHubSpotSim, type HubSpotSim } from '@campaigns/hubspot-sim';
import { afterEach, describe, expect, it } from 'vitest';
import type { CredentialProvider } from '../src/credentials.js';
import { ReadCampaignsDocument } from '@campaigns/graphql';
import { ALL_SCOPES, HUBSPOT_TOKEN, startStack, until, type Stack } from './stack.js';

const HEALTH_ENV = {
  HUBSPOT_FAILURES_TO_DOWN: '2',
  HUBSPOT_SUCCESSES_TO_UP: '2',
  HUBSPOT_PROBE_INTERVAL_MS: '1000',
  // One HubSpot call per chunk: the count of failures is the count of requests.
  HUBSPOT_MAX_ATTEMPTS: '1',
};

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function readyz(stack: Stack): Promise<{ status: number; body: { reason?: string } }> {
  const response = await stack.http('/readyz');
  return { status: response.status, body: (await response.json()) as { reason?: string } };
}

/** A read of one campaign; it fails while HubSpot is down, which is the point. */
async function read(stack: Stack, id: string): Promise<void> {
  await stack
    .client()
    .request(ReadCampaignsDocument, { ids: [id] })
    .catch(() => {});
}

interface LogLine {
  level: number | string;
  msg: string;
}
/** Log lines at `level` whose message starts with `prefix` (levels as numbers or labels). */
function logLines(stack: Stack, level: 'error' | 'info', prefix: string): LogLine[] {
  const number = level === 'error' ? 50 : 30;
  return stack.logs
    .map((line) => JSON.parse(line) as LogLine)
    .filter(
      (line) => (line.level === number || line.level === level) && line.msg.startsWith(prefix),
    );
}
const downLines = (stack: Stack) => logLines(stack, 'error', 'HubSpot');
const upLines = (stack: Stack) => logLines(stack, 'info', 'HubSpot is usable again');

async function gauge(stack: Stack, text: RegExp): Promise<boolean> {
  return text.test(await (await stack.http('/metrics')).text());
}

describe('readiness follows HubSpot', () => {
  it('turns 503 after consecutive 5xx, logs it once, and recovers through probes', async () => {
    const stack = await startStack({ env: HEALTH_ENV });
    cleanup.push(() => stack.close());
    const id = stack.sim.store.list()[0]!.id;
    await read(stack, id);
    expect((await readyz(stack)).status).toBe(200);

    stack.sim.setFaults({ errorRate: 1, errorStatuses: [503] });
    await read(stack, id);
    // One failure is below HUBSPOT_FAILURES_TO_DOWN=2: still ready.
    expect((await readyz(stack)).status).toBe(200);
    await read(stack, id);
    expect(await readyz(stack)).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'HubSpot unreachable' },
    });
    expect(await gauge(stack, /^gateway_hubspot_up 0$/m)).toBe(true);
    expect(await gauge(stack, /^gateway_hubspot_down\{reason="unreachable"\} 1$/m)).toBe(true);
    // More failing traffic: still one error line, not one per request.
    await read(stack, id);
    await read(stack, id);
    expect(downLines(stack)).toHaveLength(1);
    expect(downLines(stack)[0]!.msg).toContain('HubSpot unreachable');

    // HubSpot is back; no traffic from callers: the probes see it.
    stack.sim.setFaults({});
    await until(() => upLines(stack).length === 1, 'the probes saw HubSpot recover', 20_000);
    expect((await readyz(stack)).status).toBe(200);
    expect(await gauge(stack, /^gateway_hubspot_up 1$/m)).toBe(true);
    expect(downLines(stack)).toHaveLength(1);
  });

  it('turns 503 when HubSpot cannot be reached at all, and 200 when it is back', async () => {
    const stack = await startStack({ env: HEALTH_ENV });
    const port = Number(new URL(stack.sim.url).port);
    const replacements: HubSpotSim[] = [];
    cleanup.push(async () => {
      await stack.gateway.close();
      for (const sim of replacements) await sim.close();
    });
    const id = stack.sim.store.list()[0]!.id;
    await stack.sim.close();

    await read(stack, id);
    await read(stack, id);
    expect(await readyz(stack)).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'HubSpot unreachable' },
    });
    expect(downLines(stack)).toHaveLength(1);

    const replacement = await startHubSpotSim({
      port,
      campaigns: 1,
      tokens: [{ token: HUBSPOT_TOKEN, scopes: ALL_SCOPES }],
    });
    replacements.push(replacement);
    await until(() => upLines(stack).length === 1, 'the probes reached HubSpot again', 20_000);
    expect((await readyz(stack)).status).toBe(200);
    // The probes used the gateway's credential, and stopped once HubSpot was up.
    const probes = replacement.stats().byEndpoint['GET /']?.['200'] ?? 0;
    expect(probes).toBeGreaterThanOrEqual(2);
  });

  it('turns 503 at once when HubSpot refuses the credential (401), and 200 after rotation', async () => {
    let token = 'pat-na1-revoked-0000-0000-000000000000';
    const credentials: CredentialProvider = {
      kind: 'token',
      token: async () => token,
      secrets: () => [token],
      healthy: () => true,
    };
    const stack = await startStack({ env: HEALTH_ENV, deps: { credentials } });
    cleanup.push(() => stack.close());
    const id = stack.sim.store.list()[0]!.id;

    await read(stack, id);
    expect(await readyz(stack)).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'HubSpot refused the credentials' },
    });
    expect(await gauge(stack, /^gateway_hubspot_down\{reason="credentials_refused"\} 1$/m)).toBe(
      true,
    );
    expect(downLines(stack)).toHaveLength(1);
    expect(downLines(stack)[0]!.msg).toContain('HubSpot refused the credentials');

    token = HUBSPOT_TOKEN;
    await until(
      () => upLines(stack).length === 1,
      'the probes saw the new credential work',
      20_000,
    );
    expect((await readyz(stack)).status).toBe(200);
  });

  it('counts 4xx answers other than 401/403 (400, 404, 429) as HubSpot being up', async () => {
    const stack = await startStack({ env: HEALTH_ENV });
    cleanup.push(() => stack.close());
    const id = stack.sim.store.list()[0]!.id;
    stack.sim.script({ status: 429, retryAfterSeconds: 0 }, { status: 400 }, { status: 404 });
    await read(stack, id);
    await read(stack, id);
    await read(stack, id);
    expect((await readyz(stack)).status).toBe(200);
    expect(downLines(stack)).toHaveLength(0);
  });
});
