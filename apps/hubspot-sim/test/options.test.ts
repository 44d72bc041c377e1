// The simulator's settings are zod schemas (src/options.ts): one SimConfigError names every
// offending setting by its path, whether the settings come from startHubSpotSim's options, from
// setFaults / setLatency / script, or from the `/__sim/*` admin endpoints.
import { describe, expect, it } from 'vitest';
import { SimConfigError } from '../src/index.js';
import {
  parseLatency,
  parseScriptedFaults,
  parseSimFaults,
  resolveSimOptions,
} from '../src/options.js';

function messageOf(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(SimConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a SimConfigError');
}

describe('simulator options', () => {
  it('fills in the documented defaults', () => {
    expect(resolveSimOptions({})).toEqual({
      host: '127.0.0.1',
      port: 0,
      tokens: [
        {
          token: 'sim-private-app-token',
          scopes: [
            'marketing.campaigns.read',
            'marketing.campaigns.write',
            'marketing.campaigns.revenue.read',
          ],
          kind: 'private-app',
        },
      ],
      seed: 1,
      campaigns: 200,
      rateLimit: { max: 190, intervalMs: 10_000, daily: 650_000 },
      faults: {},
      validationErrorsNameIds: true,
    });
    expect(resolveSimOptions({ rateLimit: false }).rateLimit).toBeUndefined();
    expect(resolveSimOptions({ rateLimit: { max: 5 } }).rateLimit).toEqual({
      max: 5,
      intervalMs: 10_000,
      daily: 650_000,
    });
  });

  it('names every offending option in one error, with the value it got', () => {
    expect(messageOf(() => resolveSimOptions({ port: -1, seed: 1.5, campaigns: -1 }))).toBe(
      'port must be an integer from 0 to 65535, got -1; seed must be an integer, got 1.5; ' +
        'campaigns must be a non-negative integer, got -1',
    );
  });

  it('names the field inside a list or an either-or option', () => {
    expect(
      messageOf(() =>
        resolveSimOptions({ tokens: [{ token: 'a b', scopes: [1], kind: 'x' }] as never }),
      ),
    ).toBe(
      'tokens[0].token must be a non-empty string without spaces, got "a b"; ' +
        'tokens[0].scopes[0] must be a string, got 1; tokens[0].kind must be private-app or oauth, got "x"',
    );
    expect(messageOf(() => resolveSimOptions({ rateLimit: { max: 0 } }))).toBe(
      'rateLimit.max must be a positive integer, got 0',
    );
    expect(messageOf(() => resolveSimOptions({ rateLimit: 'x' as never }))).toBe(
      'rateLimit must be false or { max, intervalMs, daily }, got "x"',
    );
  });
});

describe('fault settings', () => {
  it('refuses unknown settings and values out of range, by name', () => {
    expect(messageOf(() => parseSimFaults({ errorRat: 0.1 }))).toBe(
      'faults has unknown settings: errorRat',
    );
    expect(messageOf(() => parseSimFaults({ errorRate: 1.5 }))).toBe(
      'faults.errorRate must be a number from 0 to 1, got 1.5',
    );
    expect(messageOf(() => parseSimFaults({ errorStatuses: [500, 200] }))).toBe(
      'faults.errorStatuses[1] must be a status from 400 to 599, got 200',
    );
    expect(messageOf(() => parseSimFaults('often'))).toBe('faults must be an object');
  });

  it('checks the rates together only once each one is valid', () => {
    expect(messageOf(() => parseSimFaults({ errorRate: 0.6, dropRate: 0.6 }))).toBe(
      'faults: errorRate + hangRate + dropRate must not exceed 1',
    );
    expect(parseSimFaults({ errorRate: 0.5, hangRate: 0.25, dropRate: 0.25 })).toEqual({
      errorRate: 0.5,
      hangRate: 0.25,
      dropRate: 0.25,
    });
  });

  it('reads latency as fixed, a range (both ends, in order) or none', () => {
    expect(parseLatency({ fixedMs: 5, minMs: 9 })).toEqual({ fixedMs: 5 });
    expect(parseLatency({ minMs: 1, maxMs: 2 })).toEqual({ minMs: 1, maxMs: 2 });
    expect(parseLatency({})).toBeUndefined();
    expect(parseLatency(null)).toBeUndefined();
    expect(messageOf(() => parseLatency({ minMs: 5 }))).toBe(
      'latency.maxMs must be a non-negative integer',
    );
    expect(messageOf(() => parseLatency({ minMs: 50, maxMs: 10 }))).toBe(
      'latency.minMs must not exceed latency.maxMs, got 50',
    );
  });

  it('reads a script entry by status or by kind, naming the entry at fault', () => {
    expect(
      parseScriptedFaults([
        { status: 429, policyName: 'DAILY', retryAfterSeconds: 2 },
        { kind: 'hang' },
        { kind: 'delay', ms: 5 },
      ]),
    ).toEqual([
      { status: 429, policyName: 'DAILY', retryAfterSeconds: 2 },
      { kind: 'hang' },
      { kind: 'delay', ms: 5 },
    ]);
    expect(
      messageOf(() =>
        parseScriptedFaults([{ status: 200 }, { kind: 'explode' }, { kind: 'delay' }]),
      ),
    ).toBe(
      'script[0].status must be a status from 400 to 599, got 200; ' +
        'script[1] must have a status, or kind hang, drop or delay, got {"kind":"explode"}; ' +
        'script[2].ms must be a non-negative integer',
    );
    expect(messageOf(() => parseScriptedFaults({ status: 503 }))).toBe(
      'script must be a list of faults, got {"status":503}',
    );
  });
});
