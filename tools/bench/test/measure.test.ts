// The efficiency figure's denominator: the least wall time HubSpot's rolling window allows.
import { describe, expect, it } from 'vitest';
import { idealWallMs, linearFit } from '../src/measure.js';

describe('idealWallMs', () => {
  it('sends a full window at t = 0, one more per window, and ends one latency after the last', () => {
    // 50,000 updates = 1,000 requests at 190 per 10 s: bursts at 0, 10, 20, 30, 40 s (950
    // requests) and the last 50 at 50 s, answered one mean latency (140 ms) later.
    expect(idealWallMs(1_000, 190, 10_000, 140)).toBe(50_140);
    // 10,000 updates = 200 requests: one window and ten requests.
    expect(idealWallMs(200, 190, 10_000, 140)).toBe(10_140);
  });

  it('needs no extra window when the requests fill the last one exactly', () => {
    expect(idealWallMs(950, 190, 10_000, 140)).toBe(40_140);
    expect(idealWallMs(951, 190, 10_000, 140)).toBe(50_140);
    expect(idealWallMs(1, 190, 10_000, 140)).toBe(140);
  });
});

describe('linearFit', () => {
  it('takes a fixed start-up cost as linear, and finds growth faster than linear', () => {
    const affine = [1_000, 10_000, 100_000].map((n) => ({ n, wallMs: 8 + 0.018 * n }));
    const fit = linearFit(affine);
    expect(fit.worstDeviation).toBeLessThan(1e-9);
    expect(fit.fixedMs).toBeCloseTo(8, 6);
    expect(fit.perItemMs).toBeCloseTo(0.018, 9);
    // Quadratic growth from 1,000 to 100,000 is far from any line.
    const quadratic = [1_000, 10_000, 100_000].map((n) => ({ n, wallMs: 1e-6 * n * n + 0.01 * n }));
    expect(linearFit(quadratic).worstDeviation).toBeGreaterThan(0.15);
  });
});
