import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  buildSchema,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { operations } from '@campaigns/graphql';
import { describe, expect, it } from 'vitest';
import {
  BoundedDocumentStore,
  gatewayValidationRules,
  KnownRootTypesRule,
  measureOperation,
  NoIntrospectionRule,
  NoSubscriptionOverHttpRule,
  queryLimitsRule,
  retainedBytes,
  tokenLimitPlugin,
  tokenLimitPosition,
  type QueryLimits,
} from '../src/limits.js';

const schema = buildSchema(readFileSync(new URL('../src/schema.graphql', import.meta.url), 'utf8'));
const DEFAULTS: QueryLimits = { maxDepth: 10, maxAliases: 15, maxCost: 5000 };

function measure(source: string, limits?: QueryLimits) {
  const document = parse(source);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return measureOperation(operation, fragments, { getSchema: () => schema }, limits);
}

/** `fragment F<i>` spreads `F<i-1>` twice: 2^n fields once expanded, from a sub-kilobyte document. */
function fanOut(n: number): string {
  let source = `{ ...F${n} }\nfragment F0 on Query { __typename }\n`;
  for (let i = 1; i <= n; i++) source += `fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }\n`;
  return source;
}

function cpuMs<T>(fn: () => T): { value: T; ms: number } {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return { value, ms: (used.user + used.system) / 1000 };
}

