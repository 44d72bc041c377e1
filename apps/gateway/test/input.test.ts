import { InvalidInputsError, readCampaigns, updateCampaigns } from '@campaigns/core';
import { createHubSpotClient } from '@campaigns/hubspot-client';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadConfig, type LimitsConfig } from '../src/config.js';
import { checkReadIds, checkUpdateInputs, type Checked } from '../src/input.js';
import type { CampaignUpdateInput } from '../src/generated/resolvers-types.js';

const limits = {
  ...loadConfig({}).limits,
  maxCampaignsPerMutation: 3,
  maxPropertiesPerCampaign: 2,
  maxPropertyValueLength: 5,
};
const ID = 'edb9b6c3-d2e2-4ca8-8396-832262aed0d4';

/** A client that has nothing to answer: refused inputs never reach it. */
const hubspot = createHubSpotClient({
  token: 'test-token-never-sent',
  fetch: async () => {
    throw new Error('nothing should be sent');
  },
});
/** Valid inputs go no further than the engine's validation. */
const stopped = { onInvalid: 'reject', signal: AbortSignal.abort() } as const;

/** As the resolvers run it: the gateway's checks, then the engine's (onInvalid: 'reject'). */
async function throughEngine<T>(
  checked: Checked<T>,
  run: (inputs: T[]) => Promise<unknown>,
): Promise<T[]> {
  try {
    await run(checked.inputs);
  } catch (error) {
    if (error instanceof InvalidInputsError) throw checked.refuse(error.problems);
    throw error;
  }
  return checked.inputs;
}

const toUpdateInputs = (inputs: CampaignUpdateInput[], limits: LimitsConfig) =>
  throughEngine(checkUpdateInputs(inputs, limits), (updates) =>
    updateCampaigns(hubspot, updates, stopped),
  );

const toReadIds = (ids: string[], properties: string[], limits: LimitsConfig) =>
  throughEngine(checkReadIds(ids, properties, limits), (checked) =>
    readCampaigns(hubspot, checked, { ...stopped, properties }),
  );

async function problems(run: () => Promise<unknown>) {
  try {
    await run();
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
  it('turns name/value lists into property maps', async () => {
    expect(
      await toUpdateInputs(
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

  it('lists every problem with its index, id and field', async () => {
    const found = await problems(() =>
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

  it('refuses more campaigns than the limit, naming the setting', async () => {
    try {
      await toUpdateInputs(
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
    async (name) => {
      expect(
        await problems(() =>
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

  it('refuses them as read properties too', async () => {
    expect(
      (await problems(() => toReadIds([ID], ['__proto__', 'constructor'], limits))).map(
        (p) => p.field,
      ),
    ).toEqual(['properties[0]', 'properties[1]']);
  });
});

describe('toReadIds', () => {
  it('checks ids and property names', async () => {
    expect(await toReadIds([ID], ['hs_name'], limits)).toEqual([ID]);
    expect(
      (await problems(() => toReadIds([ID, ''], ['Bad-Name'], limits))).map((p) => [
        p.index,
        p.field,
      ]),
    ).toEqual([
      [1, 'ids'],
      [0, 'properties[0]'],
    ]);
  });
});

describe('a property name given twice', () => {
  it('is refused at its second position, naming the first, with the engine problems at theirs', async () => {
    const roomy = { ...limits, maxPropertiesPerCampaign: 5 };
    expect(
      await problems(() =>
        toUpdateInputs(
          [
            {
              id: ID,
              properties: [
                { name: 'hs_name', value: 'A' },
                { name: '__proto__', value: 'x' },
                { name: 'hs_name', value: 'B' },
                { name: '__proto__', value: 'y' },
              ],
            },
          ],
          roomy,
        ),
      ),
    ).toEqual([
      expect.objectContaining({
        field: 'properties[2].name',
        message: '"hs_name" is given twice (also at properties[0])',
      }),
      expect.objectContaining({
        field: 'properties[3].name',
        message: '"__proto__" is given twice (also at properties[1])',
      }),
      expect.objectContaining({
        index: 0,
        id: ID,
        field: 'properties[1].name',
        message: expect.stringContaining('__proto__'),
      }),
    ]);
  });
});
