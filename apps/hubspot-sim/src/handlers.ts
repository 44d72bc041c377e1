// What each Campaigns endpoint does to the store, with HubSpot's business rules on top of the
// spec's schemas: the spec's maxItems inputs at most, no duplicate ids, one bad property fails the whole request.
// The answers themselves (refusals, 207s) are built in answers.ts.
import type {
  BatchInputPublicCampaignBatchUpdateItem,
  BatchInputPublicCampaignDeleteInput,
  BatchInputPublicCampaignInput,
  BatchInputPublicCampaignReadInput,
  PublicCampaign,
  PublicCampaignInput,
  PublicCampaignWithAssets,
} from '@campaigns/hubspot-client';
import {
  batchAnswer,
  batchSizeProblem,
  campaignNotFound,
  duplicateIds,
  invalidParameter,
  invalidProperties,
  refusedItems,
  type ApiAnswer,
} from './answers.js';
import type { Refusals } from './faults.js';
import { findPropertyViolations } from './properties.js';
import { shuffleAwayFromInputOrder, type SeededRandom } from './random.js';
import type { CampaignStore } from './store.js';

/** One API call that passed authentication, rate limiting, scopes and schema validation. */
export interface ApiCall {
  /** Path parameters, e.g. `campaignGuid`. */
  params: Record<string, string>;
  /** Query parameters converted to the spec's types. */
  query: Record<string, unknown>;
  /** The parsed body; it conforms to the operation's schema. */
  body: unknown;
  url: URL;
  /** When the call arrived, ms since the epoch. */
  arrivedAt: number;
  /** The operation's batch limit in the spec being served (its `maxItems`), if it has one. */
  maxInputs?: number;
  /**
   * Whether the operation declares a 207 in the spec being served. A batch answer naming item
   * errors is a 207 where it does (v3), else its success status with the errors folded in (as
   * date versions such as 2026-03 answer).
   */
  multiStatus: boolean;
}

export interface HandlerContext {
  store: CampaignStore;
  /** Decides the order of batch results. */
  order: SeededRandom;
  /** False: property errors name the property but not the campaign id. */
  validationErrorsNameIds: boolean;
  /** Campaigns a batch update refuses (`sim.refuse`). */
  refusals: Refusals;
}

export type OperationHandler = (call: ApiCall, context: HandlerContext) => ApiAnswer;

/** Handlers by route key (`METHOD template`); every operation of the spec has one. */
export const OPERATION_HANDLERS: Readonly<Record<string, OperationHandler>> = {
  'GET /': listCampaigns,
  'POST /': createCampaign,
  'GET /{campaignGuid}': readCampaign,
  'PATCH /{campaignGuid}': updateCampaign,
  'DELETE /{campaignGuid}': deleteCampaign,
  'POST /batch/read': batchRead,
  'POST /batch/update': batchUpdate,
  'POST /batch/create': batchCreate,
  'POST /batch/archive': batchArchive,
};

const SORT_FIELDS = ['hs_name', 'createdAt', 'updatedAt'] as const;
const DEFAULT_PAGE_SIZE = 50;