describe('measureOperation', () => {
  it('counts depth, aliases and cost with list fields weighing 10×', () => {
    expect(measure('{ campaigns(ids: []) { numErrors } }')).toEqual({
      depth: 2,
      aliases: 0,
      cost: 2,
    });
    expect(measure('{ campaigns(ids: []) { results { id bu: businessUnits { id } } } }')).toEqual({
      depth: 4,
      aliases: 1,
      cost: 1 + 1 + 10 + 10 + 100,
    });
  });

  it('expands fragments where they are spread', () => {
    const m = measure(
      '{ a: campaigns(ids: []) { ...P } b: campaigns(ids: []) { ...P } } fragment P on CampaignsPayload { results { x: id } }',
    );
    expect(m).toEqual({ depth: 3, aliases: 4, cost: 2 * (1 + 1 + 10) });
  });

  it('counts __typename like any field, for aliases and cost', () => {
    expect(measure('{ a: __typename b: __typename campaigns(ids: []) { __typename } }')).toEqual({
      depth: 2,
      aliases: 2,
      cost: 4,
    });
  });

  it('charges a response name repeated in one selection set for the pairwise merge check', () => {
    // The n-th `__typename` of one selection set costs n.
    expect(measure('{ __typename __typename __typename }').cost).toBe(1 + 2 + 3);
    // Across selection sets, and under different aliases, no surcharge.
    expect(measure('{ a: __typename b: __typename }').cost).toBe(2);
  });

  it('ignores introspection subtrees', () => {
    expect(measure('{ __schema { types { fields { type { ofType { name } } } } } }')).toEqual({
      depth: 0,
      aliases: 0,
      cost: 0,
    });
  });

  it('measures each fragment once: a 2^40 fan-out costs microseconds, not hours', () => {
    const { value, ms } = cpuMs(() => measure(fanOut(40)));
    expect(value.cost).toBeGreaterThanOrEqual(2 ** 40);
    expect(value.depth).toBe(1);
    expect(ms).toBeLessThan(50);
  });

  it('saturates instead of overflowing', () => {
    const { cost } = measure(fanOut(1200));
    expect(cost).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('terminates on fragment cycles (graphql-js reports those itself)', () => {
    expect(
      measure(
        '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A campaigns(ids: []) { numErrors } }',
      ).depth,
    ).toBe(2);
    expect(measure('{ ...A } fragment A on Query { ...A __typename }').cost).toBeGreaterThan(0);
  });

  it('with limits, stops at the first exceeded one', () => {
    const m = measure(fanOut(60), DEFAULTS);
    expect(m.exceeded).toEqual({
      setting: 'MAX_QUERY_COST',
      max: 5000,
      actual: expect.any(Number),
    });
    expect(m.exceeded!.actual).toBeGreaterThan(5000);
    expect(m.exceeded!.actual).toBeLessThan(2 * 5000 * 10);
  });
});

/** A rule that counts the Field nodes the parallel validation walk reaches. */
function fieldCounter(): { rule: ValidationRule; visited: () => number } {
  let visited = 0;
  return { rule: () => ({ Field: () => void visited++ }), visited: () => visited };
}

describe('queryLimitsRule', () => {
  it('reports the exceeded limit with its setting, max and the count reached', () => {
    const limits = { maxDepth: 2, maxAliases: 5, maxCost: 50 };
    const depth = validate(schema, parse('{ campaigns(ids: []) { results { id } } }'), [
      queryLimitsRule(limits),
    ]);
    expect(depth.map((e) => e.extensions.limit)).toEqual([
      { setting: 'MAX_QUERY_DEPTH', max: 2, actual: 3 },
    ]);
    expect(depth[0]!.message).toBe(
      'the operation exceeds MAX_QUERY_DEPTH=2: its depth is at least 3 (counting stops at the first exceeded limit)',
    );
    const aliases = validate(
      schema,
      parse(`query Many { ${Array.from({ length: 9 }, (_, i) => `a${i}: __typename`).join(' ')} }`),
      [queryLimitsRule(limits)],
    );
    expect(aliases.map((e) => e.extensions.limit)).toEqual([
      { setting: 'MAX_QUERY_ALIASES', max: 5, actual: 6 },
    ]);
    expect(aliases[0]!.message).toContain('operation "Many" exceeds MAX_QUERY_ALIASES=5');
    // results { id name: id } weighs 1 + 2 × 10: counting stops there, at 21.
    const cost = validate(schema, parse('{ campaigns(ids: []) { results { id name: id } } }'), [
      queryLimitsRule({ ...limits, maxDepth: 10, maxCost: 15 }),
    ]);
    expect(cost.map((e) => e.extensions.limit)).toEqual([
      { setting: 'MAX_QUERY_COST', max: 15, actual: 21 },
    ]);
  });

  it('refuses 50,000 __typename aliases naming MAX_QUERY_ALIASES', () => {
    const source = `{ ${Array.from({ length: 50_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const errors = validate(schema, parse(source), [queryLimitsRule(DEFAULTS)]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions.limit).toMatchObject({ setting: 'MAX_QUERY_ALIASES', max: 15 });
  });

  it('refuses an over-limit document before the spec rules walk it', () => {
    // 3,000 copies of one field: quadratic for OverlappingFieldsCanBeMerged.
    const source = `{ ${'campaigns(ids: []) { numErrors } '.repeat(3000)} }`;
    const before = fieldCounter();
    const after = fieldCounter();
    const { value: errors, ms } = cpuMs(() =>
      validate(schema, parse(source), [
        before.rule,
        ...specifiedRules,
        queryLimitsRule(DEFAULTS),
        after.rule,
      ]),
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('exceeds MAX_QUERY_COST=5000'),
    ]);
    expect(before.visited()).toBe(0);
    expect(after.visited()).toBe(0);
    expect(ms).toBeLessThan(100);
  });

  it('keeps a within-limits worst case cheap: MAX_QUERY_TOKENS of one repeated field', () => {
    // ~5,000 tokens (the default MAX_QUERY_TOKENS) of the same field, within every limit but cost.
    const cases: Array<[string, number[]]> = [
      ['__typename', [90, 99, 4990]],
      ['campaigns(ids: []) { numErrors }', [60, 99, 490]],
    ];
    for (const [field, counts] of cases) {
      for (const copies of counts) {
        const source = `{ ${`${field} `.repeat(copies)} }`;
        const { ms } = cpuMs(() =>
          validate(schema, parse(source, { maxTokens: 5000 }), [
            ...specifiedRules,
            queryLimitsRule(DEFAULTS),
          ]),
        );
        expect(ms, `${copies} × ${field}`).toBeLessThan(100);
      }
    }
  });

  it('lets every frontend operation of @campaigns/graphql through the default limits', () => {
    expect(Object.keys(operations)).toContain('UpdateCampaigns');
    for (const [name, document] of Object.entries(operations))
      expect(validate(schema, document, [queryLimitsRule(DEFAULTS)]), name).toEqual([]);
  });
});

describe('NoSubscriptionOverHttpRule', () => {
  it("refuses the gateway's own subscriptions (served on the event stream), not queries or mutations", () => {
    const errors = validate(
      schema,
      parse('subscription { campaignUpdateJobProgress(id: "x") { status } }'),
      [NoSubscriptionOverHttpRule],
    );
    expect(errors.map((e) => e.message)).toEqual([
      'subscriptions are not served over plain GraphQL POST/GET: subscribe on the event stream (graphql-sse) instead',
    ]);
    expect(
      validate(schema, parse('{ __typename } mutation { __typename }'), [
        NoSubscriptionOverHttpRule,
      ]),
    ).toEqual([]);
  });
});

describe('KnownRootTypesRule', () => {
  it('refuses an operation whose root type the schema lacks', () => {
    const noSubscriptions = buildSchema('type Query { a: Int } type Mutation { b: Int }');
    const errors = validate(noSubscriptions, parse('subscription { a }'), [KnownRootTypesRule]);
    expect(errors.map((e) => e.message)).toEqual([
      'this API has no subscription operations: the schema defines no subscription root type',
    ]);
    expect(
      validate(noSubscriptions, parse('{ __typename } mutation { __typename }'), [
        KnownRootTypesRule,
      ]),
    ).toEqual([]);
  });

  it('accepts subscriptions once the schema has a Subscription type', () => {
    const withSubscriptions = buildSchema(
      'type Query { a: Int } type Subscription { changed: Int }',
    );
    expect(
      validate(withSubscriptions, parse('subscription { changed }'), [KnownRootTypesRule]),
    ).toEqual([]);
  });
});

describe('gatewayValidationRules', () => {
  it('is the one list Apollo and the manifest check run: introspection refused in production', () => {
    const production = gatewayValidationRules({ limits: DEFAULTS, introspection: false });
    const development = gatewayValidationRules({ limits: DEFAULTS, introspection: true });
    expect(production).toHaveLength(3);
    expect(production[0]).toBe(NoIntrospectionRule);
    expect(production[2]).toBe(KnownRootTypesRule);
    expect(development).toHaveLength(2);
    expect(development[1]).toBe(KnownRootTypesRule);
    expect(gatewayValidationRules({ introspection: true })).toEqual([KnownRootTypesRule]);
    const introspect = parse('{ __schema { queryType { name } } __type(name: "Query") { name } }');
    const refused = validate(schema, introspect, [...specifiedRules, ...production]);
    expect(refused.map((e) => e.extensions.validationErrorCode)).toEqual([
      'INTROSPECTION_DISABLED',
      'INTROSPECTION_DISABLED',
    ]);
    expect(validate(schema, introspect, [...specifiedRules, ...development])).toEqual([]);
  });
});

/** Runs tokenLimitPlugin's parsing hook on what `parse` threw for `source` (or on `error`). */
async function tokenLimitMessage(source: string, maxTokens: number, error?: GraphQLError) {
  let thrown = error;
  if (!thrown) {
    try {
      parse(source, { maxTokens });
    } catch (e) {
      thrown = e as GraphQLError;
    }
  }
  expect(thrown).toBeInstanceOf(GraphQLError);
  const listener = await tokenLimitPlugin(maxTokens).requestDidStart!({} as never);
  const end = await listener!.parsingDidStart!({ source } as never);
  await end!(thrown);
  return { message: thrown!.message, limit: thrown!.extensions.limit };
}

describe('tokenLimitPlugin', () => {
  const renamed = {
    message:
      'the document has more than MAX_QUERY_TOKENS=100 lexical tokens: send large inputs (lists, long strings) as variables instead of inline literals',
    limit: { setting: 'MAX_QUERY_TOKENS', max: 100 },
  };

  it('names MAX_QUERY_TOKENS when the parser stopped at the limit, comments not counted', async () => {
    // `{`, 99 fields: 100 tokens parse; one more does not.
    const fields = (n: number) => `{ ${'#c\n a '.repeat(n)}}`;
    expect(() => parse(fields(98), { maxTokens: 100 })).not.toThrow();
    expect(tokenLimitPosition(fields(98), 100)).toBeUndefined();
    expect(await tokenLimitMessage(fields(99), 100)).toEqual(renamed);
    expect(await tokenLimitMessage(`{ ${'a '.repeat(5000)}}`, 100)).toEqual(renamed);
  });

  it('does not depend on graphql-js wording: it compares the error position with the count', async () => {
    const source = `{ ${'a '.repeat(200)}}`;
    // Pins what graphql-js says today ("more that" in v16); the plugin does not read it.
    expect(() => parse(source, { maxTokens: 100 })).toThrow(/Document contains more th/);
    const reworded = new GraphQLError('Syntax Error: too many tokens', {
      source: new (await import('graphql')).Source(source),
      positions: [tokenLimitPosition(source, 100)!],
    });
    expect(await tokenLimitMessage(source, 100, reworded)).toEqual(renamed);
  });

  it('leaves other syntax errors alone, before or at the limit', async () => {
    for (const source of [
      // A syntax error early on, with plenty of tokens after it.
      `{ { ${'a '.repeat(500)}}`,
      // A lexical error on token 101 itself: the parser reports that first.
      `{ ${'a '.repeat(99)}\u0000 }`,
      // An unterminated string as token 101.
      `{ ${'a '.repeat(99)}"open`,
      // Short and broken.
      '{ a',
    ]) {
      const { message, limit } = await tokenLimitMessage(source, 100);
      expect(message, source.slice(0, 20)).not.toContain('MAX_QUERY_TOKENS');
      expect(limit).toBeUndefined();
    }
  });
});

/** global.gc without --expose-gc: the flag can be set at run time, and a new context gets gc. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

describe('retainedBytes', () => {
  it('is an upper bound of the heap a parsed document keeps, and not a loose one', () => {
    const seq = (n: number, f: (j: number) => string) =>
      Array.from({ length: n }, (_, j) => f(j)).join(' ');
    const shapes: Array<[string, (i: number) => string]> = [
      ['comments', (i) => `${'#\n'.repeat(16_000)}{ a${i} }`],
      ['long comments', (i) => `${'#xxxxxxxxxxxx\n'.repeat(2300)}{ a${i} }`],
      ['line breaks', (i) => `${'\n'.repeat(32_000)}{ a${i} }`],
      ['fields', (i) => `{ ${seq(4990, (j) => `a${j}`)} i${i} }`],
      ['nested', (i) => `{ ${seq(1200, (j) => `f${j} { a }`)} i${i} }`],
      ['literals', (i) => `{ a(x: [${'"ab" '.repeat(4900)}]) i${i} }`],
      ['directives', (i) => `{ a ${'@d '.repeat(2400)} i${i} }`],
    ];
    /** The heap 20 documents from `make` keep, per document, and retainedBytes of the first. */
    function measureShape(make: (i: number) => string): { actual: number; estimate: number } {
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      // Each source a flat string of its own, as JSON.parse gives the gateway its request's.
      const sources = Array.from({ length: 20 }, (_, i) => JSON.parse(JSON.stringify(make(i))));
      const kept = sources.map((source: string) => parse(source, { maxTokens: 5000 }));
      sources.length = 0;
      collectGarbage();
      const actual = (process.memoryUsage().heapUsed - before) / kept.length;
      const estimate = retainedBytes(kept[0]!);
      kept.length = 0;
      return { actual, estimate };
    }
    for (const [name, make] of shapes) {
      const { actual, estimate } = measureShape(make);
      expect(actual, name).toBeGreaterThan(0);
      expect(estimate, name).toBeGreaterThan(actual);
      // Not loose where it matters (a measure of a few kilobytes is mostly noise).
      if (actual > 100_000) expect(estimate, name).toBeLessThan(3 * actual);
    }
  });

  it("counts what JSON.stringify (Apollo's default measure) leaves out: 16,000 comments", () => {
    const document = parse(`${'#\n'.repeat(16_000)}{ a }`);
    expect(JSON.stringify(document).length).toBeLessThan(500);
    expect(retainedBytes(document)).toBeGreaterThan(16_000 * 90);
  });
});

describe('BoundedDocumentStore', () => {
  const documentOf = (comments: number) => parse(`${'#\n'.repeat(comments)}{ a }`);

  it('holds at most maxBytes, dropping the least recently used first', async () => {
    const one = retainedBytes(documentOf(1000));
    const store = new BoundedDocumentStore(3 * one + 100);
    for (const key of ['a', 'b', 'c']) await store.set(key, documentOf(1000));
    expect(store.size).toBe(3);
    expect(await store.get('a')).toBeDefined(); // a is now the most recent
    await store.set('d', documentOf(1000));
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
    expect(store.size).toBe(3);
    expect(store.bytes).toBe(3 * one);
    // Replacing a key does not count it twice; a document larger than the store is not kept.
    await store.set('a', documentOf(1000));
    expect(store.bytes).toBe(3 * one);
    await store.set('huge', documentOf(10_000));
    expect(await store.get('huge')).toBeUndefined();
    expect(store.bytes).toBeLessThanOrEqual(store.maxBytes);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(store.bytes).toBe(2 * one);
  });
});
