// Trusted documents (persisted queries): the GraphQL operations this gateway knows in advance,
// from a manifest in Apollo's persisted query manifest format. A request names one by
// `documentId` or `extensions.persistedQuery.sha256Hash` (APQ style, with or without `query`),
// or sends a `query` whose SHA-256 is in the manifest. With ALLOW_ARBITRARY_DOCUMENTS=false
// (the production default) anything else is refused here, before Apollo parses or validates
// it. Clients cannot register documents: the manifest is the only source.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildSchema,
  Kind,
  parse,
  print,
  specifiedRules,
  validate,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { z } from 'zod';
import { ConfigError, type GatewayConfig } from './config.js';
import { KnownRootTypesRule, queryLimitsOf, queryLimitsRule, type QueryLimits } from './limits.js';

/** The manifest shipped with the gateway, generated from `operations/*.graphql` by `npm run codegen`. */
export const DEFAULT_TRUSTED_DOCUMENTS_FILE = fileURLToPath(
  new URL('../operations/trusted-documents.json', import.meta.url),
);
export const MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface TrustedOperation {
  /** SHA-256 of `body`, lowercase hex. */
  id: string;
  name: string;
  type: OperationType;
  body: string;
}

export interface PersistedQueryManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  operations: TrustedOperation[];
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT, { error: `must be "${MANIFEST_FORMAT}"` }),
  version: z.literal(1, { error: 'must be 1' }),
  operations: z.array(
    z.object({
      id: z.string().regex(SHA256_HEX, { error: 'must be a SHA-256 in lowercase hex' }),
      name: z.string().min(1, { error: 'must be the operation name' }),
      type: z.enum(['query', 'mutation', 'subscription'], {
        error: 'must be query, mutation or subscription',
      }),
      body: z.string().min(1, { error: 'must be the GraphQL document' }),
    }),
    { error: 'must be an array of { id, name, type, body }' },
  ),
});

/**
 * Checks a manifest: its shape, each id against the SHA-256 of its body, names and ids unique,
 * and each body one named operation of that name and type that validates against `schema`
 * (when given). Returns every problem, each naming the operation; an operation over `limits`
 * is a warning, not a problem (tightened limits refuse it at run time, naming the setting).
 */
export function checkManifest(
  value: unknown,
  options: { schema?: GraphQLSchema; limits?: QueryLimits } = {},
): { operations: TrustedOperation[]; problems: string[]; warnings: string[] } {
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    return {
      operations: [],
      warnings: [],
      problems: parsed.error.issues
        .slice(0, 20)
        .map((issue) => `${issue.path.map(String).join('.') || 'the manifest'}: ${issue.message}`),
    };
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const ids = new Set<string>();
  const names = new Set<string>();
  parsed.data.operations.forEach((op, i) => {
    const where = `operations[${i}] (${op.name})`;
    if (sha256Hex(op.body) !== op.id)
      problems.push(`${where}: id is not the SHA-256 of its body (${sha256Hex(op.body)})`);
    if (ids.has(op.id)) problems.push(`${where}: id listed twice`);
    if (names.has(op.name)) problems.push(`${where}: name listed twice`);
    ids.add(op.id);
    names.add(op.name);
    let document: DocumentNode;
    try {
      document = parse(op.body, { noLocation: true });
    } catch (error) {
      problems.push(`${where}: body is not GraphQL: ${(error as Error).message}`);
      return;
    }
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (operations.length !== 1 || operations[0]!.name?.value !== op.name)
      problems.push(`${where}: body must hold exactly one operation, named ${op.name}`);
    else if (operations[0]!.operation !== op.type)
      problems.push(`${where}: type is ${op.type} but the body is a ${operations[0]!.operation}`);
    if (options.schema) {
      const rules = [
        ...specifiedRules,
        KnownRootTypesRule,
        ...(options.limits ? [queryLimitsRule(options.limits)] : []),
      ];
      for (const error of validate(options.schema, document, rules).slice(0, 5))
        (error.extensions.limit ? warnings : problems).push(`${where}: ${error.message}`);
    }
  });
  return { operations: parsed.data.operations, problems, warnings };
}

/**
 * Reads and checks a manifest file; a ConfigError names the file, the setting and every problem.
 * Warnings (operations over the limits) go to `warn`.
 */
