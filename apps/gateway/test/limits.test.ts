import { readFileSync } from 'node:fs';
import {
  buildSchema,
  Kind,
  parse,
  validate,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { measureOperation, queryLimitsRule } from '../src/limits.js';

const schema = buildSchema(readFileSync(new URL('../src/schema.graphql', import.meta.url), 'utf8'));

function measure(source: string) {
  const document = parse(source);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return measureOperation(operation, fragments, { getSchema: () => schema });
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

  it('ignores introspection fields', () => {
    expect(measure('{ __schema { types { fields { type { ofType { name } } } } } }')).toEqual({
      depth: 0,
      aliases: 0,
      cost: 0,
    });
  });

  it('terminates on fragment cycles (graphql-js reports those itself)', () => {
    expect(
      measure(
        '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A campaigns(ids: []) { numErrors } }',
      ).depth,
    ).toBe(2);
  });
});

describe('queryLimitsRule', () => {
  it('reports each exceeded limit with its setting', () => {
    const errors = validate(schema, parse('{ a: campaigns(ids: []) { results { id } } }'), [
      queryLimitsRule({ maxDepth: 2, maxAliases: 0, maxCost: 5 }),
    ]);
    expect(errors.map((e) => e.extensions.limit)).toEqual([
      { setting: 'MAX_QUERY_DEPTH', max: 2, actual: 3 },
      { setting: 'MAX_QUERY_ALIASES', max: 0, actual: 1 },
      { setting: 'MAX_QUERY_COST', max: 5, actual: 12 },
    ]);
  });

  it('lets the documented example mutation through the default limits', () => {
    const source = readFileSync(new URL('./stack.ts', import.meta.url), 'utf8');
    const update = /export const UPDATE = \/\* GraphQL \*\/ `([^`]+)`/.exec(source)![1]!;
    expect(
      validate(schema, parse(update), [
        queryLimitsRule({ maxDepth: 10, maxAliases: 15, maxCost: 5000 }),
      ]),
    ).toEqual([]);
  });
});
