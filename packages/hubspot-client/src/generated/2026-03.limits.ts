/**
 * Generated from openapi/2026-03/campaigns.yaml + overlay.yaml by tools/codegen (the batch operations' maxItems).
 * Do not edit: change the spec and run `npm run codegen`.
 */

/** Most `inputs` each batch operation takes, by route: the spec's `maxItems`. */
export const BATCH_INPUT_LIMITS = {
  'POST /batch/read': 50,
  'POST /batch/update': 50,
  'POST /batch/create': 50,
  'POST /batch/archive': 50,
} as const;
