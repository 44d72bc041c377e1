// Chromium for the browser tests, by the rule @campaigns/testing applies to every program a suite
// needs (redis-server too): with a browser the tests run; without one they FAIL in CI (which
// installs it: .ci/run) and are skipped loudly elsewhere, naming what was skipped and how to
// install it.
import {
  executableForTests,
  findExecutable,
  type ExecutableAvailability,
  type RequiredExecutable,
} from '@campaigns/testing';

/** Where Debian's `chromium` package installs the browser. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export const INSTALL_CHROMIUM_HINT = 'apt-get install -y chromium';

const CHROMIUM: RequiredExecutable = {
  label: 'Chromium',
  names: ['chromium', 'chromium-browser'],
  defaultPath: DEFAULT_CHROMIUM,
  installHint: INSTALL_CHROMIUM_HINT,
  suites: 'the browser tests',
};

/** The first executable of `known` (default: Debian's path), then of chromium on `path`. */
export function findChromium(search: { known?: string[]; path?: string } = {}): string | undefined {
  return findExecutable(CHROMIUM.names, search.known ?? [DEFAULT_CHROMIUM], search.path);
}

export type ChromiumAvailability = ExecutableAvailability;

/**
 * Whether the browser tests can run: with a Chromium they do; without one this throws in CI (`ci`:
 * pass `runningInCI(process.env)` of @campaigns/testing; CI must never skip them) and otherwise prints a loud SKIPPED banner and returns
 * `{ available: false }` for `describe.skipIf`.
 */
export function chromiumForTests(options: {
  ci: boolean;
  what: string;
  path?: string | undefined;
  known?: string[];
}): ChromiumAvailability {
  return executableForTests(CHROMIUM, options);
}
