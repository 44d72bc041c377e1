// Validation runs once: the gateway checks only its own limits, the engine applies its rules
// (onInvalid: 'reject'), and each input meets those rules exactly once, whether the request runs,
// the engine refuses it, or the gateway refuses it first (then the engine never runs).
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as validate from '../../../packages/campaigns-core/src/validate.ts';
import {
  ReadCampaignsDocument,
  UpdateCampaignsDocument,
  type CampaignUpdateInput,
} from '@campaigns/graphql';
import { API_VERSIONS, graphqlErrors, notesInputs, startStack, type Stack } from './stack.js';

type Validate = typeof validate;

/**
 * Inputs and ids that met the engine's rules from outside their module (the gateway's and the
 * engine's calls), whether checked one at a time or in one pass over a list.
 */
const calls = vi.hoisted(() => ({ checkUpdateInput: 0, checkId: 0 }));

vi.mock('../../../packages/campaigns-core/src/validate.ts', async (importOriginal) => {
  const real = await importOriginal<Validate>();
  return {
    ...real,
    checkUpdateInput: (...args: Parameters<Validate['checkUpdateInput']>) => {
      calls.checkUpdateInput++;
      return real.checkUpdateInput(...args);
    },
    checkUpdateInputs: (...args: Parameters<Validate['checkUpdateInputs']>) => {
      calls.checkUpdateInput += args[0].length;
      return real.checkUpdateInputs(...args);
    },
    checkId: (...args: Parameters<Validate['checkId']>) => {
      calls.checkId++;
      return real.checkId(...args);
    },
    checkIds: (...args: Parameters<Validate['checkIds']>) => {
      calls.checkId += args[0].length;
      return real.checkIds(...args);
    },
  };
});

let stack: Stack;
let ids: string[];
beforeEach(() => {
  calls.checkUpdateInput = 0;
  calls.checkId = 0;
});

const update = (inputs: CampaignUpdateInput[]) =>
  stack.client().request(UpdateCampaignsDocument, { inputs });
const requestsSoFar = () => stack.sim.stats().totalRequests;

// On each API version in openapi/: the gateway and the simulator both speak it.
describe.each(API_VERSIONS)('on HubSpot API %s', (version) => {
  beforeAll(async () => {
    stack = await startStack({
      env: { MAX_PROPERTY_VALUE_LENGTH: '20', HUBSPOT_API_VERSION: version },
    });
    ids = stack.sim.store
      .list()
      .slice(0, 3)
      .map((c) => c.id);
  });
  afterAll(() => stack.close());

  describe('validation runs once', () => {
    it('checks each input of an accepted mutation once, in the engine', async () => {
      const { updateCampaigns } = await update(notesInputs(ids));
      expect(updateCampaigns.status).toBe('COMPLETE');
      expect(calls.checkUpdateInput).toBe(3);
    });

    it('checks each input once when the engine refuses it, and sends nothing', async () => {
      const before = requestsSoFar();
      const { errors } = await graphqlErrors(
        update([
          { id: ids[0]!, properties: [{ name: 'hs_notes', value: 'fine' }] },
          { id: ids[1]!, properties: [{ name: '__proto__', value: 'x' }] },
        ]),
      );
      expect(errors[0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        problems: [{ index: 1, id: ids[1], field: 'properties[0].name' }],
      });
      expect(calls.checkUpdateInput).toBe(2);
      expect(requestsSoFar()).toBe(before);
    });

    it('checks each input once when the gateway refuses first: the engine does not run', async () => {
      const before = requestsSoFar();
      const { errors } = await graphqlErrors(
        update([
          {
            id: ids[0]!,
            properties: [{ name: 'hs_notes', value: 'longer than twenty characters' }],
          },
          { id: ids[1]!, properties: [{ name: 'Bad', value: 'x' }] },
        ]),
      );
      // Both the gateway's limit and the engine's rule are listed.
      expect(
        (errors[0]!.extensions!.problems as Array<{ index: number; field: string }>).map((p) => [
          p.index,
          p.field,
        ]),
      ).toEqual([
        [0, 'properties[0].value'],
        [1, 'properties[0].name'],
      ]);
      expect(calls.checkUpdateInput).toBe(2);
      expect(requestsSoFar()).toBe(before);
    });

    it('checks each id of a read once, in the engine', async () => {
      const { campaigns } = await stack
        .client()
        .request(ReadCampaignsDocument, { ids: ids.slice(0, 2) });
      expect(campaigns.status).toBe('COMPLETE');
      expect(calls.checkId).toBe(2);
    });

    it('refuses a read id the engine refuses, naming the ids field', async () => {
      const before = requestsSoFar();
      const { errors } = await graphqlErrors(
        stack.client().request(ReadCampaignsDocument, { ids: [ids[0]!, 'has space'] }),
      );
      expect(errors[0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        problems: [{ index: 1, id: 'has space', field: 'ids' }],
      });
      expect(calls.checkId).toBe(2);
      expect(requestsSoFar()).toBe(before);
    });
  });
});
