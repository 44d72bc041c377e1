// A throwaway redis-server for tests: a free loopback port, no persistence, stopped after. Tests
// that need Redis start their own, so they never touch a developer's Redis or each other's.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  executableForTests,
  findExecutable,
  type ExecutableAvailability,
  type ExecutableSearch,
  type RequiredExecutable,
} from './executable.js';

/** Where Debian's `redis-server` package installs the server. */
export const DEFAULT_REDIS_SERVER = '/usr/bin/redis-server';

export const INSTALL_REDIS_HINT = 'apt-get install -y redis-server';

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The process id of the server (Redis's `INFO server` says the same). */
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
}

/** Where to look for `redis-server`. */
export type RedisServerSearch = ExecutableSearch;

const REDIS: RequiredExecutable = {
  label: 'redis-server',
  names: ['redis-server'],
  defaultPath: DEFAULT_REDIS_SERVER,
  installHint: INSTALL_REDIS_HINT,
  suites: 'the Redis tests',
};

/** The path of a `redis-server` executable: `known` first, then `path`; else undefined. */
export function findRedisServer(search: RedisServerSearch = {}): string | undefined {
  return findExecutable(REDIS.names, search.known ?? [DEFAULT_REDIS_SERVER], search.path);
}

/** A port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** What `redis-server` logs once it listens and accepts connections. */
const READY = /Ready to accept connections/;

/**
 * Resolves once `child` logs that it is ready, which it does only after it bound its port; rejects
 * when it exits first (e.g. the port was taken meanwhile), with the end of its log, or after
 * `timeoutMs`. Reads the child's own output, so another process listening on the port is never
 * mistaken for our server. Keeps draining the output afterwards (forwarded when `verbose`).
 */
function waitUntilReady(child: ChildProcess, timeoutMs: number, verbose: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      settle(
        new Error(
          `redis-server exited (${code ?? signal}) before it was ready: ${log.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      );
    const timer = setTimeout(
      () => settle(new Error(`redis-server was not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', onExit);
    // Could not be started at all (no such file, not executable).
    child.once('error', settle);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (verbose) process.stderr.write(chunk);
      if (settled) return;
      log = (log + chunk.toString()).slice(-4_096);
      if (READY.test(log)) settle();
    });
  });
}

export interface StartRedisOptions {
  /** The executable; default `findRedisServer()`. */
  executable?: string;
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '64mb']`. */
  args?: string[];
  /** Forward the server's output to this process's stderr (default false). */
  verbose?: boolean;
  /** Listen on this port, tried once (default: a free port, tried again if taken meanwhile). */
  port?: number;
}

/**
 * Starts `redis-server` on a free loopback port without persistence (`--save '' --appendonly
 * no`), in a scratch directory, and resolves when it logs that it accepts connections (so the
 * port is its own). Throws when no executable is found (see `redisServerForTests` for the
 * skip-or-fail decision), or when it could not start.
 */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServer> {
  const executable = options.executable ?? findRedisServer();
  if (!executable)
    throw new Error(`redis-server is not installed (install it with: ${INSTALL_REDIS_HINT})`);
  let lastError: unknown;
  // A port found free can be taken before the server binds it: try a few.
  const attempts = options.port === undefined ? 5 : 1;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn(
      executable,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        '/tmp',
        '--protected-mode',
        'yes',
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // A child that could not be spawned never exits: its spawn error stands for the exit.
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    try {
      await waitUntilReady(child, 10_000, options.verbose ?? false);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      await exited;
      continue;
    }
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      pid: child.pid!,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      },
    };
  }
  throw lastError;
}

export type RedisAvailability = ExecutableAvailability;

/**
 * Decides, once per test file, whether Redis-backed tests run: with a `redis-server` they do;
 * without one they FAIL in CI (`ci`: pass `runningInCI(process.env)`; CI must never skip them
 * silently: this throws) and are skipped otherwise, with a loud message naming `what` was skipped
 * and how to install the server.
 */
export function redisServerForTests(
  options: RedisServerSearch & { ci: boolean; what: string },
): RedisAvailability {
  return executableForTests(REDIS, options);
}
