// Finding a system program a test suite needs (redis-server, Chromium), and the one rule for a
// suite without it: CI fails (it installs the program: .ci/run), elsewhere the suite is skipped
// with a loud banner naming what was skipped and how to install the program.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where to look for a program. */
export interface ExecutableSearch {
  /** A PATH to search after `known` (libraries read no environment: pass `process.env.PATH`). */
  path?: string | undefined;
  /** Paths tried first; default: the program's own default path. */
  known?: string[];
}

/** The first executable of `known`, then of each of `names` in the folders of `path`. */
export function findExecutable(
  names: readonly string[],
  known: readonly string[],
  path: string | undefined,
): string | undefined {
  const candidates = [
    ...known,
    ...(path ?? '')
      .split(delimiter)
      .filter(Boolean)
      .flatMap((dir) => names.map((name) => join(dir, name))),
  ];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface ExecutableAvailability {
  /** True when the program was found. */
  available: boolean;
  executable?: string;
}

/** A program a test suite needs, described for `executableForTests`. */
export interface RequiredExecutable {
  /** How messages name it: `redis-server`, `Chromium`. */
  label: string;
  /** The file names looked for on PATH. */
  names: readonly string[];
  /** Where its package installs it. */
  defaultPath: string;
  /** How to install it. */
  installHint: string;
  /** The suites that need it, for "CI must run …": `the Redis tests`. */
  suites: string;
}

/**
 * Whether this is a CI run, by the `CI` variable CI services set (`.ci/run` is given `CI=true`):
 * set to anything but the empty string, `false` or `0`. The one reading of `CI` for every suite.
 */
export function runningInCI(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * Whether the suites that need `program` can run: with it they do; without it this throws in CI
 * (`ci`: pass `runningInCI(process.env)`; CI must never skip them silently) and otherwise prints a
 * loud SKIPPED banner and returns `{ available: false }` for `describe.skipIf`.
 */
export function executableForTests(
  program: RequiredExecutable,
  options: ExecutableSearch & { ci: boolean; what: string },
): ExecutableAvailability {
  const known = options.known ?? [program.defaultPath];
  const executable = findExecutable(program.names, known, options.path);
  if (executable) return { available: true, executable };
  const message =
    `${program.label} was not found (looked in ${known.join(', ')} and on PATH): ` +
    `${options.what}. Install it with: ${program.installHint}`;
  if (options.ci) throw new Error(`CI must run ${program.suites}, but ${message}`);
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n!! SKIPPED: ${options.what}\n!! ${message}\n${bar}\n`);
  return { available: false };
}
