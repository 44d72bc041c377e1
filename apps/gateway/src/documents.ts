// Trusted documents (persisted queries): the GraphQL operations this gateway knows in advance,
// from a manifest in Apollo's persisted query manifest format. A request names one by
// `documentId` or `extensions.persistedQuery.sha256Hash` (APQ style, with or without `query`),
// or sends a `query` whose SHA-256 is in the manifest. With ALLOW_ARBITRARY_DOCUMENTS=false
// (the production default) anything else is refused here, before Apollo parses or validates
// it. Clients cannot register documents: the manifest is the only source.
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
import { sha256 } from './auth.js';
import { ConfigError, type GatewayConfig } from './config.js';
import {
  gatewayValidationRules,
  MAX_VALIDATION_ERRORS,
  queryLimitsOf,
  type QueryLimits,
} from './limits.js';

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

/** A document's id: the SHA-256 of its text, in hex (the same digest API keys are kept as). */
export function sha256Hex(text: string): string {
  return sha256(text).toString('hex');
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A `documentId`'s SHA-256 (`"<hex>"` or `"sha256:<hex>"`), or undefined when it is neither. */
export function documentIdHash(documentId: unknown): string | undefined {
  if (typeof documentId !== 'string') return undefined;
  const hash = documentId.startsWith('sha256:') ? documentId.slice('sha256:'.length) : documentId;
  return SHA256_HEX.test(hash) ? hash : undefined;
}

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
 * (when given) with the rules the gateway runs ({@link gatewayValidationRules}; introspection
 * refused unless `introspection`, as in production). Returns every problem, each naming the
 * operation; an operation over `limits` is a warning, not a problem (tightened limits refuse it
 * at run time, naming the setting).
 */
export function checkManifest(
  value: unknown,
  options: { schema?: GraphQLSchema; limits?: QueryLimits; introspection?: boolean } = {},
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
  const rules = [
    ...specifiedRules,
    ...gatewayValidationRules({
      ...(options.limits ? { limits: options.limits } : {}),
      introspection: options.introspection ?? false,
    }),
  ];
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
      const errors = validate(options.schema, document, rules, {
        maxErrors: MAX_VALIDATION_ERRORS,
      });
      for (const error of errors.slice(0, 5))
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
    introspection?: boolean;
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
      code:
        | 'PERSISTED_QUERY_NOT_FOUND'
        | 'TRUSTED_DOCUMENT_REQUIRED'
        | 'BAD_REQUEST'
        | 'BAD_USER_INPUT';
      message: string;
      extensions?: Record<string, unknown>;
    };

export interface DocumentGate {
  readonly operations: readonly TrustedOperation[];
  readonly allowArbitrary: boolean;
  /** MAX_QUERY_BYTES: the longest `query` text handed to Apollo (UTF-8 bytes). */
  readonly maxQueryBytes: number;
  /** Decides on one request (method, parsed JSON body, search string) before Apollo sees it. */
  admit(request: { method: string; body: unknown; search: string }): Admission;
}

/**
 * Loads the configured manifest (default: the shipped one), each operation checked against the
 * schema with the rules the gateway runs, and returns the gate. A bad manifest throws a
 * ConfigError naming TRUSTED_DOCUMENTS_FILE, the file and every problem; an operation over the
 * query limits in force is only warned about (it will be refused like any document over them),
 * and so is one longer than MAX_QUERY_BYTES (it runs by id, but its text would be refused).
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
    // As strict as production (no introspection) in every mode: the same manifest ships there.
    introspection: false,
    ...(warn ? { warn } : {}),
  });
  const { maxQueryBytes } = config.limits;
  for (const op of operations) {
    if (Buffer.byteLength(op.body, 'utf8') > maxQueryBytes)
      warn?.(
        `TRUSTED_DOCUMENTS_FILE (${file}): ${op.name} is longer than MAX_QUERY_BYTES=${maxQueryBytes}: it runs when named by its documentId, but its text sent as \`query\` is refused`,
      );
  }
  return documentGate(operations, config.documents.allowArbitrary, { maxQueryBytes });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The GraphQL-over-HTTP parameters; each may be given once (Apollo reads the last three itself). */
const GRAPHQL_PARAMETERS = ['query', 'documentId', 'extensions', 'variables', 'operationName'];

/** MAX_QUERY_BYTES' default (see the README: a generous multiple of a real client's documents). */
export const DEFAULT_MAX_QUERY_BYTES = 32 * 1024;

/**
 * The gate. It fails closed: a request it hands on carries no `query` it has not checked, in any
 * form Apollo reads one (a POST body's `query`; over GET the one `query` search parameter), and
 * it refuses what it cannot read (repeated parameters, a batch, a `query` that is not a string,
 * `extensions` that are not an object) instead of leaving it to Apollo.
 */
export function documentGate(
  operations: readonly TrustedOperation[],
  allowArbitrary: boolean,
  options: { maxQueryBytes?: number } = {},
): DocumentGate {
  const maxQueryBytes = options.maxQueryBytes ?? DEFAULT_MAX_QUERY_BYTES;
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
    const unchanged: Admission = { ok: true, body: request.body, search: request.search };
    // Read the three fields from where this method carries them.
    let query: unknown;
    let documentId: unknown;
    let extensions: unknown;
    const params = new URLSearchParams(request.search);
    if (get) {
      // Apollo refuses a repeated query, variables, extensions or operationName, but ignores
      // documentId: two of them must not make the gate look away from the query.
      for (const name of GRAPHQL_PARAMETERS) {
        const count = params.getAll(name).length;
        if (count > 1)
          return refuse(
            'BAD_REQUEST',
            `the ${name} parameter is given ${count} times: each of query, documentId, extensions, variables and operationName may be given once`,
            { parameter: name },
          );
      }
      query = params.get('query') ?? undefined;
      documentId = params.get('documentId') ?? undefined;
      const raw = params.get('extensions');
      if (raw !== null) {
        try {
          extensions = JSON.parse(raw);
        } catch {
          return refuse('BAD_REQUEST', 'the extensions parameter is not valid JSON');
        }
      }
    } else {
      if (Array.isArray(request.body))
        return refuse(
          'BAD_REQUEST',
          'batched requests (a JSON array) are not supported: send one operation per request',
        );
      // Not a JSON object (no body, text): Apollo reads no query from it and refuses it.
      if (!isRecord(request.body)) return unchanged;
      ({ query, documentId, extensions } = request.body);
    }
    if (query !== undefined && query !== null && typeof query !== 'string')
      return refuse('BAD_REQUEST', 'query must be a string: the GraphQL document');
    if (extensions !== undefined && extensions !== null && !isRecord(extensions))
      return refuse('BAD_REQUEST', 'extensions must be a JSON object');
    if (typeof query === 'string') {
      // Before anything reads it: ignored characters (line breaks, comments) are free for
      // MAX_QUERY_TOKENS, yet each costs work and memory in graphql-js.
      const bytes = Buffer.byteLength(query, 'utf8');
      if (bytes > maxQueryBytes)
        return refuse(
          'BAD_USER_INPUT',
          `the query is ${bytes} bytes, more than MAX_QUERY_BYTES=${maxQueryBytes}: send a smaller document (large inputs belong in variables)`,
          { limit: { setting: 'MAX_QUERY_BYTES', max: maxQueryBytes, actual: bytes } },
        );
    }
    const persisted = isRecord(extensions) ? extensions.persistedQuery : undefined;

    let id: string | undefined;
    if (documentId !== undefined && documentId !== null) {
      id = documentIdHash(documentId);
      if (id === undefined)
        return refuse(
          'BAD_REQUEST',
          'documentId must be the SHA-256 of a trusted document in lowercase hex (optionally prefixed "sha256:")',
        );
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
      // No query: nothing to run (Apollo answers that a query is missing).
      if (typeof query !== 'string' || allowArbitrary) return unchanged;
      const trusted = byId.get(sha256Hex(query));
      if (trusted) return { ...unchanged, trusted };
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

  return { operations, allowArbitrary, maxQueryBytes, admit };
}
