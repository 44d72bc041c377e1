// What a command runs with (streams, environment, working folder, a stop signal) and what it ends
// with (an exit code). `main.ts` wires these to the process; tests pass their own.
import type { Readable, Writable } from 'node:stream';

/** The exit codes, as documented in the README. */
export const EXIT = {
  /** Every campaign succeeded (or there was nothing to do). */
  OK: 0,
  /** The run finished, and some campaigns failed: the report or the summary names them. */
  SOME_FAILED: 1,
  /** Bad usage or a bad file: nothing was sent. */
  BAD_INPUT: 2,
  /** Stopped before the end: HubSpot refused the credentials, the daily limit, or an interrupt. */
  STOPPED: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  /** Progress, the summary and every message go here, so stdout stays data only. */
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: Readonly<Record<string, string | undefined>>;
  /** Relative file names are resolved against this folder. */
  cwd: string;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: the command stops cleanly and says so (exit 3). */
  signal: AbortSignal;
}

/** Problems listed when a file is refused (all are counted). */
export const MAX_PROBLEMS_SHOWN = 20;

/** Bad usage or a bad file, found before anything was sent: exit 2 with this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = EXIT.BAD_INPUT;
}

/** The command could not go on (e.g. HubSpot refused the token): exit 3 with this message. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
  readonly exitCode = EXIT.STOPPED;
}

/**
 * `12,345`: counts in messages, grouped by hand. `toLocaleString` would give the same text, but
 * its first use maps about 5 MB of ICU data from node's binary into the process for good, a
 * visible share of a 100,000-row run's peak RSS.
 */
export function count(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const [whole, fraction] = String(Math.abs(n)).split('.') as [string, string?];
  let grouped = '';
  for (let end = whole.length; end > 0; end -= 3)
    grouped = whole.slice(Math.max(0, end - 3), end) + (grouped === '' ? '' : `,${grouped}`);
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** `1 campaign`, `2 campaigns`. */
export function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? '' : 's'}`;
}
