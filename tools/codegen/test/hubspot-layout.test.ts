// The codegen takes a spec in HubSpot's layout unchanged: the simulator's fixture (full paths under
// a beta date version, the host in `servers`, `example: null`, `*/*` default answers, operations
// beyond ours). The normaliser maps its full paths to the relative ones the client calls.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLimits, generateTypes, loadSpec } from '../src/generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(
  here,
  '../../../apps/hubspot-sim/test/fixtures/hubspot-layout-2026-09-beta.json',
);

let generated = '';
beforeAll(async () => {
  generated = await generateTypes(fixture);
});

function pathKeys(text: string): string[] {
  const block = text.slice(
    text.indexOf('export interface paths {'),
    text.indexOf('export type webhooks'),
  );
  return [...block.matchAll(/^ {4}"([^"]+)": \{/gm)].map((m) => m[1]!);
}

describe('a spec in HubSpot layout, fed to the codegen unchanged', () => {
  it('generates every path relative to the API root, the ones the client calls among them', () => {
    const keys = pathKeys(generated);
    expect(keys).toEqual(
      expect.arrayContaining([
        '/',
        '/{campaignGuid}',
        '/batch/read',
        '/batch/update',
        '/batch/create',
        '/batch/archive',
        '/{campaignGuid}/reports/metrics',
      ]),
    );
    expect(keys.filter((k) => k.startsWith('/marketing'))).toEqual([]);
  });

  it('keeps the servers entry and drops the null examples', async () => {
    const doc = await loadSpec(fixture);
    expect(doc.servers).toEqual([{ url: 'https://api.hubapi.com' }]);
    expect(generated).not.toContain('@example null');
    expect(generated).toContain('"*/*": components["schemas"]["Error"]');
  });

  it("takes HubSpot's documented batch limit where the file declares no maxItems", async () => {
    const limits = await generateLimits(fixture);
    expect(limits).toContain(
      "'POST /batch/update': 50, // no maxItems in the spec: HubSpot's documented limit",
    );
  });
});
