import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { toReadIds, toUpdateInputs } from '../src/input.js';

const limits = {
  ...loadConfig({}).limits,
  maxCampaignsPerMutation: 3,
  maxPropertiesPerCampaign: 2,
  maxPropertyValueLength: 5,
};
const ID = 'edb9b6c3-d2e2-4ca8-8396-832262aed0d4';

function problems(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    return (error as GraphQLError).extensions.problems as Array<{
      index: number;
      id: string;
      field: string;
      message: string;
    }>;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('toUpdateInputs', () => {
  it('turns name/value lists into property maps', () => {
    expect(
      toUpdateInputs(
        [
          {
            id: ID,
            properties: [
              { name: 'hs_name', value: 'A' },
              { name: 'hs_notes', value: '' },
            ],
          },
        ],
        limits,
      ),
    ).toEqual([{ id: ID, properties: { hs_name: 'A', hs_notes: '' } }]);
  });

  it('lists every problem with its index, id and field', () => {
    const found = problems(() =>
      toUpdateInputs(
        [
          { id: ID, properties: [{ name: 'hs_notes', value: 'too long' }] },
          {
            id: 'a b',
            properties: [
              { name: 'hs_name', value: 'x' },
              { name: 'hs_name', value: 'y' },
            ],
          },
          {
            id: ID,
            properties: [
              { name: 'a', value: '1' },
              { name: 'b', value: '2' },
              { name: 'HS', value: '3' },
            ],
          },
        ],
        limits,
      ),
    );
    expect(found.map((p) => [p.index, p.id, p.field])).toEqual([
      [0, ID, 'properties[0].value'],
      [1, 'a b', 'properties[1].name'],
      [1, 'a b', 'id'],
      [2, ID, 'properties'],
      [2, ID, 'properties[2].name'],
    ]);
  });

  it('refuses more campaigns than the limit, naming the setting', () => {
    try {
      toUpdateInputs(
        Array.from({ length: 4 }, () => ({
          id: ID,
          properties: [{ name: 'hs_name', value: 'x' }],
        })),
        limits,
      );
      expect.unreachable();
    } catch (error) {
      expect((error as GraphQLError).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        limit: { setting: 'MAX_CAMPAIGNS_PER_MUTATION', max: 3, actual: 4 },
      });
    }
  });
});

describe('names that would reach Object.prototype', () => {
  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses an input property named %s at its position (never dropped silently)',
    (name) => {
      expect(
        problems(() =>
          toUpdateInputs(
            [
              {
                id: ID,
                properties: [
                  { name: 'hs_name', value: 'A' },
                  { name, value: 'x' },
                ],
              },
            ],
            limits,
          ),
        ),
      ).toEqual([
        expect.objectContaining({
          index: 0,
          id: ID,
          field: 'properties[1].name',
          message: expect.stringContaining(name),
        }),
      ]);
    },
  );

  it('refuses them as read properties too', () => {
    expect(
      problems(() => toReadIds([ID], ['__proto__', 'constructor'], limits)).map((p) => p.field),
    ).toEqual(['properties[0]', 'properties[1]']);
  });
});

describe('toReadIds', () => {
  it('checks ids and property names', () => {
    expect(toReadIds([ID], ['hs_name'], limits)).toEqual([ID]);
    expect(
      problems(() => toReadIds([ID, ''], ['Bad-Name'], limits)).map((p) => [p.index, p.field]),
    ).toEqual([
      [1, 'ids'],
      [0, 'properties[0]'],
    ]);
  });
});
