import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CAMPAIGN_SCOPES } from '../src/index.js';
import { RateLimiter } from '../src/rate-limit.js';
import { call, closeSims, startSim } from './sim-helpers.js';

afterEach(closeSims);

const SMALL = { max: 5, intervalMs: 1000, daily: 1000 };

describe('rate limit headers', () => {
  it('advertises the window and the daily quota on every answer, errors and 429s included', async () => {
    const sim = await startSim({ rateLimit: { max: 3, intervalMs: 60_000, daily: 100 } });
    const answers = [
      await call(sim, 'GET', '/'),
      await call(sim, 'GET', '/missing-campaign'),
      await call(sim, 'POST', '/batch/update', { body: { inputs: [] } }),
      await call(sim, 'GET', '/'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 404, 400, 429]);
    expect(answers.map((a) => a.headers.get('x-hubspot-ratelimit-remaining'))).toEqual([
      '2',
      '1',
      '0',
      '0',
    ]);
    expect(answers.map((a) => a.headers.get('x-hubspot-ratelimit-daily-remaining'))).toEqual([
      '99',
      '98',
      '97',
      '97',
    ]);
    for (const { headers } of answers) {
      expect(headers.get('x-hubspot-ratelimit-max')).toBe('3');
      expect(headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('60000');
      expect(headers.get('x-hubspot-ratelimit-daily')).toBe('100');
    }
  });

  it('leaves the daily headers out for an OAuth token', async () => {
    const sim = await startSim({
      tokens: [{ token: 'oauth-access-token', scopes: [CAMPAIGN_SCOPES.read], kind: 'oauth' }],
    });
    const { headers } = await call(sim, 'GET', '/', { token: 'oauth-access-token' });
    expect(headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(headers.get('x-hubspot-ratelimit-daily')).toBeNull();
    expect(headers.get('x-hubspot-ratelimit-daily-remaining')).toBeNull();
  });

  it('sends no rate-limit headers and never 429s when rate limiting is off', async () => {
    const sim = await startSim({ rateLimit: false });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => call(sim, 'GET', '/?limit=1')),
    );
    expect(
      answers.every((a) => a.status === 200 && a.headers.get('x-hubspot-ratelimit-max') === null),
    ).toBe(true);
  });
});

describe('429s', () => {
  it('answers 429 TEN_SECONDLY_ROLLING with Retry-After once the window is full', async () => {
    const sim = await startSim({ rateLimit: { max: 5, intervalMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(sim, 'GET', '/?limit=1')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await call(sim, 'GET', '/?limit=1');
    expect(limited.body).toMatchObject({
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    expect(limited.body.correlationId).toBeTypeOf('string');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sim.stats()).toMatchObject({
      rateLimited: 3,
      rateLimitedByPolicy: { TEN_SECONDLY_ROLLING: 3 },
    });
    expect(sim.stats().byEndpoint['GET /']).toEqual({ '200': 5, '429': 3 });
  });

  it('frees the window as it rolls, without counting the refused calls', async () => {
    const sim = await startSim({ rateLimit: SMALL });
    for (let i = 0; i < 5; i++) await call(sim, 'GET', '/?limit=1');
    for (let i = 0; i < 5; i++) expect((await call(sim, 'GET', '/?limit=1')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, SMALL.intervalMs + 50));
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(sim, 'GET', '/?limit=1')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('limits each token on its own', async () => {
    const sim = await startSim({
      rateLimit: { max: 2, intervalMs: 60_000 },
      tokens: [
        { token: 'app-one-token', scopes: [CAMPAIGN_SCOPES.read] },
        { token: 'app-two-token', scopes: [CAMPAIGN_SCOPES.read] },
      ],
    });
    for (let i = 0; i < 3; i++) await call(sim, 'GET', '/', { token: 'app-one-token' });
    expect((await call(sim, 'GET', '/', { token: 'app-one-token' })).status).toBe(429);
    expect((await call(sim, 'GET', '/', { token: 'app-two-token' })).status).toBe(200);
  });

  it('answers 429 DAILY with Retry-After until midnight UTC once the daily quota is used', async () => {
    const sim = await startSim({ rateLimit: { max: 100, intervalMs: 1000, daily: 3 } });
    for (let i = 0; i < 3; i++) expect((await call(sim, 'GET', '/')).status).toBe(200);
    const before = Date.now();
    const limited = await call(sim, 'GET', '/');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ policyName: 'DAILY', errorType: 'RATE_LIMIT' });
    expect(limited.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
    const untilMidnight = (Math.floor(before / 86_400_000) + 1) * 86_400_000 - before;
    expect(
      Math.abs(Number(limited.headers.get('retry-after')) - untilMidnight / 1000),
    ).toBeLessThan(5);
    expect(sim.stats().rateLimitedByPolicy).toEqual({ DAILY: 1 });
  });
});

describe('RateLimiter', () => {
  it('never admits more than max requests within any window, whatever the arrival times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 10, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }),
        (max, intervalMs, gaps) => {
          let now = 0;
          const limiter = new RateLimiter({ max, intervalMs, daily: 1_000_000 }, () => now);
          const admitted: number[] = [];
          for (const gap of gaps) {
            now += gap;
            if (limiter.admit('t', true).allowed) admitted.push(now);
          }
          for (const at of admitted) {
            expect(
              admitted.filter((t) => t > at - intervalMs && t <= at).length,
            ).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });

  it('admits again exactly when the oldest request leaves the window, as Retry-After promised', () => {
    let now = 1_000;
    const limiter = new RateLimiter({ max: 2, intervalMs: 2_500, daily: 100 }, () => now);
    limiter.admit('t', true);
    now += 1_000;
    limiter.admit('t', true);
    const refused = limiter.admit('t', true);
    expect(refused).toMatchObject({
      allowed: false,
      policyName: 'TEN_SECONDLY_ROLLING',
      retryAfterSeconds: 2,
    });
    now += 1_499;
    expect(limiter.admit('t', true).allowed).toBe(false);
    now += 1;
    expect(limiter.admit('t', true).allowed).toBe(true);
  });

  it('resets the daily quota at midnight UTC', () => {
    let now = Date.UTC(2026, 2, 1, 23, 59, 59);
    const limiter = new RateLimiter({ max: 10, intervalMs: 1_000, daily: 1 }, () => now);
    expect(limiter.admit('t', true).allowed).toBe(true);
    now += 500;
    expect(limiter.admit('t', true)).toMatchObject({
      allowed: false,
      policyName: 'DAILY',
      retryAfterSeconds: 1,
    });
    now += 600;
    expect(limiter.admit('t', true).allowed).toBe(true);
  });
});
