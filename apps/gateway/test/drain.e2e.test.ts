// Shutdown: in-flight mutations finish, new requests are turned away, and a grace period bounds
// the wait by canceling what still runs.
import { afterEach, describe, expect, it } from 'vitest';
import { UpdateCampaignsDocument } from '@campaigns/graphql';
import { notesInputs, startStack, until, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('drain', () => {
  it('lets an in-flight mutation complete while new requests get 503', async () => {
    stack = await startStack();
    const s = stack;
    const ids = s.sim.store
      .list()
      .map((c) => c.id)
      .slice(0, 3);
    s.sim.setLatency({ fixedMs: 300 });
    const mutation = s.client().request(UpdateCampaignsDocument, {
      inputs: notesInputs(ids, () => 'during drain'),
    });
    await until(() => s.sim.stats().inFlight > 0, 'the mutation reached HubSpot');

    const drained = s.gateway.drain();

    const refused = await s.http('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(refused.status).toBe(503);
    expect(
      ((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!
        .extensions.code,
    ).toBe('SERVICE_UNAVAILABLE');
    expect((await s.http('/readyz')).status).toBe(503);
    expect((await s.http('/healthz')).status).toBe(200);

    const { updateCampaigns } = await mutation;
    expect(updateCampaigns.status).toBe('COMPLETE');
    expect(updateCampaigns.numErrors).toBe(0);
    expect(ids.map((id) => s.sim.store.get(id)?.properties.hs_notes)).toEqual([
      'during drain',
      'during drain',
      'during drain',
    ]);
    await drained;
  });

  it('cancels what still runs when the grace period is over, answering with CANCELED errors', async () => {
    stack = await startStack();
    const s = stack;
    const ids = s.sim.store
      .list()
      .map((c) => c.id)
      .slice(0, 2);
    s.sim.script({ kind: 'hang' });
    const mutation = s.client().request(UpdateCampaignsDocument, {
      inputs: notesInputs(ids, () => 'never'),
    });
    await until(() => s.sim.stats().inFlight > 0, 'the mutation reached HubSpot');

    await s.gateway.drain({ graceMs: 50 });

    const { updateCampaigns } = await mutation;
    expect(updateCampaigns.status).toBe('CANCELED');
    expect(updateCampaigns.stopReason).toBe('ABORTED');
    expect(updateCampaigns.errors).toEqual([
      expect.objectContaining({ ids, category: 'CANCELED_IN_FLIGHT' }),
    ]);
  });
});
