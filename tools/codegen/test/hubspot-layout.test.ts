// The codegen takes a spec in HubSpot's layout unchanged: the simulator's fixture (full paths under
// a beta date version, the host in `servers`, `example: null`, `*/*` default answers, operations
// beyond ours, no 429s, no rate-limit headers, no maxItems). The overlay adds our additions to it,
// and the normaliser maps its full paths to the relative ones the client calls.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
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

  it('gets the overlay: a 429 on every operation, the rate-limit headers, maxItems 50', async () => {
    const raw = await readFile(fixture, 'utf8');
    for (const absent of ['"429"', 'RateLimit', 'maxItems']) expect(raw).not.toContain(absent);

    const doc = await loadSpec(fixture);
    const operations = Object.values(doc.paths ?? {}).flatMap((item) =>
      Object.values(item as Record<string, { responses?: Record<string, unknown> }>).filter(
        (operation) => operation.responses !== undefined,
      ),
    );
    expect(operations).toHaveLength(13);
    for (const operation of operations) {
      expect(operation.responses?.['429']).toEqual({
        $ref: '#/components/responses/TooManyRequests',
      });
    }
    expect(generated).toContain('429: components["responses"]["TooManyRequests"];');
    expect(generated).toContain('RateLimitError: {');
    expect(generated).toContain(
      '"X-HubSpot-RateLimit-Remaining": components["headers"]["RateLimitRemaining"];',
    );
    expect(generated).toMatch(/inputs: components\["schemas"\]\["CampaignUpdateItem"\]\[\];/);

    const limits = await generateLimits(fixture);
    expect(limits).toContain("'POST /batch/update': 50,");
  });

  it('is generated without our additions when the overlay is turned off', async () => {
    const bare = await generateTypes(fixture, { overlay: false });
    expect(bare).not.toContain('TooManyRequests');
    expect(bare).not.toContain('RateLimit');
  });
});
