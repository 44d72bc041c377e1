// One definition of which versions exist (src/version.ts): the package's own version, read from
// package.json, and the API versions whose root the client builds, the simulator routes and the
// codegen strips from spec paths.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  API_ROOT_PATH,
  campaignsApiRoot,
  CLIENT_VERSION,
  DEFAULT_USER_AGENT,
  isApiVersion,
  type ApiVersion,
} from '../src/index.js';
import { specPathRelativeToApiRoot } from '../src/version.js';

describe('CLIENT_VERSION', () => {
  it("is the package's version from package.json, and the default User-Agent carries it", async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(CLIENT_VERSION).toBe(pkg.version);
    expect(DEFAULT_USER_AGENT).toBe(`campaigns-hubspot-client/${pkg.version}`);
  });
});

describe('API versions', () => {
  it('builds a root that API_ROOT_PATH matches for every version it accepts', () => {
    for (const version of ['v3', '2026-03', '1999-12', '2026-09-beta'] as ApiVersion[]) {
      expect(isApiVersion(version)).toBe(true);
      const root = new URL(campaignsApiRoot('https://api.hubapi.com', version)).pathname;
      expect(API_ROOT_PATH.exec(`${root}/batch/update`)?.[0]).toBe(root);
    }
  });

  it('refuses the versions it does not accept', () => {
    for (const version of [
      '2026-13',
      '2026-3',
      '2026-00',
      'v4',
      '',
      '2026-09-BETA',
      '2026-09beta',
      '2026-09-alpha',
      'v3-beta',
      '2026-13-beta',
    ]) {
      expect(isApiVersion(version)).toBe(false);
      expect(() => campaignsApiRoot(undefined, version as ApiVersion)).toThrow(/apiVersion/);
      expect(API_ROOT_PATH.test(`/marketing/campaigns/${version}/batch/update`)).toBe(false);
    }
  });
});

describe('apiVersion of the client', () => {
  it('takes a beta date version, as HubSpot writes it, and builds its root', () => {
    expect(campaignsApiRoot('https://api.hubapi.com', '2026-09-beta')).toBe(
      'https://api.hubapi.com/marketing/campaigns/2026-09-beta',
    );
  });
});

describe('specPathRelativeToApiRoot', () => {
  it('strips every accepted root and a {version} template, and leaves other paths alone', () => {
    expect(specPathRelativeToApiRoot('/marketing/v3/campaigns/batch/update')).toBe('/batch/update');
    expect(specPathRelativeToApiRoot('/marketing/campaigns/2026-09-beta/{campaignGuid}')).toBe(
      '/{campaignGuid}',
    );
    expect(specPathRelativeToApiRoot('/marketing/campaigns/{version}/')).toBe('/');
    expect(specPathRelativeToApiRoot('/marketing/v3/campaigns')).toBe('/');
    expect(specPathRelativeToApiRoot('/batch/read')).toBe('/batch/read');
    expect(specPathRelativeToApiRoot('/marketing/v3/campaignsx/a')).toBe(
      '/marketing/v3/campaignsx/a',
    );
  });
});
