// The client's typed versions are the version folders of openapi/: a folder without an entry in
// src/api-versions.ts would be served and configurable but typed by the other versions' shapes.
import { specVersions } from '@campaigns/openapi';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BATCH_INPUT_LIMIT,
  BATCH_INPUT_LIMITS_BY_VERSION,
  createHubSpotClient,
  TYPED_API_VERSIONS,
  type HubSpotClient,
  type PathsByVersion,
} from '../src/index.js';

describe('typed API versions', () => {
  it('are exactly the version folders of openapi/', () => {
    expect([...TYPED_API_VERSIONS].sort()).toEqual(specVersions());
  });

  it('chunk to the smallest batch limit of any version', () => {
    const smallest = Math.min(
      ...Object.values(BATCH_INPUT_LIMITS_BY_VERSION).flatMap((limits) => Object.values(limits)),
    );
    expect(BATCH_INPUT_LIMIT).toBe(smallest);
  });

  it('type each client by its version, and one of a version known at run time by all', () => {
    const v3 = createHubSpotClient({ token: 'x'.repeat(40) });
    const dated = createHubSpotClient({ token: 'x'.repeat(40), apiVersion: '2026-03' });
    expectTypeOf(v3).toEqualTypeOf<HubSpotClient<'v3'>>();
    expectTypeOf(dated).toEqualTypeOf<HubSpotClient<'2026-03'>>();
    // Either fits where any client is taken.
    expectTypeOf(v3).toExtend<HubSpotClient>();
    expectTypeOf(dated).toExtend<HubSpotClient>();
    type UpdateOk<V extends keyof PathsByVersion> =
      PathsByVersion[V]['/batch/update']['post']['responses'][200]['content']['application/json'];
    // 2026-03 folds item errors into its 200; v3's 200 has none (they come in a 207).
    expectTypeOf<UpdateOk<'2026-03'>>().toHaveProperty('errors');
    expectTypeOf<UpdateOk<'v3'>>().not.toHaveProperty('errors');
  });
});
