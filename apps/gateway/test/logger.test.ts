import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACT_PATHS, serializeError } from '../src/logger.js';

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

describe('censorFields (REDACT_PATHS without pino’s redact option)', () => {
  /** The logger as it was with pino's own `redact`: the reference the censoring must match. */
  const reference = (lines: string[]) =>
    pino(
      {
        level: 'info',
        base: { service: 'gateway' },
        serializers: {
          err: (value: unknown) => serializeError(value),
          error: (value: unknown) =>
            value instanceof Error ||
            (typeof value === 'object' && value !== null && 'stack' in value)
              ? serializeError(value)
              : value,
        },
        timestamp: pino.stdTimeFunctions.isoTime,
        redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
        formatters: { level: (label) => ({ level: label }) },
      },
      { write: (line: string) => void lines.push(line) },
    );
  const ours = (lines: string[]) =>
    createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
  const untimed = (line: string) => line.replace(/"time":"[^"]*",/, '');

  // Every name a path names, and others; values of every JSON kind, objects nested three deep.
  const names = [
    ...new Set(REDACT_PATHS.flatMap((p) => p.split(/[.[\]"]+/).filter((n) => n && n !== '*'))),
    'err',
    'error',
    'reqId',
    'stack',
    'other',
    '0',
  ];
  const leaf = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
  );
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.dictionary(fc.constantFrom(...names), tie('tree'), { maxKeys: 5, noNullPrototype: true }),
      fc.array(tie('tree'), { maxLength: 3 }),
    ),
  }));
  const fields = fc.dictionary(fc.constantFrom(...names), tree, {
    maxKeys: 6,
    noNullPrototype: true,
  });

  it('writes the very lines pino’s redaction wrote, for fields and for a child’s bindings', () => {
    fc.assert(
      fc.property(fields, fields, (bindings, line) => {
        // What pino writes for a string of fewer than 42 characters with a lone surrogate differs
        // (its redaction JSON.stringify'd every string); the generated strings have none.
        const before: string[] = [];
        const after: string[] = [];
        const original = structuredClone(line);
        reference(before).child(bindings).info(line, 'message');
        ours(after).child(bindings).info(line, 'message');
        ours(after).info(line);
        reference(before).info(line);
        expect(after.map(untimed)).toEqual(before.map(untimed));
        // The caller's object is never changed (copies are censored, not the original).
        expect(line).toEqual(original);
      }),
      { numRuns: 2000 },
    );
  });

  it('censors an error logged under `error` by its serializer, and other values there by path', () => {
    const lines: string[] = [];
    const log = ours(lines);
    log.info({ error: Object.assign(new Error('boom'), { token: 't-1' }) }, 'an error');
    log.info({ error: { token: 't-2', detail: 'kept' } }, 'not an error');
    log.info('interpolated %j', { token: 't-3', nested: { secret: 's-1' } });
    expect(lines.join('')).not.toMatch(/t-1|t-2|t-3|s-1/);
    expect(JSON.parse(lines[1]!).error).toEqual({ token: '[REDACTED]', detail: 'kept' });
  });
});