export function loadManifest(
  file: string,
  options: {
    schema?: GraphQLSchema;
    limits?: QueryLimits;
    warn?: (message: string) => void;
  } = {},
): TrustedOperation[] {
  const fail = (problems: string[]): never => {
    throw new ConfigError(problems.map((p) => `TRUSTED_DOCUMENTS_FILE (${file}): ${p}`));
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail([`cannot read it${code ? ` (${code})` : ''}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail([`not valid JSON: ${(error as Error).message}`]);
  }
  const { operations, problems, warnings } = checkManifest(json, options);
  if (problems.length > 0) fail(problems);
  for (const warning of warnings) options.warn?.(`TRUSTED_DOCUMENTS_FILE (${file}): ${warning}`);
  return operations;
}

/**
 * Builds a manifest from GraphQL sources (the files of `operations/`): one entry per named
 * operation, its body the operation followed by the fragments it uses (by name), printed by
 * graphql-js so the id is stable. Problems (unnamed or duplicate operations, unknown fragments)
 * are thrown as one error.
 */
export function buildManifest(
  sources: Array<{ name: string; text: string }>,
): PersistedQueryManifest {
  const operations: Array<{ op: OperationDefinitionNode; file: string }> = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  const problems: string[] = [];
  for (const source of sources) {
    const document = parse(source.text, { noLocation: true });
    for (const def of document.definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) {
        if (fragments.has(def.name.value))
          problems.push(`${source.name}: fragment ${def.name.value} is defined twice`);
        fragments.set(def.name.value, def);
      } else if (def.kind === Kind.OPERATION_DEFINITION) {
        if (!def.name) problems.push(`${source.name}: every operation needs a name`);
        else operations.push({ op: def, file: source.name });
      } else {
        problems.push(`${source.name}: only operations and fragments belong here (${def.kind})`);
      }
    }
  }
  const names = new Set<string>();
  const entries: TrustedOperation[] = [];
  for (const { op, file } of operations) {
    const name = op.name!.value;
    if (names.has(name)) problems.push(`${file}: operation ${name} is defined twice`);
    names.add(name);
    const used = new Map<string, FragmentDefinitionNode>();
    const pending: SelectionSetNode[] = [op.selectionSet];
    while (pending.length > 0) {
      for (const selection of pending.pop()!.selections) {
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragmentName = selection.name.value;
          if (used.has(fragmentName)) continue;
          const fragment = fragments.get(fragmentName);
          if (!fragment) {
            problems.push(`${file}: operation ${name} uses unknown fragment ${fragmentName}`);
            continue;
          }
          used.set(fragmentName, fragment);
          pending.push(fragment.selectionSet);
        } else if (selection.selectionSet) pending.push(selection.selectionSet);
      }
    }
    const definitions: DefinitionNode[] = [
      op,
      ...[...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value)),
    ];
    const body = print({ kind: Kind.DOCUMENT, definitions });
    entries.push({ id: sha256Hex(body), name, type: op.operation, body });
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  entries.sort((a, b) => a.name.localeCompare(b.name));
  return { format: MANIFEST_FORMAT, version: 1, operations: entries };
}

/** What the gate makes of one request. */
export type Admission =
  | {
      ok: true;
      /** The request to hand to Apollo: `query` filled in, the id fields removed. */
      body: unknown;
      search: string;
      /** The trusted operation, when the request named or sent one. */
      trusted?: TrustedOperation;
    }
  | {
      ok: false;
      status: 400;
      code: 'PERSISTED_QUERY_NOT_FOUND' | 'TRUSTED_DOCUMENT_REQUIRED' | 'BAD_REQUEST';
      message: string;
      extensions?: Record<string, unknown>;
    };

export interface DocumentGate {
  readonly operations: readonly TrustedOperation[];
  readonly allowArbitrary: boolean;
  /** Decides on one request (method, parsed JSON body, search string) before Apollo sees it. */
  admit(request: { method: string; body: unknown; search: string }): Admission;
}

/**
 * Loads the configured manifest (default: the shipped one), each operation checked against the
 * schema, and returns the gate. A bad manifest throws a ConfigError naming
 * TRUSTED_DOCUMENTS_FILE, the file and every problem; an operation over the query limits in
 * force is only warned about (it will be refused like any document over them).
 */
export function createDocumentGate(
  config: Pick<GatewayConfig, 'documents' | 'limits'>,
  typeDefs: string,
  warn?: (message: string) => void,
): DocumentGate {
  const file = config.documents.trustedDocumentsFile ?? DEFAULT_TRUSTED_DOCUMENTS_FILE;
  const operations = loadManifest(file, {
    schema: buildSchema(typeDefs),
    limits: queryLimitsOf(config.limits),
    ...(warn ? { warn } : {}),
  });
  return documentGate(operations, config.documents.allowArbitrary);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function documentGate(
  operations: readonly TrustedOperation[],
  allowArbitrary: boolean,
): DocumentGate {
  const byId = new Map(operations.map((op) => [op.id, op]));
  const refuse = (
    code: Extract<Admission, { ok: false }>['code'],
    message: string,
    extensions?: Record<string, unknown>,
  ): Admission => ({
    ok: false,
    status: 400,
    code,
    message,
    ...(extensions ? { extensions } : {}),
  });
  const notAllowed = { setting: 'ALLOW_ARBITRARY_DOCUMENTS', value: false };

  function admit(request: { method: string; body: unknown; search: string }): Admission {
    const get = request.method === 'GET' || request.method === 'HEAD';
    // Read the three fields from where this method carries them. Anything malformed is left to
    // Apollo, which refuses it before parsing (and so before any document could run).
    let query: unknown;
    let documentId: unknown;
    let extensions: unknown;
    const params = new URLSearchParams(request.search);
    if (get) {
      if (['query', 'documentId', 'extensions'].some((k) => params.getAll(k).length > 1))
        return { ok: true, body: request.body, search: request.search };
      query = params.get('query') ?? undefined;
      documentId = params.get('documentId') ?? undefined;
      const raw = params.get('extensions');
      if (raw !== null) {
        try {
          extensions = JSON.parse(raw);
        } catch {
          return { ok: true, body: request.body, search: request.search };
        }
      }
    } else {
      if (!isRecord(request.body)) return { ok: true, body: request.body, search: request.search };
      ({ query, documentId, extensions } = request.body);
    }
    const persisted = isRecord(extensions) ? extensions.persistedQuery : undefined;

    let id: string | undefined;
    if (documentId !== undefined && documentId !== null) {
      if (typeof documentId !== 'string' || !SHA256_HEX.test(documentId.replace(/^sha256:/, '')))
        return refuse(
          'BAD_REQUEST',
          'documentId must be the SHA-256 of a trusted document in lowercase hex (optionally prefixed "sha256:")',
        );
      id = documentId.replace(/^sha256:/, '');
    }
    if (persisted !== undefined && persisted !== null) {
      if (!isRecord(persisted) || persisted.version !== 1)
        return refuse('BAD_REQUEST', 'extensions.persistedQuery: only version 1 is supported');
      const hash = persisted.sha256Hash;
      if (typeof hash !== 'string' || !SHA256_HEX.test(hash))
        return refuse(
          'BAD_REQUEST',
          'extensions.persistedQuery.sha256Hash must be a SHA-256 in lowercase hex',
        );
      if (id !== undefined && id !== hash)
        return refuse('BAD_REQUEST', 'documentId and extensions.persistedQuery.sha256Hash differ');
      id = hash;
    }

    if (id === undefined) {
      if (typeof query !== 'string')
        return { ok: true, body: request.body, search: request.search };
      if (allowArbitrary) return { ok: true, body: request.body, search: request.search };
      const trusted = byId.get(sha256Hex(query));
      if (trusted) return { ok: true, body: request.body, search: request.search, trusted };
      return refuse(
        'TRUSTED_DOCUMENT_REQUIRED',
        'this gateway runs only its trusted documents (ALLOW_ARBITRARY_DOCUMENTS=false) and this document is not one of them: send the documentId of an operation of its manifest (TRUSTED_DOCUMENTS_FILE)',
        notAllowed,
      );
    }

    if (typeof query === 'string' && sha256Hex(query) !== id)
      return refuse(
        'BAD_REQUEST',
        'the query does not match its SHA-256 (documentId / sha256Hash)',
      );
    const trusted = byId.get(id);
    if (!trusted && !(allowArbitrary && typeof query === 'string')) {
      return refuse(
        'PERSISTED_QUERY_NOT_FOUND',
        allowArbitrary
          ? `no trusted document has id ${id} (TRUSTED_DOCUMENTS_FILE): send the query itself`
          : `no trusted document has id ${id}: this gateway runs only the operations of its manifest (TRUSTED_DOCUMENTS_FILE; ALLOW_ARBITRARY_DOCUMENTS=false)`,
        allowArbitrary ? undefined : notAllowed,
      );
    }
    // Hand Apollo a plain request: the document's text, no id (Apollo's own APQ stays off).
    const text = trusted?.body ?? (query as string);
    const rest = isRecord(extensions)
      ? Object.fromEntries(Object.entries(extensions).filter(([k]) => k !== 'persistedQuery'))
      : undefined;
    if (get) {
      params.set('query', text);
      params.delete('documentId');
      if (rest && Object.keys(rest).length > 0) params.set('extensions', JSON.stringify(rest));
      else params.delete('extensions');
      return {
        ok: true,
        body: request.body,
        search: `?${params.toString()}`,
        ...(trusted ? { trusted } : {}),
      };
    }
    const { documentId: _id, extensions: _ext, ...body } = request.body as Record<string, unknown>;
    return {
      ok: true,
      body: {
        ...body,
        query: text,
        ...(rest && Object.keys(rest).length > 0 ? { extensions: rest } : {}),
      },
      search: request.search,
      ...(trusted ? { trusted } : {}),
    };
  }

  return { operations, allowArbitrary, admit };
}
