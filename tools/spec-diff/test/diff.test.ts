// One test per kind of upstream change, on copies of a small spec in HubSpot's layout: whether
// the change is breaking, and that the report names the operation, the schema and the field.
import { describe, expect, it } from 'vitest';
import { diffSpecs, formatReport, type SpecChange } from '../src/index.js';
import { baseSpec, edited, renameField, ROOT, schemas } from './fixture.js';

const labels = { from: 'old.json', to: 'new.json' };

function compare(edit: Parameters<typeof edited>[0]) {
  const diff = diffSpecs(baseSpec(), edited(edit));
  return { diff, report: formatReport(diff, labels) };
}

const find = (changes: SpecChange[], target: string, field = '') =>
  changes.filter((c) => c.target === target && c.field === field);

describe('diffSpecs and formatReport, per upstream change', () => {
  it('no change: nothing listed', () => {
    const { diff, report } = compare(() => {});
    expect(diff.changes).toEqual([]);
    expect(report).toContain('No changes.');
  });

  it('field added to an answer: not breaking; named per operation and schema', () => {
    const { diff, report } = compare((spec) => {
      schemas(spec).Campaign.properties.campaignOwner = { type: 'string' };
    });
    expect(diff.changes.some((c) => c.breaking)).toBe(false);
    expect(find(diff.changes, 'Campaign', 'campaignOwner')).toMatchObject([
      { scope: 'schema', kind: 'added', breaking: false, detail: 'field added' },
    ]);
    expect(find(diff.changes, 'POST /batch/update', 'results[].campaignOwner')).toMatchObject([
      { scope: 'operation', kind: 'added', where: 'response 200 (application/json)' },
    ]);
    expect(report).toContain('**0 breaking**');
    expect(report).toMatch(
      /## Added[\s\S]*`POST \/batch\/update` response 200 \(application\/json\) `results\[\]\.campaignOwner`: field added/,
    );
    expect(report).toContain('schema `Campaign` `campaignOwner`: field added');
  });

  it('field renamed in an answer: breaking, told as a rename', () => {
    const { diff, report } = compare((spec) =>
      renameField(spec, 'BatchResponseCampaign', 'results', 'items'),
    );
    expect(find(diff.changes, 'POST /batch/update', 'results')).toMatchObject([
      { kind: 'changed', breaking: true, detail: 'renamed to `items`' },
    ]);
    expect(find(diff.changes, 'BatchResponseCampaign', 'results')).toMatchObject([
      { scope: 'schema', breaking: true, detail: 'renamed to `items`' },
    ]);
    // The new name's `now required` is part of the rename, not a change of its own.
    expect(find(diff.changes, 'POST /batch/update', 'items')).toEqual([]);
    expect(report).toMatch(
      /## Breaking[\s\S]*`POST \/batch\/update` response 200 \(application\/json\) `results`: renamed to `items`/,
    );
    expect(report).toContain('schema `BatchResponseCampaign` `results`: renamed to `items`');
  });

  it('field type changed: breaking, in an answer as in a request', () => {
    const answer = compare((spec) => {
      schemas(spec).BusinessUnitRef.properties.id = { type: 'string' };
    });
    expect(find(answer.diff.changes, 'BusinessUnitRef', 'id')).toMatchObject([
      { breaking: true, kind: 'changed' },
    ]);
    expect(find(answer.diff.changes, 'GET /{campaignGuid}', 'businessUnits[].id')[0]).toMatchObject(
      {
        breaking: true,
        detail: expect.stringContaining('type "integer" → "string"'),
      },
    );
    expect(answer.report).toMatch(
      /## Breaking[\s\S]*schema `BusinessUnitRef` `id`: .*type "integer" → "string"/,
    );

    const request = compare((spec) => {
      schemas(spec).CampaignUpdateItem.properties.id = { type: 'integer' };
    });
    expect(find(request.diff.changes, 'POST /batch/update', 'inputs[].id')).toMatchObject([
      { breaking: true, where: 'request body (application/json)' },
    ]);
  });

  it('endpoint added: not breaking, named', () => {
    const { diff, report } = compare((spec) => {
      spec.paths[`${ROOT}/batch/upsert`] = structuredClone(spec.paths[`${ROOT}/batch/update`]);
      spec.paths[`${ROOT}/batch/upsert`].post.operationId = `post-${ROOT}/batch/upsert`;
    });
    expect(diff.changes).toEqual([
      expect.objectContaining({ target: 'POST /batch/upsert', kind: 'added', breaking: false }),
    ]);
    expect(report).toMatch(/## Added\n\n- `POST \/batch\/upsert`: operation added/);
  });

  it('endpoint removed: breaking, named', () => {
    const { diff, report } = compare((spec) => {
      delete spec.paths[`${ROOT}/batch/archive`];
    });
    expect(diff.changes).toEqual([
      expect.objectContaining({ target: 'POST /batch/archive', kind: 'removed', breaking: true }),
    ]);
    expect(report).toMatch(
      /\*\*1 breaking\*\*[\s\S]*## Breaking\n\n- `POST \/batch\/archive`: operation removed/,
    );
  });

  it('maxItems of the batch inputs lowered: breaking; raised: not', () => {
    const lowered = compare((spec) => {
      schemas(spec).BatchInputCampaignUpdateItem.properties.inputs.maxItems = 10;
    });
    expect(find(lowered.diff.changes, 'POST /batch/update', 'inputs')).toMatchObject([
      { breaking: true, where: 'request body (application/json)', detail: 'maxItems 50 → 10' },
    ]);
    expect(lowered.report).toMatch(
      /## Breaking[\s\S]*`POST \/batch\/update` request body \(application\/json\) `inputs`: maxItems 50 → 10/,
    );
    expect(lowered.report).toContain(
      'schema `BatchInputCampaignUpdateItem` `inputs`: maxItems 50 → 10',
    );

    const raised = compare((spec) => {
      schemas(spec).BatchInputCampaignUpdateItem.properties.inputs.maxItems = 100;
    });
    expect(raised.diff.changes.length).toBeGreaterThan(0);
    expect(raised.diff.changes.some((c) => c.breaking)).toBe(false);
    expect(raised.report).toMatch(
      /## Changed[\s\S]*`POST \/batch\/update` request body \(application\/json\) `inputs`: maxItems 50 → 100/,
    );
  });
});

describe('classification rules beyond the six kinds', () => {
  it('a request field becoming required, or a request enum narrowing, is breaking', () => {
    const required = compare((spec) => {
      schemas(spec).CampaignUpdateItem.properties.note = { type: 'string' };
      schemas(spec).CampaignUpdateItem.required.push('note');
    });
    expect(find(required.diff.changes, 'POST /batch/update', 'inputs[].note')).toMatchObject([
      { breaking: true, kind: 'added', detail: 'field added; now required' },
    ]);
    const narrowed = compare((spec) => {
      schemas(spec).CampaignUpdateItem.properties.id.enum = ['only-this'];
    });
    expect(find(narrowed.diff.changes, 'CampaignUpdateItem', 'id')).toMatchObject([
      { breaking: true, detail: 'enum any → ["only-this"]' },
    ]);
  });

  it('a new value in an answer enum is breaking; a removed one is not', () => {
    const added = compare((spec) => {
      schemas(spec).BatchResponseCampaign.properties.status.enum.push('PAUSED');
    });
    expect(find(added.diff.changes, 'BatchResponseCampaign', 'status')[0]?.breaking).toBe(true);
    const removed = compare((spec) => {
      schemas(spec).BatchResponseCampaign.properties.status.enum.pop();
    });
    expect(find(removed.diff.changes, 'BatchResponseCampaign', 'status')[0]?.breaking).toBe(false);
  });

  it('documentation-only changes are counted, not listed', () => {
    const { diff, report } = compare((spec) => {
      schemas(spec).Campaign.properties.id.description = 'Another description.';
      spec.paths[`${ROOT}/batch/update`].post.summary = 'Another summary';
    });
    expect(diff.changes).toEqual([]);
    expect(diff.documentationOnly).toBeGreaterThan(0);
    expect(report).toMatch(
      /No change to operations or schemas \(\d+ documentation-only changes?\)/,
    );
  });

  it('a v3 file and a date version file compare operation by operation', () => {
    const v3 = baseSpec();
    v3.paths = Object.fromEntries(
      Object.entries(v3.paths).map(([key, item]) => [
        key.replace(ROOT, '/marketing/v3/campaigns'),
        item,
      ]),
    );
    const diff = diffSpecs(v3, baseSpec());
    expect(diff.changes.filter((c) => c.scope === 'operation')).toEqual([]);
  });

  it('refuses a document that is not OpenAPI 3', () => {
    expect(() => diffSpecs({ swagger: '2.0', paths: {} }, baseSpec())).toThrow(/openapi: 3\.0/);
  });
});

describe('security requirements', () => {
  const UPDATE = 'POST /batch/update';
  const security = (spec: ReturnType<typeof baseSpec>) =>
    spec.paths[`${ROOT}/batch/update`].post.security;

  it('a scope added to a requirement is breaking, and no type shows it', () => {
    const { diff, report } = compare((spec) => {
      security(spec)[0].oauth2.push('marketing.campaigns.revenue.read');
    });
    expect(diff.changes.filter((c) => c.target === UPDATE)).toMatchObject([
      { where: 'security', breaking: true, typed: false },
    ]);
    expect(report).toMatch(/## Breaking[\s\S]*`POST \/batch\/update` security.*revenue\.read/);
  });

  it('an alternative requirement removed is breaking; one added, or a scope removed, is not', () => {
    const removed = compare((spec) => security(spec).splice(0, 1));
    expect(removed.diff.changes.filter((c) => c.target === UPDATE)).not.toEqual([]);
    expect(removed.diff.changes.every((c) => c.breaking)).toBe(true);

    const added = compare((spec) => security(spec).push({ oauth2: ['marketing.read'] }));
    expect(added.diff.changes.filter((c) => c.target === UPDATE)).not.toEqual([]);
    expect(added.diff.changes.some((c) => c.breaking)).toBe(false);

    const fewer = compare((spec) => (security(spec)[0].oauth2 = []));
    expect(fewer.diff.changes.filter((c) => c.target === UPDATE)).not.toEqual([]);
    expect(fewer.diff.changes.some((c) => c.breaking)).toBe(false);
  });
});

describe('which breaking changes the types show', () => {
  it('fields and operations: typed; maxItems and format: not', () => {
    const renamed = compare((spec) =>
      renameField(spec, 'BatchResponseCampaign', 'results', 'items'),
    );
    expect(renamed.diff.changes.filter((c) => c.breaking).every((c) => c.typed)).toBe(true);
    const lowered = compare((spec) => {
      schemas(spec).BatchInputCampaignUpdateItem.properties.inputs.maxItems = 10;
    });
    expect(find(lowered.diff.changes, 'POST /batch/update', 'inputs')).toMatchObject([
      { breaking: true, typed: false },
    ]);
    const format = compare((spec) => {
      schemas(spec).BusinessUnitRef.properties.id.format = 'int32';
    });
    expect(find(format.diff.changes, 'BusinessUnitRef', 'id')).toMatchObject([
      { breaking: true, typed: false },
    ]);
  });
});

describe('hostile input', () => {
  /** `Level0` … `Level<n-1>`, each referencing the one before twice: 2^n copies once inlined. */
  function doublingChain(levels: number) {
    return edited((spec) => {
      schemas(spec).Level0 = { type: 'string' };
      for (let i = 1; i < levels; i++) {
        schemas(spec)[`Level${i}`] = {
          type: 'object',
          properties: {
            left: { $ref: `#/components/schemas/Level${i - 1}` },
            right: { $ref: `#/components/schemas/Level${i - 1}` },
          },
        };
      }
      schemas(spec).Campaign.properties.nested = {
        $ref: `#/components/schemas/Level${levels - 1}`,
      };
    });
  }

  it('refuses, naming the cause, a $ref chain that doubles at every level (17 and 19 levels)', () => {
    for (const levels of [17, 19]) {
      expect(() => diffSpecs(baseSpec(), doublingChain(levels))).toThrow(
        /new spec: has more than 250000 nodes once its \$refs are inlined; refusing/,
      );
      expect(() => diffSpecs(doublingChain(levels), baseSpec())).toThrow(/^old spec: /);
    }
  });

  it('refuses a $ref chain deeper than the limit, without overflowing the stack', () => {
    const deep = edited((spec) => {
      for (let i = 0; i < 5000; i++) {
        schemas(spec)[`Deep${i}`] =
          i === 0 ? { type: 'string' } : { $ref: `#/components/schemas/Deep${i - 1}` };
      }
    });
    expect(() => diffSpecs(baseSpec(), deep)).toThrow(/nests deeper than 200 levels/);
  });

  it('still compares a short doubling chain, with a bounded number of changes', () => {
    const diff = diffSpecs(baseSpec(), doublingChain(6));
    expect(diff.changes.length).toBeGreaterThan(0);
    expect(diff.changes.length).toBeLessThan(200);
  });
});
