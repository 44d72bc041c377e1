import { apiRootPath, isApiVersion, type ApiVersion } from '@campaigns/hubspot-client/version';
import { describe, expect, it } from 'vitest';
import { assertOpenApi3, dropNullExamples, normalizeApiPaths } from '../src/normalize.js';

const doc = (paths: Record<string, unknown>) => ({ openapi: '3.0.1', info: {}, paths });

describe('normalizeApiPaths', () => {
  it('makes v3, date-versioned and templated full paths relative to the API root', () => {
    const out = normalizeApiPaths(
      doc({
        '/marketing/v3/campaigns/batch/update': 1,
        '/marketing/v3/campaigns/': 2,
        '/marketing/campaigns/2026-03/{campaignGuid}': 3,
        '/marketing/campaigns/{version}/batch/read': 4,
      }),
    );
    expect(Object.keys(out.paths!)).toEqual([
      '/batch/update',
      '/',
      '/{campaignGuid}',
      '/batch/read',
    ]);
  });

  it('leaves paths that are already relative (root in `servers`) unchanged', () => {
    const out = normalizeApiPaths(doc({ '/': 1, '/batch/update': 2, '/marketing/v3/other': 3 }));
    expect(Object.keys(out.paths!)).toEqual(['/', '/batch/update', '/marketing/v3/other']);
  });

  it("strips exactly the API roots of the versions the client accepts (the client's definition)", () => {
    for (const version of ['v3', '2026-03', '1999-12', '2026-09-beta'] as ApiVersion[]) {
      expect(isApiVersion(version)).toBe(true);
      const out = normalizeApiPaths(doc({ [`${apiRootPath(version)}/batch/update`]: 1 }));
      expect(Object.keys(out.paths!)).toEqual(['/batch/update']);
    }
    for (const version of ['2026-13', '2026-3', 'v4', '2026-00', '2026-09-BETA', '2026-09-rc']) {
      expect(isApiVersion(version)).toBe(false);
      const full = `/marketing/campaigns/${version}/batch/update`;
      expect(Object.keys(normalizeApiPaths(doc({ [full]: 1 })).paths!)).toEqual([full]);
    }
  });

  it('refuses two paths that would collide', () => {
    expect(() =>
      normalizeApiPaths(doc({ '/marketing/v3/campaigns/batch/read': 1, '/batch/read': 2 })),
    ).toThrow(/two paths normalize to "\/batch\/read"/);
  });
});

describe('dropNullExamples', () => {
  it('removes example: null at any depth and keeps real examples', () => {
    const input = { example: null, a: [{ example: null, b: 1 }], c: { example: 'x' } };
    expect(dropNullExamples(input)).toEqual({ a: [{ b: 1 }], c: { example: 'x' } });
  });
});

describe('assertOpenApi3', () => {
  it('names the file and the version it found', () => {
    expect(() => assertOpenApi3({ swagger: '2.0' }, 'old.json')).toThrow(
      /old\.json: expected .*found "2\.0"/,
    );
    expect(() => assertOpenApi3([], 'list.yaml')).toThrow(/list\.yaml: not an OpenAPI document/);
    expect(() => assertOpenApi3({ openapi: '3.0.3' }, 'ok.yaml')).not.toThrow();
  });
});
