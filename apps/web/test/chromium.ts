// Chromium for the browser tests, the way @campaigns/testing treats redis-server: with a browser
// the tests run; without one they FAIL in CI (which installs it: .ci/run) and are skipped loudly
// elsewhere, naming what was skipped and how to install it.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where Debian's `chromium` package installs the browser. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export const INSTALL_CHROMIUM_HINT = 'apt-get install -y chromium';

/** The first executable of `known` (default: Debian's path), then of chromium on `path`. */
export function findChromium(search: { known?: string[]; path?: string } = {}): string | undefined {
  const candidates = [
    ...(search.known ?? [DEFAULT_CHROMIUM]),
    ...(search.path ?? '')
      .split(delimiter)
      .filter(Boolean)
      .flatMap((dir) => [join(dir, 'chromium'), join(dir, 'chromium-browser')]),
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

export interface ChromiumAvailability {
  available: boolean;
  executable?: string;
}

/**
 * Whether the browser tests can run: with a Chromium they do; without one this throws when `ci`
 * is true (CI must never skip them) and otherwise prints a loud SKIPPED banner and returns
 * `{ available: false }` for `describe.skipIf`.
 */
export function chromiumForTests(options: {
  ci: boolean;
  what: string;
  path?: string | undefined;
  known?: string[];
}): ChromiumAvailability {
  const executable = findChromium(options);
  if (executable) return { available: true, executable };
  const message =
    `Chromium was not found (looked in ${(options.known ?? [DEFAULT_CHROMIUM]).join(', ')} and on PATH): ` +
    `${options.what}. Install it with: ${INSTALL_CHROMIUM_HINT}`;
  if (options.ci) throw new Error(`CI must run the browser tests, but ${message}`);
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n!! SKIPPED: ${options.what}\n!! ${message}\n${bar}\n`);
  return { available: false };
}
