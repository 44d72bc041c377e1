// GraphQL Code Generator configuration: the operations of operations/*.graphql, checked against
// the gateway's schema and compiled by the client preset into TypedDocumentNodes with their
// result and variables types (src/generated/graphql.ts). Run `npm run codegen`; CI runs
// `npm run codegen:check`, which fails naming the file when the committed output drifts.
import { createHash } from 'node:crypto';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { print, type DocumentNode } from 'graphql';

export const SCHEMA_FILE = '../../apps/gateway/src/schema.graphql';
export const OPERATIONS = 'operations/*.graphql';
export const OUTPUT_DIR = 'src/generated/';
/** The one file of the preset's output we keep (see scripts/codegen.ts). */
export const DOCUMENTS_FILE = `${OUTPUT_DIR}graphql.ts`;

/**
 * The id the gateway knows a document by: the SHA-256 of its printed text, which is how its
 * trusted documents manifest names it (`documentId: "sha256:<hex>"`). Embedded in each document
 * as `__meta__.documentId`.
 */
export function documentIdOf(document: DocumentNode): string {
  return `sha256:${createHash('sha256').update(print(document)).digest('hex')}`;
}

const config: CodegenConfig = {
  schema: SCHEMA_FILE,
  documents: OPERATIONS,
  emitLegacyCommonJSImports: false,
  generates: {
    [OUTPUT_DIR]: {
      preset: 'client',
      presetConfig: {
        // Plain result types: a fragment's fields are part of the operation's result.
        fragmentMasking: false,
        skipIndexFile: true,
        onExecutableDocumentNode: (document: DocumentNode) => ({
          documentId: documentIdOf(document),
        }),
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // The gateway's scalars as JSON carries them.
        scalars: {
          DateTime: { input: 'string', output: 'string' },
          JSON: { input: 'unknown', output: 'unknown' },
          ID: { input: 'string', output: 'string' },
        },
      },
    },
  },
};

export default config;
