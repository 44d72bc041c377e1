// The overlay applier (Overlay 1.0.0's update and remove), the repository's overlay on its own
// spec, and how version folders are found.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  applyOverlay,
  assertOverlay,
  batchInputLimits,
  readOverlay,
  readSpecDocument,
  specFileOf,
  specVersions,
  type OverlayDocument,
} from '../src/index.js';

const overlay = (...actions: OverlayDocument['actions']): OverlayDocument => ({
  overlay: '1.0.0',
  info: { title: 't', version: '1' },
  actions,
});

describe('applyOverlay', () => {
  const doc = {
    paths: {
      '/a': { get: { responses: { '200': { description: 'ok' } } }, parameters: [] },
      '/b': { post: { responses: { '201': { description: 'made' } }, tags: ['x'] } },
    },
  };

  it('merges an update into every selected object, recursively, and leaves the input alone', () => {
    const before = structuredClone(doc);
    const { document, unmatched } = applyOverlay(
      doc,
      overlay({
        target: '$.paths.*[?@.responses]',
        update: { responses: { '429': { description: 'slow down' } } },
      }),
    );
    expect(document.paths['/a'].get.responses).toEqual({
      '200': { description: 'ok' },
      '429': { description: 'slow down' },
    });
    expect(Object.keys(document.paths['/b'].post.responses)).toEqual(['201', '429']);
    expect(unmatched).toEqual([]);
    expect(doc).toEqual(before);
  });

  it('appends an update to a selected array, and merges into the root', () => {
    const { document } = applyOverlay(
      doc,
      overlay(
        { target: "$.paths['/b'].post.tags", update: 'y' },
        { target: '$', update: { info: { title: 'added' } } },
      ),
    );
    expect(document.paths['/b'].post.tags).toEqual(['x', 'y']);
    expect((document as { info?: unknown }).info).toEqual({ title: 'added' });
  });

  it('removes every selected node, array items from the last', () => {
    const { document } = applyOverlay(
      { list: [1, 2, 3, 4], paths: doc.paths },
      overlay(
        { target: '$.list[?@ > 1]', remove: true },
        { target: "$.paths['/a']", remove: true },
      ),
    );
    expect(document.list).toEqual([1]);
    expect(Object.keys(document.paths)).toEqual(['/b']);
  });

  it('reports an action that selects nothing, and refuses bad JSONPath and scalar targets', () => {
    const none = { target: '$.nothing', update: { x: 1 } };
    expect(applyOverlay(doc, overlay(none)).unmatched).toEqual([none]);
    expect(() => applyOverlay(doc, overlay({ target: '$.paths[', update: {} }))).toThrow(
      /overlay action 1 \(\$\.paths\[\)/,
    );
    expect(() =>
      applyOverlay(
        doc,
        overlay({ target: "$.paths['/a'].get.responses['200'].description", update: {} }),
      ),
    ).toThrow(/update needs an object or array target/);
  });

  it('merges by the Overlay rules: arrays concatenate, primitives replace, a mismatch throws naming the path', () => {
    const base = { info: { tags: ['a'], title: 't', contact: { name: 'n' } } };
    const { document } = applyOverlay(
      base,
      overlay({
        target: '$',
        update: { info: { tags: ['b'], title: 'u', contact: { url: 'x' } } },
      }),
    );
    expect(document.info).toEqual({
      tags: ['a', 'b'],
      title: 'u',
      contact: { name: 'n', url: 'x' },
    });
    expect(() =>
      applyOverlay(base, overlay({ target: '$.info', update: { contact: 'just a name' } })),
    ).toThrow(/cannot merge a string into a object at \$\['info'\]\['contact'\]/);
    expect(() =>
      applyOverlay(base, overlay({ target: '$.info', update: { title: { text: 't' } } })),
    ).toThrow(/at \$\['info'\]\['title'\]/);
    expect(() =>
      applyOverlay(base, overlay({ target: '$', update: { info: { tags: 'c' } } })),
    ).toThrow(/cannot merge a string into an array at \$\['info'\]\['tags'\]/);
  });

  it('acts once on a node selected twice', () => {
    const { document } = applyOverlay(
      { list: [1, 2, 3, 4], nested: [[1], [2]] },
      overlay({ target: '$.list[1,1]', remove: true }, { target: '$.nested[0,0]', update: 9 }),
    );
    expect(document.list).toEqual([1, 3, 4]);
    expect(document.nested).toEqual([[1, 9], [2]]);
  });

  it('treats nodes a YAML alias shares as separate nodes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'openapi-alias-'));
    try {
      const file = path.join(dir, 'campaigns.yaml');
      await writeFile(
        file,
        [
          'openapi: 3.0.3',
          'info: { title: t, version: "1" }',
          'paths:',
          '  /a:',
          '    get: &op',
          '      responses:',
          "        '200': { description: ok }",
          '  /b:',
          '    get: *op',
          '',
        ].join('\n'),
      );
      const document = readSpecDocument(file, {
        overlay: overlay({ target: "$.paths['/a'].get.responses['200']", remove: true }),
      });
      const paths = document.paths as Record<string, { get: { responses: object } }>;
      expect(paths['/a']!.get.responses).toEqual({});
      expect(paths['/b']!.get.responses).toEqual({ '200': { description: 'ok' } });
      // Also when the caller parsed the YAML itself and the aliases are shared objects.
      const shared = { n: 1, m: 2 };
      const removed = applyOverlay(
        { a: shared, b: shared },
        overlay({ target: '$.a.n', remove: true }),
      ).document;
      expect(removed).toEqual({ a: { m: 2 }, b: { n: 1, m: 2 } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks the overlay document itself', () => {
    expect(() => assertOverlay({ overlay: '1.1.0', info: { title: 't' }, actions: [] })).toThrow(
      /expected "overlay: 1\.0\.x"/,
    );
    expect(() =>
      assertOverlay({ overlay: '1.0.0', info: { title: 't' }, actions: [{ target: '$' }] }),
    ).toThrow(/action 1: has neither update nor remove: true/);
  });
});

describe("the repository's overlay on the repository's v3 spec", () => {
  it('describes every action, and every action selects something (but the inline-body limits)', () => {
    const ours = readOverlay();
    expect(ours.actions.every((a) => (a.description ?? '').length > 40)).toBe(true);
    const unmatched: string[] = [];
    readSpecDocument(specFileOf('v3'), { onUnmatched: (a) => unmatched.push(a.target) });
    // Our v3 spec writes every batch body as a component schema, so these two have nothing there.
    expect(unmatched).toEqual([
      expect.stringMatching(/^\$\.paths\.\*\.\*\.requestBody\.content\[/),
      expect.stringMatching(/^\$\.components\.requestBodies\.\*\.content\[/),
    ]);
  });

  it("limits an inline batch body too, and keeps a spec's own 429 and its `$ref` answers", () => {
    const inputs = { type: 'array', items: { type: 'object' } };
    const body = (schema: object) => ({ content: { 'application/json': { schema } } });
    const doc = {
      openapi: '3.0.3',
      paths: {
        '/batch/inline': {
          post: {
            requestBody: body({ type: 'object', properties: { inputs } }),
            responses: {
              '200': { $ref: '#/components/responses/Done' },
              '429': { description: 'our own' },
            },
          },
        },
        '/batch/shared': {
          post: {
            requestBody: { $ref: '#/components/requestBodies/Shared' },
            responses: { '201': { description: 'made' } },
          },
        },
      },
      components: {
        requestBodies: { Shared: body({ type: 'object', properties: { inputs } }) },
        responses: { Done: { description: 'done' } },
      },
    };
    const { document } = applyOverlay(doc, readOverlay());
    expect(batchInputLimits(document)).toEqual({
      'POST /batch/inline': 50,
      'POST /batch/shared': 50,
    });
    const inline = document.paths['/batch/inline'].post.responses;
    expect(inline['429']).toEqual({ description: 'our own' });
    expect(inline['200']).toEqual({ $ref: '#/components/responses/Done' });
    const shared = document.paths['/batch/shared'].post.responses as Record<string, unknown>;
    expect(shared['429']).toEqual({ $ref: '#/components/responses/TooManyRequests' });
    expect(Object.keys((shared['201'] as { headers: object }).headers)).toContain(
      'X-HubSpot-RateLimit-Max',
    );
  });

  it('adds maxItems 50 where the spec has none, and keeps a maxItems the spec declares', () => {
    const raw = readSpecDocument(specFileOf('v3'), { overlay: false });
    expect(Object.values(batchInputLimits(raw))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(batchInputLimits(readSpecDocument(specFileOf('v3')))).toEqual({
      'POST /marketing/v3/campaigns/batch/read': 50,
      'POST /marketing/v3/campaigns/batch/update': 50,
      'POST /marketing/v3/campaigns/batch/create': 50,
      'POST /marketing/v3/campaigns/batch/archive': 50,
    });
    const schemas = (
      raw.components as { schemas: Record<string, { properties: { inputs: object } }> }
    ).schemas;
    schemas.BatchInputPublicCampaignBatchUpdateItem!.properties.inputs = {
      ...schemas.BatchInputPublicCampaignBatchUpdateItem!.properties.inputs,
      maxItems: 10,
    };
    const { document } = applyOverlay(raw, readOverlay());
    expect(batchInputLimits(document)['POST /marketing/v3/campaigns/batch/update']).toBe(10);
  });
});

describe('version folders', () => {
  it('finds the spec of each version folder, and names the versions there are when one is missing', async () => {
    expect(specVersions()).toContain('v3');
    expect(fileURLToPath(specFileOf('v3'))).toMatch(/openapi[/\\]v3[/\\]campaigns\.yaml$/);
    expect(() => specFileOf('2026-03', path.join(tmpdir()))).toThrow(/no spec for API version/);

    const dir = await mkdtemp(path.join(tmpdir(), 'openapi-versions-'));
    try {
      await mkdir(path.join(dir, '2026-03'));
      await writeFile(path.join(dir, '2026-03', 'campaigns.json'), '{}');
      await mkdir(path.join(dir, 'notes'));
      await mkdir(path.join(dir, 'drafts'));
      await writeFile(path.join(dir, 'drafts', 'campaigns.yaml'), 'openapi: 3.0.3\n');
      expect(specVersions(dir)).toEqual(['2026-03', 'drafts']);
      // The caller passes the version rule (the client's isApiVersion); this package has no copy.
      const isVersion = (name: string) => /^\d{4}-\d{2}$/.test(name);
      expect(specVersions(dir, isVersion)).toEqual(['2026-03']);
      expect(() => specFileOf('drafts', dir, isVersion)).toThrow(/versions there: 2026-03\)/);
      expect(() => specFileOf('../2026-03', dir)).toThrow(/versions there: 2026-03, drafts/);
      expect(specVersions(path.join(dir, 'missing'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
