import { createConnection, createServer, type Server } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import {
  findRedisServer,
  redisServerForTests,
  runningInCI,
  startRedisServer,
} from '../src/index.js';

type Reply = string | Reply[] | null;

/** Parses one RESP reply at `at`; undefined while `text` does not hold all of it yet. */
function parse(text: string, at = 0): { value: Reply; end: number } | undefined {
  const eol = text.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const head = text.slice(at + 1, eol);
  switch (text[at]) {
    case '+':
    case '-':
    case ':':
      return { value: head, end: eol + 2 };
    case '$': {
      const length = Number(head);
      if (length < 0) return { value: null, end: eol + 2 };
      const end = eol + 2 + length;
      return text.length < end + 2 ? undefined : { value: text.slice(eol + 2, end), end: end + 2 };
    }
    case '*': {
      const items: Reply[] = [];
      let next = eol + 2;
      for (let i = 0; i < Number(head); i++) {
        const item = parse(text, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.end;
      }
      return { value: items, end: next };
    }
    default:
      throw new Error(`not a RESP reply: ${JSON.stringify(text.slice(at, at + 20))}`);
  }
}

/** Sends one inline command and resolves with its whole reply (ASCII replies only). */
function command(port: number, line: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(`${line}\r\n`));
    socket.on('data', (data) => {
      text += data.toString();
      const reply = parse(text);
      if (!reply) return;
      socket.destroy();
      resolve(reply.value);
    });
    socket.once('error', reject);
  });
}

/** A plain TCP listener on a free loopback port: not Redis. */
async function squatter(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

const redis = redisServerForTests({
  ci: runningInCI(process.env),
  what: '@campaigns/testing redis-server tests',
  path: process.env.PATH,
});

describe('redisServerForTests', () => {
  const nowhere = { known: [], path: '' };

  it('fails loudly in CI when there is no redis-server, naming the fix', () => {
    expect(findRedisServer(nowhere)).toBeUndefined();
    expect(() => redisServerForTests({ ...nowhere, ci: true, what: 'the x tests' })).toThrow(
      /CI must run the Redis tests.*the x tests.*apt-get install -y redis-server/,
    );
  });

  it('skips with a warning outside CI', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(redisServerForTests({ ...nowhere, ci: false, what: 'the x tests' })).toEqual({
        available: false,
      });
      expect(warn.mock.calls[0]![0]).toMatch(
        /SKIPPED: the x tests[\s\S]*apt-get install -y redis-server/,
      );
    } finally {
      warn.mockRestore();
    }
  });
});

describe('runningInCI: the one reading of CI for every suite that needs a program', () => {
  it('is on for CI=true, CI=1 and any other value, off when unset, empty, false or 0', () => {
    for (const value of ['true', 'TRUE', '1', 'yes', 'github'])
      expect(runningInCI({ CI: value }), value).toBe(true);
    for (const value of [undefined, '', ' ', 'false', 'False', '0'])
      expect(runningInCI({ CI: value }), String(value)).toBe(false);
  });
});

describe.skipIf(!redis.available)('startRedisServer', () => {
  it('starts a server without persistence on a loopback port and stops it', async () => {
    const server = await startRedisServer();
    try {
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      expect(await command(server.port, 'PING')).toBe('PONG');
      // No persistence: no snapshot schedule, no append-only file.
      expect(await command(server.port, 'CONFIG GET save')).toEqual(['save', '']);
      expect(await command(server.port, 'CONFIG GET appendonly')).toEqual(['appendonly', 'no']);
      // The server at the url is the process we started.
      const info = (await command(server.port, 'INFO server')) as string;
      expect(info).toMatch(new RegExp(`\\r\\nprocess_id:${server.pid}\\r\\n`));
    } finally {
      await server.stop();
    }
    await expect(command(server.port, 'PING')).rejects.toThrow();
  });

  it('fails when its port is taken by another listener, never taking that one for Redis', async () => {
    const taken = await squatter();
    try {
      await expect(startRedisServer({ port: taken.port })).rejects.toThrow(
        /exited .*before it was ready/,
      );
    } finally {
      await new Promise((resolve) => taken.server.close(resolve));
    }
  });

  it('gives two servers two ports', async () => {
    const [a, b] = await Promise.all([startRedisServer(), startRedisServer()]);
    try {
      expect(a.port).not.toBe(b.port);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
