import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { documentIdOf, operations as frontendOperations } from '@campaigns/graphql';
import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import {
  buildManifest,
  createDocumentGate,
  DEFAULT_TRUSTED_DOCUMENTS_FILE,
  documentGate,
  documentIdHash,
  loadManifest,
  sha256Hex,
  type TrustedOperation,
} from '../src/documents.js';

const typeDefs = readFileSync(new URL('../src/schema.graphql', import.meta.url), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'gateway-documents-'));
let files = 0;
function manifestFile(content: unknown): string {
  const file = path.join(dir, `manifest-${files++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
function op(
  name: string,
  body: string,
  type: TrustedOperation['type'] = 'query',
): TrustedOperation {
  return { id: sha256Hex(body), name, type, body };
}
const manifest = (operations: TrustedOperation[]) => ({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations,
});
/** The problems a gateway with this manifest refuses to start with. */
function startProblems(file: string, env: Record<string, string> = {}): string[] {
  try {
    createDocumentGate(loadConfig({ TRUSTED_DOCUMENTS_FILE: file, ...env }), typeDefs);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('the shipped manifest', () => {
  const names = [
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
  ];

  it('holds the operations of @campaigns/graphql and operations/*.graphql, as `npm run codegen` generates them', () => {
    const operationsDir = path.dirname(DEFAULT_TRUSTED_DOCUMENTS_FILE);
    const sources = readdirSync(operationsDir)
      .filter((f) => f.endsWith('.graphql'))
      .sort()
      .map((name) => ({ name, text: readFileSync(path.join(operationsDir, name), 'utf8') }));
    const documents = Object.entries(frontendOperations).map(([name, document]) => ({
      name,
      document,
    }));
    const shipped = loadManifest(DEFAULT_TRUSTED_DOCUMENTS_FILE);
    expect(shipped).toEqual(buildManifest(sources, documents).operations);
    expect(shipped.map((o) => [o.name, o.type])).toEqual([
      ['CampaignExportPage', 'query'],
      ['CampaignList', 'query'],
      ['CampaignUpdateJob', 'query'],
      ['CampaignUpdateJobErrorGroups', 'query'],
      ['CampaignUpdateJobProgress', 'subscription'],
      ['CampaignUpdateJobResults', 'query'],
      ['CancelCampaignUpdate', 'mutation'],
      ['ReadCampaigns', 'query'],
      ['StartCampaignUpdate', 'mutation'],
      ['UpdateCampaigns', 'mutation'],
    ]);
    // A frontend sending a typed operation's printed text, or its id, sends a trusted document.
    for (const [name, document] of Object.entries(frontendOperations)) {
      const trusted = shipped.find((o) => o.name === name)!;
      expect(trusted.body).toBe(print(document));
      expect(`sha256:${trusted.id}`).toBe(documentIdOf(document));
    }
  });

  it('is what the gateway loads by default, checked against the schema and the limits', () => {
    expect(startProblems(DEFAULT_TRUSTED_DOCUMENTS_FILE)).toEqual([]);
    const gate = createDocumentGate(loadConfig({}), typeDefs);
    expect(gate.operations.map((o) => o.name)).toEqual(names);
  });
});

describe('building a manifest', () => {
  it('takes each operation of GraphQL files with the fragments it uses, and whole documents as printed', () => {
    const built = buildManifest(
      [
        {
          name: 'a.graphql',
          text: 'query A { ...F }\nfragment F on Query { campaignUpdateJob(id: "1") { id } }',
        },
      ],
      [
        {
          name: 'B',
          document: parse('mutation B($id: ID!) { cancelCampaignUpdate(id: $id) { id } }'),
        },
      ],
    );
    expect(built.operations.map((o) => [o.name, o.type, o.body])).toEqual([
      [
        'A',
        'query',
        print(parse('query A { ...F }\nfragment F on Query { campaignUpdateJob(id: "1") { id } }')),
      ],
      [
        'B',
        'mutation',
        print(parse('mutation B($id: ID!) { cancelCampaignUpdate(id: $id) { id } }')),
      ],
    ]);
    expect(built.operations.every((o) => o.id === sha256Hex(o.body))).toBe(true);
  });

  it('refuses a name given twice, a document that is not one named operation, unknown fragments', () => {
    expect(() =>
      buildManifest(
        [{ name: 'a.graphql', text: 'query A { ...Missing }' }],
        [
          { name: 'first', document: parse('query A { __typename }') },
          { name: 'two', document: parse('query C { __typename } query D { __typename }') },
          { name: 'anonymous', document: parse('{ __typename }') },
        ],
      ),
    ).toThrow(
      [
        'a.graphql: operation A uses unknown fragment Missing',
        'first: operation A is defined twice',
        'two: a document must hold exactly one named operation',
        'anonymous: a document must hold exactly one named operation',
      ].join('\n'),
    );
  });
});

describe('manifest checks at start', () => {
  it('names the file and the problem: missing, not JSON, wrong format', () => {
    const missing = path.join(dir, 'nope.json');
    expect(startProblems(missing)).toEqual([
      `TRUSTED_DOCUMENTS_FILE (${missing}): cannot read it (ENOENT)`,
    ]);
    const notJson = manifestFile('{ "format": ');
    expect(startProblems(notJson)[0]).toMatch(
      new RegExp(`^TRUSTED_DOCUMENTS_FILE \\(${notJson}\\): not valid JSON`),
    );
    expect(startProblems(manifestFile({ format: 'relay', version: 2, operations: {} }))).toEqual([
      expect.stringMatching(/: format: must be "apollo-persisted-query-manifest"$/),
      expect.stringMatching(/: version: must be 1$/),
      expect.stringMatching(/: operations: must be an array of \{ id, name, type, body \}$/),
    ]);
  });

  it('refuses an id that is not the SHA-256 of its body, and duplicates', () => {
    const good = op('A', 'query A { __typename }');
    const forged = { ...op('B', 'query B { __typename }'), id: good.id };
    expect(startProblems(manifestFile(manifest([good, forged])))).toEqual([
      expect.stringMatching(/operations\[1\] \(B\): id is not the SHA-256 of its body/),
      expect.stringMatching(/operations\[1\] \(B\): id listed twice/),
    ]);
  });

  it('refuses bodies that are not one operation of that name and type, valid against the schema', () => {
    const problems = startProblems(
      manifestFile(
        manifest([
          op('Broken', 'query Broken {'),
          op('Other', 'query NotOther { __typename }'),
          op('Kind', 'query Kind { __typename }', 'mutation'),
          op('Unknown', 'query Unknown { nope }'),
          op('Sub', 'subscription Sub { __typename }', 'subscription'),
          op('Schema', 'query Schema { __schema { queryType { name } } }'),
        ]),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/\(Broken\): body is not GraphQL: Syntax Error/),
      expect.stringMatching(/\(Other\): body must hold exactly one operation, named Other/),
      expect.stringMatching(/\(Kind\): type is mutation but the body is a query/),
      expect.stringMatching(/\(Unknown\): Cannot query field "nope" on type "Query"/),
      expect.stringMatching(
        /\(Sub\): Subscription "Sub" must not select an introspection top level field/,
      ),
      // Introspection is refused in production, so at start too (the rules Apollo runs there).
      expect.stringMatching(/\(Schema\): GraphQL introspection is not allowed/),
    ]);
    expect(problems.every((p) => p.startsWith('TRUSTED_DOCUMENTS_FILE ('))).toBe(true);
  });

  it('only warns about an operation over the limits in force: it is refused when called', () => {
    const file = manifestFile(
      manifest([op('Costly', `query Costly { ${'__typename '.repeat(200)}}`)]),
    );
    const warnings: string[] = [];
    const gate = createDocumentGate(loadConfig({ TRUSTED_DOCUMENTS_FILE: file }), typeDefs, (m) =>
      warnings.push(m),
    );
    expect(gate.operations).toHaveLength(1);
    expect(warnings).toEqual([
      `TRUSTED_DOCUMENTS_FILE (${file}): operations[0] (Costly): operation "Costly" exceeds MAX_QUERY_COST=5000: its estimated cost is at least 5050 (counting stops at the first exceeded limit)`,
    ]);
    // The shipped manifest under tight limits: the gateway still starts.
    expect(startProblems(DEFAULT_TRUSTED_DOCUMENTS_FILE, { MAX_QUERY_COST: '10' })).toEqual([]);
  });
});

describe('buildManifest', () => {
  it('one entry per named operation, with the fragments it uses, ids the SHA-256 of the body', () => {
    const { operations } = buildManifest([
      { name: 'a.graphql', text: 'query A { ...X } mutation B { __typename }' },
      {
        name: 'f.graphql',
        text: 'fragment X on Query { ...Y } fragment Y on Query { __typename } fragment Z on Query { __typename }',
      },
    ]);
    expect(operations.map((o) => o.name)).toEqual(['A', 'B']);
    expect(operations[0]!.body).toBe(
      'query A {\n  ...X\n}\n\nfragment X on Query {\n  ...Y\n}\n\nfragment Y on Query {\n  __typename\n}',
    );
    expect(operations[0]!.id).toBe(sha256Hex(operations[0]!.body));
    expect(operations[1]).toMatchObject({
      type: 'mutation',
      body: 'mutation B {\n  __typename\n}',
    });
  });

  it('refuses anonymous or duplicate operations and unknown fragments', () => {
    expect(() =>
      buildManifest([
        { name: 'a.graphql', text: '{ __typename } query A { ...Nope } query A { __typename }' },
      ]),
    ).toThrow(
      'a.graphql: every operation needs a name\na.graphql: operation A uses unknown fragment Nope\na.graphql: operation A is defined twice',
    );
  });
});

describe('documentGate', () => {
  const read = op('Read', 'query Read { __typename }');
  const strict = documentGate([read], false);
  const open = documentGate([read], true);
  const post = (body: unknown) => ({ method: 'POST', body, search: '' });

  it('turns a documentId or an APQ hash into the trusted document, without the id fields', () => {
    for (const body of [
      { documentId: read.id, variables: { a: 1 } },
      { documentId: `sha256:${read.id}`, variables: { a: 1 } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: read.id } }, variables: { a: 1 } },
      {
        query: read.body,
        extensions: { persistedQuery: { version: 1, sha256Hash: read.id } },
        variables: { a: 1 },
      },
    ]) {
      expect(strict.admit(post(body))).toEqual({
        ok: true,
        body: { query: read.body, variables: { a: 1 } },
        search: '',
        trusted: read,
      });
    }
    // Other extensions stay.
    const admitted = strict.admit(
      post({
        documentId: read.id,
        extensions: { persistedQuery: { version: 1, sha256Hash: read.id }, trace: true },
      }),
    );
    expect(admitted).toMatchObject({
      ok: true,
      body: { query: read.body, extensions: { trace: true } },
    });
  });

  it('trusts a query whose SHA-256 is in the manifest', () => {
    expect(strict.admit(post({ query: read.body }))).toMatchObject({ ok: true, trusted: read });
  });

  it('refuses anything else when arbitrary documents are not allowed, naming the setting', () => {
    expect(strict.admit(post({ query: '{ __typename }' }))).toMatchObject({
      ok: false,
      status: 400,
      code: 'TRUSTED_DOCUMENT_REQUIRED',
      message: expect.stringContaining('ALLOW_ARBITRARY_DOCUMENTS=false'),
      extensions: { setting: 'ALLOW_ARBITRARY_DOCUMENTS', value: false },
    });
    expect(strict.admit(post({ documentId: sha256Hex('x') }))).toMatchObject({
      ok: false,
      code: 'PERSISTED_QUERY_NOT_FOUND',
      message: expect.stringContaining('ALLOW_ARBITRARY_DOCUMENTS=false'),
    });
    // An unknown APQ hash with its query is still an unknown document.
    const q = '{ __typename }';
    expect(
      strict.admit(
        post({
          query: q,
          extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(q) } },
        }),
      ),
    ).toMatchObject({ ok: false, code: 'PERSISTED_QUERY_NOT_FOUND' });
  });

  it('lets arbitrary documents through when allowed, APQ hashes included', () => {
    const q = '{ __typename }';
    expect(open.admit(post({ query: q }))).toEqual({ ok: true, body: { query: q }, search: '' });
    expect(
      open.admit(
        post({
          query: q,
          extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(q) } },
        }),
      ),
    ).toEqual({ ok: true, body: { query: q }, search: '' });
    // A hash alone cannot be resolved: APQ clients then send the query.
    expect(
      open.admit(
        post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(q) } } }),
      ),
    ).toMatchObject({ ok: false, code: 'PERSISTED_QUERY_NOT_FOUND' });
  });

  it('refuses malformed ids, a query that does not match its hash, and other APQ versions', () => {
    for (const body of [
      { documentId: 'abc' },
      { documentId: 42 },
      { extensions: { persistedQuery: { version: 2, sha256Hash: read.id } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'ABC' } } },
      { query: '{ __typename }', documentId: read.id },
      {
        documentId: read.id,
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex('x') } },
      },
    ]) {
      expect(open.admit(post(body)), JSON.stringify(body)).toMatchObject({
        ok: false,
        code: 'BAD_REQUEST',
      });
    }
  });

  it('reads GET requests from the search string and rewrites it', () => {
    const search = `?documentId=${read.id}&variables=${encodeURIComponent('{"a":1}')}`;
    const admitted = strict.admit({ method: 'GET', body: undefined, search });
    expect(admitted.ok).toBe(true);
    const params = new URLSearchParams((admitted as { search: string }).search);
    expect(Object.fromEntries(params)).toEqual({ query: read.body, variables: '{"a":1}' });
    expect(
      strict.admit({
        method: 'GET',
        body: undefined,
        search: `?query=${encodeURIComponent('{ x }')}`,
      }),
    ).toMatchObject({ ok: false, code: 'TRUSTED_DOCUMENT_REQUIRED' });
  });

  it('leaves to Apollo only requests it reads no query from (no body, text, no query)', () => {
    for (const body of [undefined, 'text', { variables: {} }, { query: null }])
      expect(strict.admit(post(body))).toEqual({ ok: true, body, search: '' });
    expect(strict.admit({ method: 'GET', body: undefined, search: '?variables={}' })).toEqual({
      ok: true,
      body: undefined,
      search: '?variables={}',
    });
  });

  it('refuses what it cannot check instead of passing it on: batches, a query not a string, bad extensions', () => {
    for (const gate of [strict, open]) {
      for (const body of [
        [{ query: read.body }],
        [],
        { query: 42 },
        { query: ['{ __typename }'] },
        { query: { kind: 'Document', definitions: [] } },
        { query: true },
        { documentId: read.id, extensions: 'x' },
        { query: read.body, extensions: [1] },
      ])
        expect(gate.admit(post(body)), JSON.stringify(body)).toMatchObject({
          ok: false,
          status: 400,
          code: 'BAD_REQUEST',
        });
      expect(
        gate.admit({
          method: 'GET',
          body: undefined,
          search: `?documentId=${read.id}&extensions={`,
        }),
      ).toMatchObject({ ok: false, code: 'BAD_REQUEST', message: expect.stringContaining('JSON') });
    }
  });

  it('refuses a repeated GraphQL parameter over GET, naming it', () => {
    const q = encodeURIComponent('{ __typename }');
    for (const gate of [strict, open]) {
      for (const [name, search] of [
        ['documentId', `?query=${q}&documentId=a&documentId=b`],
        ['documentId', `?query=${q}&documentId=${read.id}&documentId=${read.id}`],
        ['query', `?documentId=${read.id}&query=${q}&query=${q}`],
        ['extensions', `?query=${q}&extensions={}&extensions={}`],
        ['variables', `?documentId=${read.id}&variables={}&variables={}`],
        ['operationName', `?query=${q}&operationName=A&operationName=A&operationName=A`],
      ] as const) {
        expect(gate.admit({ method: 'GET', body: undefined, search }), search).toEqual({
          ok: false,
          status: 400,
          code: 'BAD_REQUEST',
          message: expect.stringMatching(new RegExp(`^the ${name} parameter is given [23] times`)),
          extensions: { parameter: name },
        });
      }
    }
  });

  it('refuses a query longer than MAX_QUERY_BYTES (POST and GET) before hashing it, naming the setting', () => {
    const small = documentGate([read], true, { maxQueryBytes: 1024 });
    const long = `${'\n'.repeat(1020)}{ __typename }`;
    const utf8 = `# ${'é'.repeat(510)}\n{ __typename }`; // 527 characters, 1037 bytes
    for (const [query, bytes] of [
      [long, 1034],
      [utf8, 1037],
    ] as const) {
      const refusal = {
        ok: false,
        status: 400,
        code: 'BAD_USER_INPUT',
        message: `the query is ${bytes} bytes, more than MAX_QUERY_BYTES=1024: send a smaller document (large inputs belong in variables)`,
        extensions: { limit: { setting: 'MAX_QUERY_BYTES', max: 1024, actual: bytes } },
      };
      expect(small.admit(post({ query }))).toEqual(refusal);
      expect(small.admit(post({ query, documentId: read.id }))).toEqual(refusal);
      const search = `?${new URLSearchParams({ query }).toString()}`;
      expect(small.admit({ method: 'GET', body: undefined, search })).toEqual(refusal);
    }
    const fits = `${'\n'.repeat(1024 - 14)}{ __typename }`;
    expect(small.admit(post({ query: fits }))).toMatchObject({ ok: true });
    // A trusted document named by id is the manifest's text, whatever MAX_QUERY_BYTES.
    const tiny = documentGate([read], false, { maxQueryBytes: 10 });
    expect(tiny.admit(post({ documentId: read.id }))).toMatchObject({
      ok: true,
      body: { query: read.body },
    });
  });

  it('fails closed: whatever it hands on, the query Apollo would run is a trusted one', () => {
    // Parameter names Apollo reads and look-alikes; values of every shape.
    const names = fc.constantFrom(
      'query',
      'documentId',
      'extensions',
      'variables',
      'operationName',
      'Query',
      'QUERY',
      'query[]',
      'documentid',
    );
    const other = '{ __typename }';
    const text = fc.constantFrom(
      other,
      read.body,
      '',
      read.id,
      `sha256:${read.id}`,
      sha256Hex(other),
      JSON.stringify({ persistedQuery: { version: 1, sha256Hash: read.id } }),
      JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256Hex(other) } }),
      '{}',
      '{',
    );
    const value = fc.oneof(
      text,
      fc.constantFrom(null, 42, true, [other], [read.body], { kind: 'Document' }),
      fc.constant({ persistedQuery: { version: 1, sha256Hash: read.id } }),
    );
    /** The query Apollo would parse from what the gate handed on (undefined: none, or Apollo refuses). */
    function apolloQuery(method: string, handed: { body: unknown; search: string }) {
      if (method === 'GET') {
        const all = new URLSearchParams(handed.search).getAll('query');
        return all.length === 1 && all[0] ? all[0] : undefined;
      }
      expect(Array.isArray(handed.body)).toBe(false);
      const body = handed.body as Record<string, unknown> | undefined;
      return typeof body?.query === 'string' && body.query ? body.query : undefined;
    }
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST'),
        fc.array(fc.tuple(names, value), { maxLength: 6 }),
        fc.boolean(),
        (method, pairs, batch) => {
          let request: { method: string; body: unknown; search: string };
          if (method === 'GET') {
            const params = new URLSearchParams();
            for (const [k, v] of pairs)
              params.append(k, typeof v === 'string' ? v : JSON.stringify(v));
            request = { method, body: undefined, search: `?${params.toString()}` };
          } else {
            const body = Object.fromEntries(pairs);
            request = { method, body: batch ? [body] : body, search: '' };
          }
          const admitted = strict.admit(request);
          if (!admitted.ok) return;
          const query = apolloQuery(method, admitted);
          if (query !== undefined) expect(query).toBe(read.body);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('documentIdHash', () => {
  it('reads "<hex>" and "sha256:<hex>", nothing else', () => {
    const hex = sha256Hex('x');
    expect(documentIdHash(hex)).toBe(hex);
    expect(documentIdHash(`sha256:${hex}`)).toBe(hex);
    for (const bad of [
      `sha256:sha256:${hex}`,
      hex.toUpperCase(),
      `${hex}0`,
      'sha256:',
      '',
      42,
      null,
    ])
      expect(documentIdHash(bad), String(bad)).toBeUndefined();
  });
});
