import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

describe('createLogger', () => {
  it('censors credential fields and scrubs known secret values from every line', () => {
    const lines: string[] = [];
    const secret = 'pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const log = createLogger({
      level: 'debug',
      destination: { write: (l: string) => void lines.push(l) },
      secrets: () => [secret],
    });

    log.info(
      {
        req: { headers: { authorization: 'Bearer whatever-value', 'x-api-key': 'k-123' } },
        token: 'x',
        nested: { client_secret: 'y' },
      },
      'headers',
    );
    log.warn(`the token ${secret} leaked into a message`);
    log.error({ err: new Error(`upstream said Bearer ${secret}`) }, 'error');

    const text = lines.join('');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('whatever-value');
    expect(text).not.toContain('k-123');
    const first = JSON.parse(lines[0]!) as {
      req: { headers: Record<string, string> };
      token: string;
      nested: Record<string, string>;
    };
    expect(first.req.headers.authorization).toBe('[REDACTED]');
    expect(first.token).toBe('[REDACTED]');
    expect(first.nested.client_secret).toBe('[REDACTED]');
    expect(JSON.parse(lines[1]!).msg).toBe('the token [REDACTED] leaked into a message');
  });
});
