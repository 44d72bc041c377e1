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

describe('the err serializer', () => {
  const capture = (stacks?: boolean) => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: { write: (l: string) => void lines.push(l) },
      ...(stacks === undefined ? {} : { stacks }),
    });
    return { log, lines };
  };
  const failure = () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), {
      code: 'ECONNREFUSED',
    });
    return Object.assign(new TypeError('fetch failed', { cause }), {
      status: 502,
      body: '<html>a whole upstream page</html>',
      request: { headers: { cookie: 'c' } },
    });
  };

  it('logs type, message, code, status and causes, and no stack by default', () => {
    const { log, lines } = capture();
    log.error({ err: failure() }, 'with err');
    log.error(failure());
    log.error({ error: failure() }, 'with error');
    for (const line of lines) {
      expect(line).not.toContain('    at ');
      expect(line).not.toContain('<html>');
      expect(line).not.toContain('cookie');
    }
    const { err } = JSON.parse(lines[0]!) as { err: unknown };
    expect(err).toEqual({
      type: 'TypeError',
      message: 'fetch failed',
      status: 502,
      cause: { type: 'Error', message: 'connect ECONNREFUSED 10.0.0.1:443', code: 'ECONNREFUSED' },
    });
    expect((JSON.parse(lines[1]!) as { err: unknown }).err).toEqual(err);
    expect((JSON.parse(lines[2]!) as { error: unknown }).error).toEqual(err);
  });

  it('keeps the stack with stacks: true (LOG_STACKS)', () => {
    const { log, lines } = capture(true);
    log.error({ err: failure() }, 'with err');
    const { err } = JSON.parse(lines[0]!) as { err: { stack: string; cause: { stack: string } } };
    expect(err.stack).toContain('    at ');
    expect(err.cause.stack).toContain('    at ');
  });

  it('bounds what a hostile error can put in a line', () => {
    const { log, lines } = capture();
    let deep: Error = new Error('bottom');
    for (let i = 0; i < 50; i++) deep = new Error(`level ${i}`, { cause: deep });
    log.error({ err: Object.assign(deep, { message: 'x'.repeat(100_000) }) }, 'deep');
    expect(lines[0]!.length).toBeLessThan(20_000);
  });
});
