import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { chromiumForTests, findChromium, INSTALL_CHROMIUM_HINT } from './chromium';

describe('chromiumForTests', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'chromium-'));
    await writeFile(path.join(dir, 'chromium'), '#!/bin/sh\n');
    await chmod(path.join(dir, 'chromium'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds Chromium at a known path first, then on PATH', () => {
    expect(findChromium({ known: ['/nonexistent/chromium'], path: dir })).toBe(
      path.join(dir, 'chromium'),
    );
    expect(findChromium({ known: ['/nonexistent/chromium'], path: '' })).toBeUndefined();
  });

  it('fails in CI without Chromium, naming the install command', () => {
    expect(() =>
      chromiumForTests({ ci: true, what: 'the browser tests', known: ['/nonexistent'], path: '' }),
    ).toThrow(`CI must run the browser tests, but Chromium was not found`);
  });

  it('skips loudly elsewhere', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(
      chromiumForTests({ ci: false, what: 'the browser tests', known: ['/nonexistent'], path: '' }),
    ).toEqual({ available: false });
    expect(warn.mock.calls[0]![0]).toContain('SKIPPED: the browser tests');
    expect(warn.mock.calls[0]![0]).toContain(INSTALL_CHROMIUM_HINT);
    warn.mockRestore();
  });
});
