// A batch operation whose `inputs` has no maxItems, even after the overlay, is refused when the
// spec is loaded, as the codegen refuses to generate its limits: never served without a limit.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCampaignsSpec } from '../src/index.js';

describe('a batch operation without a limit', () => {
  it('is refused at load, naming the operation', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sim-unbounded-'));
    try {
      const file = path.join(dir, 'campaigns.json');
      // `inputs` is a $ref to an array schema: no overlay action reaches that shape.
      const spec = {
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        paths: {
          '/batch/read': {
            post: {
              operationId: 'read',
              requestBody: {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: { inputs: { $ref: '#/components/schemas/Inputs' } },
                    },
                  },
                },
              },
              responses: { '200': { description: 'ok' } },
            },
          },
        },
        components: { schemas: { Inputs: { type: 'array', items: { type: 'string' } } } },
      };
      await writeFile(file, JSON.stringify(spec));
      expect(() => loadCampaignsSpec(pathToFileURL(file))).toThrow(
        /no maxItems on the inputs of POST \/batch\/read, even after the overlay/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
