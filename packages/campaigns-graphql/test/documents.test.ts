import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { buildSchema, print, specifiedRules, validate, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  CampaignListDocument,
  documentIdOf,
  operations,
  type CampaignListQuery,
  type CampaignListQueryVariables,
  type TypedDocumentNode,
} from '../src/index.js';

const schema = buildSchema(
  readFileSync(new URL('../../../apps/gateway/src/schema.graphql', import.meta.url), 'utf8'),
);
const manifest = JSON.parse(
  readFileSync(
    new URL('../../../apps/gateway/operations/trusted-documents.json', import.meta.url),
    'utf8',
  ),
) as { operations: Array<{ id: string; name: string; type: string; body: string }> };

describe('the operations', () => {
  it('are the ones frontends code against, by name', () => {
    expect(Object.keys(operations).sort()).toEqual([
      'CampaignExportPage',
      'CampaignList',
      'CampaignUpdateJob',
      'CampaignUpdateJobErrorGroups',
      'CampaignUpdateJobProgress',
      'CampaignUpdateJobResults',
      'CancelCampaignUpdate',
      'ReadCampaigns',
      'StartCampaignUpdate',
      'UpdateCampaigns',
    ]);
  });

  it('each validate against the gateway schema, one named operation with its fragments', () => {
    for (const [name, document] of Object.entries(operations)) {
      const errors = validate(schema, document as DocumentNode, specifiedRules);
      expect({ name, errors: errors.map((e) => e.message) }).toEqual({ name, errors: [] });
      const ops = document.definitions.filter((d) => d.kind === 'OperationDefinition');
      expect(ops.map((d) => d.name?.value)).toEqual([name]);
    }
  });

  it('each is in the gateway trusted documents, as printed, under the id documentIdOf gives', () => {
    for (const [name, document] of Object.entries(operations)) {
      const body = print(document);
      const hex = createHash('sha256').update(body).digest('hex');
      expect(documentIdOf(document)).toBe(`sha256:${hex}`);
      expect(manifest.operations.find((o) => o.name === name)).toMatchObject({ id: hex, body });
    }
  });

  it('carry their result and variables types', () => {
    const typed: TypedDocumentNode<CampaignListQuery, CampaignListQueryVariables> =
      CampaignListDocument;
    const variables: CampaignListQueryVariables = { first: 10, sort: 'NAME_DESC', name: 'sale' };
    // @ts-expect-error: not a sort of the schema
    const wrong: CampaignListQueryVariables = { sort: 'BUDGET' };
    expect([typed, variables, wrong]).toHaveLength(3);
  });

  it('refuses an id for a document that is not one of them', () => {
    const { __meta__: _meta, ...stripped } = CampaignListDocument as DocumentNode & {
      __meta__?: unknown;
    };
    expect(() => documentIdOf(stripped as TypedDocumentNode<unknown, never>)).toThrow(
      /not an operation of @campaigns\/graphql/,
    );
  });
});
