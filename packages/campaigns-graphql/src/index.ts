// The gateway's operations for frontends, typed: each `…Document` is a TypedDocumentNode (its
// result and variables types travel with it), usable from Apollo Client, urql, graphql-request
// or plain fetch. Generated from operations/*.graphql by `npm run codegen`; the gateway's trusted
// documents manifest is built from these same documents, so each one runs where only trusted
// documents are allowed.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import * as generated from './generated/graphql.js';
import type { BatchStatus, CampaignUpdateJobProgressSubscription } from './generated/graphql.js';

export * from './generated/graphql.js';
export type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** What codegen embeds in each operation's document (codegen.ts). */
interface DocumentMeta {
  __meta__?: { documentId?: string };
}

/**
 * The id the gateway knows a document by (`"sha256:<hex>"` of its printed text): send it as
 * `documentId` instead of the text, e.g. `{ documentId: documentIdOf(CampaignListDocument),
 * variables }`. Throws for a document that is not one of this package's operations.
 */
export function documentIdOf(document: TypedDocumentNode<unknown, never>): string {
  const id = (document as DocumentMeta).__meta__?.documentId;
  if (id === undefined) throw new Error('not an operation of @campaigns/graphql: it has no id');
  return id;
}

/** Every operation of the package, by name (the gateway builds its manifest from these). */
export const operations: Readonly<Record<string, TypedDocumentNode<unknown, never>>> =
  Object.fromEntries(
    Object.entries(generated)
      .filter(([name, value]) => name.endsWith('Document') && isOperation(value))
      .map(([name, document]) => [
        name.slice(0, -'Document'.length),
        document as TypedDocumentNode<unknown, never>,
      ]),
  );

function isOperation(value: unknown): boolean {
  const definitions = (value as { definitions?: Array<{ kind?: string }> } | undefined)
    ?.definitions;
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as { kind?: unknown }).kind === 'Document' &&
    definitions?.[0]?.kind === 'OperationDefinition'
  );
}

/**
 * A job's progress as the `CampaignUpdateJobProgress` subscription tells it: also what a start,
 * a cancel and a read of the job carry (every job operation selects these fields).
 */
export type JobProgress = CampaignUpdateJobProgressSubscription['campaignUpdateJobProgress'];

/** Whether a job has ended (`COMPLETE` or `CANCELED`): its counts, results and errors are final. */
export function isJobEnded(job: { status: BatchStatus }): boolean {
  return job.status === 'COMPLETE' || job.status === 'CANCELED';
}
