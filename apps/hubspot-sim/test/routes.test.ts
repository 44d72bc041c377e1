// The simulator routes with the client's one definition of the API root (API_ROOT_PATH) and
// takes its batch limit from the maxItems of the spec it serves (after the overlay), the same
// maxItems the client's generated BATCH_INPUT_LIMITS come from, so neither can drift.
import {
  apiRootPath,
  BATCH_INPUT_LIMITS,
  isApiVersion,
  type ApiVersion,
} from '@campaigns/hubspot-client';
import { describe, expect, it } from 'vitest';
import { loadCampaignsSpec } from '../src/index.js';
import { matchRoute } from '../src/routes.js';
import type { OperationSpec } from '../src/spec.js';

const batchUpdate = { method: 'POST', path: '/batch/update' } as OperationSpec;

describe('the API root the simulator serves', () => {
  it('is every version the client accepts, and none it refuses', () => {
    for (const version of ['v3', '2026-03', '1999-12', '2026-09-beta'] as ApiVersion[]) {
      expect(isApiVersion(version)).toBe(true);
      const match = matchRoute('POST', `${apiRootPath(version)}/batch/update`, [batchUpdate]);
      expect(match).toMatchObject({ kind: 'operation', routeKey: 'POST /batch/update' });
    }
    for (const version of ['2026-13', '2026-3', '2026-00', 'v4', '2026-09-BETA', '2026-09-rc']) {
      expect(isApiVersion(version)).toBe(false);
      const pathname = `/marketing/campaigns/${version}/batch/update`;
      expect(matchRoute('POST', pathname, [batchUpdate]).kind).toBe('not-found');
    }
  });
});

describe('the batch limit', () => {
  it("is the served spec's maxItems for every batch operation, the client's limits", () => {
    const served = Object.fromEntries(
      loadCampaignsSpec()
        .operations.filter((o) => o.maxInputs !== undefined)
        .map((o) => [`${o.method} ${o.path}`, o.maxInputs]),
    );
    expect(served).toEqual(BATCH_INPUT_LIMITS);
  });
});
