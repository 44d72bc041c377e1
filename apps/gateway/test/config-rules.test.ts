// The rules across settings (config.ts: checkCombinations) run on the parsed settings, even when
// single settings are malformed, so one ConfigError still lists every problem.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('rules across settings', () => {
  it('checks what AUTH_MODE requires while other settings are malformed, after them', () => {
    expect(problemsOf({ PORT: 'eighty', AUTH_MODE: 'api-key', HUBSPOT_TOKEN: 'pat' })).toEqual([
      'PORT: must be an integer between 0 and 65535',
      'GATEWAY_API_KEYS: required for AUTH_MODE=api-key',
    ]);
  });

  it('draws no consequence from a malformed AUTH_MODE', () => {
    expect(problemsOf({ AUTH_MODE: 'jwt,sso', HUBSPOT_TOKEN: 'pat' })).toEqual([
      'AUTH_MODE: must be jwt, api-key, jwt,api-key or none',
    ]);
  });

  it('lists the problems of GATEWAY_API_KEYS whether or not AUTH_MODE uses it', () => {
    expect(problemsOf({ GATEWAY_API_KEYS: 'svc:not-a-hash:campaigns:read' })).toEqual([
      'GATEWAY_API_KEYS: entry 1 (svc): the key must be given as its SHA-256 in hex (64 characters), never in clear',
    ]);
  });

  it('compares METRICS_PORT with PORT as port numbers', () => {
    expect(problemsOf({ PORT: '4000', METRICS_PORT: '04000' })).toEqual([
      'METRICS_PORT: must differ from PORT (it is a separate listener)',
    ]);
    expect(loadConfig({ PORT: '4000', METRICS_PORT: '0' }).metrics.port).toBe(0);
  });

  it('compares the HTTP timeouts only once both are well-formed', () => {
    expect(
      problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000', PORT: 'x' }),
    ).toEqual(['PORT: must be an integer between 0 and 65535']);
  });
});
