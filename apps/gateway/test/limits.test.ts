import { readFileSync } from 'node:fs';
import {
  buildSchema,
  Kind,
  parse,
  specifiedRules,
  validate,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  KnownRootTypesRule,
  measureOperation,
  queryLimitsRule,
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

  it('lets the documented example mutation through the default limits', () => {
    const source = readFileSync(new URL('./stack.ts', import.meta.url), 'utf8');
    const update = /export const UPDATE = \/\* GraphQL \*\/ `([^`]+)`/.exec(source)![1]!;
    expect(validate(schema, parse(update), [queryLimitsRule(DEFAULTS)])).toEqual([]);
  });
});

describe('KnownRootTypesRule', () => {
  it('refuses an operation whose root type the schema lacks', () => {
    const errors = validate(schema, parse('subscription { campaigns(ids: []) { numErrors } }'), [
      KnownRootTypesRule,
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      'this API has no subscription operations: the schema defines no subscription root type',
    ]);
    expect(
      validate(schema, parse('{ __typename } mutation { __typename }'), [KnownRootTypesRule]),
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