function listCampaigns(call: ApiCall, { store }: HandlerContext): ApiAnswer {
  const sort = stringParam(call, 'sort') ?? 'hs_name';
  const field = sort.replace(/^-/, '');
  if (!(SORT_FIELDS as readonly string[]).includes(field)) {
    return invalidParameter(
      'sort',
      `sort must be one of ${SORT_FIELDS.join(', ')}, optionally with a leading -`,
    );
  }
  const after = stringParam(call, 'after') ?? '0';
  if (!/^\d+$/.test(after))
    return invalidParameter('after', 'after must be a cursor from paging.next.after');

  const name = stringParam(call, 'name')?.toLowerCase();
  const direction = sort.startsWith('-') ? -1 : 1;
  const sortValue = (c: PublicCampaign) =>
    field === 'hs_name' ? (c.properties.hs_name ?? '') : c[field as 'createdAt' | 'updatedAt'];
  const matching = store
    .list()
    .filter((c) => name === undefined || (c.properties.hs_name ?? '').toLowerCase().includes(name))
    .sort(
      (a, b) => direction * (compareText(sortValue(a), sortValue(b)) || compareText(a.id, b.id)),
    );

  const offset = Number(after);
  const limit = (call.query.limit as number | undefined) ?? DEFAULT_PAGE_SIZE;
  // HubSpot's spec leaves `limit` unbounded; a page of none or fewer is always a caller's bug.
  if (limit < 1) return invalidParameter('limit', 'limit must be a positive integer');
  const properties = propertiesParam(call);
  const page = matching.slice(offset, offset + limit).map((c) => withProperties(c, properties));
  const body: Record<string, unknown> = { total: matching.length, results: page };
  if (offset + limit < matching.length) {
    const next = new URL(call.url);
    next.searchParams.set('after', String(offset + limit));
    body.paging = { next: { after: String(offset + limit), link: next.toString() } };
  }
  return { status: 200, body };
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function createCampaign(call: ApiCall, { store }: HandlerContext): ApiAnswer {
  const { properties } = call.body as PublicCampaignInput;
  const violations = findPropertyViolations(properties, 'create').map((violation) => ({
    violation,
    in: `properties.${violation.propertyName}`,
  }));
  if (violations.length > 0) return invalidProperties(violations);
  const created = store.create(properties);
  // The spec declares a `Location` header on this 201: the new campaign's URL.
  const location = new URL(`${call.url.pathname.replace(/\/+$/, '')}/${created.id}`, call.url);
  return { status: 201, body: created, headers: { Location: location.toString() } };
}

function readCampaign(call: ApiCall, { store }: HandlerContext): ApiAnswer {
  const id = call.params.campaignGuid!;
  const campaign = store.get(id);
  if (!campaign) return campaignNotFound(id);
  return { status: 200, body: withAssets(withProperties(campaign, propertiesParam(call))) };
}

function updateCampaign(
  call: ApiCall,
  { store, validationErrorsNameIds }: HandlerContext,
): ApiAnswer {
  const id = call.params.campaignGuid!;
  const { properties } = call.body as PublicCampaignInput;
  const violations = findPropertyViolations(properties, 'update').map((violation) => ({
    violation,
    in: `properties.${violation.propertyName}`,
    ...(validationErrorsNameIds ? { id } : {}),
  }));
  if (violations.length > 0) return invalidProperties(violations);
  const updated = store.update(id, properties);
  return updated ? { status: 200, body: updated } : campaignNotFound(id);
}

/** 204 whether or not the campaign existed, as HubSpot answers. */
function deleteCampaign(call: ApiCall, { store }: HandlerContext): ApiAnswer {
  store.delete(call.params.campaignGuid!);
  return { status: 204 };
}

function batchRead(call: ApiCall, { store, order }: HandlerContext): ApiAnswer {
  const { inputs } = call.body as BatchInputPublicCampaignReadInput;
  const tooManyOrNone = batchSizeProblem(inputs.length, call.maxInputs);
  if (tooManyOrNone) return tooManyOrNone;
  // HubSpot documents that batch read ignores duplicate ids.
  const ids = [...new Set(inputs.map((input) => input.id))];
  const properties = propertiesParam(call);
  const found = ids.flatMap((id) => store.get(id) ?? []);
  const missing = ids.filter((id) => !store.has(id));
  const results: PublicCampaignWithAssets[] = found.map((c) =>
    withAssets(withProperties(c, properties)),
  );
  return batchAnswer(call, 200, shuffleAwayFromInputOrder(results, order), missing);
}

function batchUpdate(
  call: ApiCall,
  { store, order, validationErrorsNameIds, refusals }: HandlerContext,
): ApiAnswer {
  const { inputs } = call.body as BatchInputPublicCampaignBatchUpdateItem;
  const tooManyOrNone = batchSizeProblem(inputs.length, call.maxInputs);
  if (tooManyOrNone) return tooManyOrNone;

  const duplicates = [
    ...new Set(inputs.map((i) => i.id).filter((id, index, all) => all.indexOf(id) !== index)),
  ];
  if (duplicates.length > 0) return duplicateIds(duplicates);

  const violations = inputs.flatMap((input, index) =>
    findPropertyViolations(input.properties, 'update').map((violation) =>
      validationErrorsNameIds
        ? { violation, in: `inputs[${index}].properties.${violation.propertyName}`, id: input.id }
        : { violation, in: `properties.${violation.propertyName}` },
    ),
  );
  if (violations.length > 0) return invalidProperties(violations);

  // A refused campaign is reported and left as it was; the rest of the batch is applied.
  const refused = refusals.take(inputs.map((input) => input.id));
  const accepted = inputs.filter((input) => !refused.has(input.id));
  const updated = accepted.flatMap((input) => store.update(input.id, input.properties) ?? []);
  const missing = accepted
    .map((input) => input.id)
    .filter((id) => !updated.some((c) => c.id === id));
  return batchAnswer(
    call,
    200,
    shuffleAwayFromInputOrder(updated, order),
    missing,
    refusedItems(refused),
  );
}

function batchCreate(call: ApiCall, { store, order }: HandlerContext): ApiAnswer {
  const { inputs } = call.body as BatchInputPublicCampaignInput;
  const tooManyOrNone = batchSizeProblem(inputs.length, call.maxInputs);
  if (tooManyOrNone) return tooManyOrNone;
  const violations = inputs.flatMap((input, index) =>
    findPropertyViolations(input.properties, 'create').map((violation) => ({
      violation,
      in: `inputs[${index}].properties.${violation.propertyName}`,
    })),
  );
  if (violations.length > 0) return invalidProperties(violations);
  const created = inputs.map((input) => store.create(input.properties));
  return batchAnswer(call, 201, shuffleAwayFromInputOrder(created, order), []);
}

function batchArchive(call: ApiCall, { store }: HandlerContext): ApiAnswer {
  const { inputs } = call.body as BatchInputPublicCampaignDeleteInput;
  const tooManyOrNone = batchSizeProblem(inputs.length, call.maxInputs);
  if (tooManyOrNone) return tooManyOrNone;
  for (const { id } of inputs) store.delete(id);
  return { status: 204 };
}

function stringParam(call: ApiCall, name: string): string | undefined {
  return call.query[name] as string | undefined;
}

function propertiesParam(call: ApiCall): string[] {
  return (call.query.properties as string[] | undefined) ?? [];
}

/** Only the requested properties that have a value; none requested means an empty map. */
function withProperties(campaign: PublicCampaign, names: readonly string[]): PublicCampaign {
  const properties: Record<string, string> = {};
  for (const name of names) {
    const value = campaign.properties[name];
    if (value !== undefined) properties[name] = value;
  }
  return { ...campaign, properties };
}

function withAssets(campaign: PublicCampaign): PublicCampaignWithAssets {
  return { ...campaign, assets: {} };
}
