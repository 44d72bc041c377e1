// Where /metrics is served: on a separate listener (METRICS_PORT), behind a bearer token
// (METRICS_TOKEN), and not at all on the API port in production without one of them.
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.js';

const METRICS_TOKEN = 'metrics-scrape-token-3c9e1f0a7b5d';

const stacks: Stack[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
});
async function stackWith(env: Record<string, string>): Promise<Stack> {
  const stack = await startStack({ env });
  stacks.push(stack);
  return stack;
}

const errorOf = async (response: Response) =>
  ((await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> })
    .errors[0]!;

describe('/metrics placement', () => {
  it('serves /metrics on METRICS_PORT, and not on the API port', async () => {
    const stack = await stackWith({ METRICS_PORT: '0' });
    const origin = stack.gateway.metricsOrigin;
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(origin).not.toBe(stack.gateway.origin);

    const scraped = await fetch(`${origin}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^gateway_hubspot_up 1$/m);

    const onApiPort = await stack.http('/metrics');
    expect(onApiPort.status).toBe(404);
    expect((await errorOf(onApiPort)).message).toContain('METRICS_PORT');

    // The metrics listener serves nothing else.
    expect((await fetch(`${origin}/graphql`)).status).toBe(404);
    // The API port keeps its operational routes.
    expect((await stack.http('/readyz')).status).toBe(200);
  });

  it('stops the metrics listener on close', async () => {
    const stack = await startStack({ env: { METRICS_PORT: '0' } });
    const origin = stack.gateway.metricsOrigin!;
    await stack.close();
    await expect(fetch(`${origin}/metrics`)).rejects.toThrow();
  });

  it('requires Authorization: Bearer <METRICS_TOKEN> when it is set', async () => {
    const stack = await stackWith({ METRICS_TOKEN });
    const none = await stack.http('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await errorOf(none)).message).toContain('METRICS_TOKEN');

    const wrong = await stack.http('/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    });
    expect(wrong.status).toBe(401);

    const right = await stack.http('/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('gateway_http_requests_total');
    // The token is a secret: scrubbed from everything the gateway logs or answers.
    expect([...stack.logs, ...stack.responses].join('\n')).not.toContain(METRICS_TOKEN);
  });

  it('applies METRICS_TOKEN on the METRICS_PORT listener too', async () => {
    const stack = await stackWith({ METRICS_PORT: '0', METRICS_TOKEN });
    const origin = stack.gateway.metricsOrigin!;
    expect((await fetch(`${origin}/metrics`)).status).toBe(401);
    const right = await fetch(`${origin}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(right.status).toBe(200);
  });

  it('refuses /metrics in production without METRICS_PORT or METRICS_TOKEN, with a warning at start', async () => {
    const stack = await stackWith({ NODE_ENV: 'production' });
    const response = await stack.http('/metrics');
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error.message).toContain('METRICS_PORT');
    expect(error.message).toContain('METRICS_TOKEN');
    expect(
      stack.logs.some((line) => line.includes('METRICS_PORT') && /"level":(40|"warn")/.test(line)),
    ).toBe(true);
  });

  it('serves /metrics in production behind METRICS_TOKEN', async () => {
    const stack = await stackWith({ NODE_ENV: 'production', METRICS_TOKEN });
    const response = await stack.http('/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
  });
});
