// What each Campaigns endpoint does to the store, with HubSpot's business rules on top of the
// spec's schemas: 50 inputs at most, no duplicate ids, one bad property fails the whole request.
import type {
  BatchInputPublicCampaignBatchUpdateItem,
  BatchInputPublicCampaignDeleteInput,
  BatchInputPublicCampaignInput,
  BatchInputPublicCampaignReadInput,
  ErrorDetail,
  PublicCampaign,
  PublicCampaignInput,
  PublicCampaignWithAssets,
  StandardError,
} from '@campaigns/hubspot-client';
import { errorBody, objectsNotFound } from './errors.js';
import { findPropertyViolations, type PropertyViolation } from './properties.js';
import { shuffleAwayFromInputOrder, type SeededRandom } from './random.js';
import type { CampaignStore } from './store.js';

/** HubSpot's limit for every Campaigns batch endpoint. */
export const MAX_BATCH_INPUTS = 50;

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
}

export interface ApiAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerContext {
  store: CampaignStore;
  /** Decides the order of batch results. */
  order: SeededRandom;
  /** False: property errors name the property but not the campaign id. */
  validationErrorsNameIds: boolean;
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
  return { status: 201, body: store.create(properties) };
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
  const tooManyOrNone = batchSizeProblem(inputs.length);
  if (tooManyOrNone) return tooManyOrNone;
  // HubSpot documents that batch read ignores duplicate ids.
  const ids = [...new Set(inputs.map((input) => input.id))];
  const properties = propertiesParam(call);
  const found = ids.flatMap((id) => store.get(id) ?? []);
  const missing = ids.filter((id) => !store.has(id));
  const results: PublicCampaignWithAssets[] = found.map((c) =>
    withAssets(withProperties(c, properties)),
  );
  return batchAnswer(200, shuffleAwayFromInputOrder(results, order), missing, call);
}

function batchUpdate(
  call: ApiCall,
  { store, order, validationErrorsNameIds }: HandlerContext,
): ApiAnswer {
  const { inputs } = call.body as BatchInputPublicCampaignBatchUpdateItem;
  const tooManyOrNone = batchSizeProblem(inputs.length);
  if (tooManyOrNone) return tooManyOrNone;

  const duplicates = [
    ...new Set(inputs.map((i) => i.id).filter((id, index, all) => all.indexOf(id) !== index)),
  ];
  if (duplicates.length > 0) {
    return {
      status: 400,
      body: errorBody(
        'VALIDATION_ERROR',
        `Duplicate ids in inputs: ${duplicates.join(', ')}. Each campaign may appear once per request.`,
        {
          errors: duplicates.map((id) => ({
            message: `Campaign ${id} appears more than once in inputs`,
            code: 'DUPLICATE_ID',
            context: { ids: [id] },
          })),
        },
      ),
    };
  }

  const violations = inputs.flatMap((input, index) =>
    findPropertyViolations(input.properties, 'update').map((violation) =>
      validationErrorsNameIds
        ? { violation, in: `inputs[${index}].properties.${violation.propertyName}`, id: input.id }
        : { violation, in: `properties.${violation.propertyName}` },
    ),
  );
  if (violations.length > 0) return invalidProperties(violations);

  const updated = inputs.flatMap((input) => store.update(input.id, input.properties) ?? []);
  const missing = inputs.map((input) => input.id).filter((id) => !updated.some((c) => c.id === id));
  return batchAnswer(200, shuffleAwayFromInputOrder(updated, order), missing, call);
}

function batchCreate(call: ApiCall, { store, order }: HandlerContext): ApiAnswer {
  const { inputs } = call.body as BatchInputPublicCampaignInput;
  const tooManyOrNone = batchSizeProblem(inputs.length);
  if (tooManyOrNone) return tooManyOrNone;
  const violations = inputs.flatMap((input, index) =>
    findPropertyViolations(input.properties, 'create').map((violation) => ({
      violation,
      in: `inputs[${index}].properties.${violation.propertyName}`,
    })),
  );
  if (violations.length > 0) return invalidProperties(violations);
  const created = inputs.map((input) => store.create(input.properties));
  return batchAnswer(201, shuffleAwayFromInputOrder(created, order), [], call);
}

function batchArchive(call: ApiCall, { store }: HandlerContext): ApiAnswer {
  const { inputs } = call.body as BatchInputPublicCampaignDeleteInput;
  const tooManyOrNone = batchSizeProblem(inputs.length);
  if (tooManyOrNone) return tooManyOrNone;
  for (const { id } of inputs) store.delete(id);
  return { status: 204 };
}

/**
 * The spec's `maxItems` already refuses more than 50; this keeps HubSpot's limit even if the
 * spec is loosened. An empty batch is refused too: it is always a caller's bug.
 */
function batchSizeProblem(count: number): ApiAnswer | undefined {
  if (count === 0) {
    return {
      status: 400,
      body: errorBody('VALIDATION_ERROR', 'inputs must not be empty', {
        errors: [{ message: 'inputs must not be empty', code: 'MIN_ITEMS', in: 'inputs' }],
      }),
    };
  }
  if (count > MAX_BATCH_INPUTS) {
    const message = `Batch of ${count} inputs is too large: at most ${MAX_BATCH_INPUTS} inputs are allowed per request`;
    return {
      status: 400,
      body: errorBody('VALIDATION_ERROR', message, {
        errors: [{ message, code: 'MAX_ITEMS', in: 'inputs' }],
      }),
    };
  }
  return undefined;
}

/** 200/201 when every id was found, else 207 with one `OBJECT_NOT_FOUND` error naming them all. */
function batchAnswer(
  okStatus: number,
  results: unknown[],
  missingIds: string[],
  call: ApiCall,
): ApiAnswer {
  const times = {
    requestedAt: new Date(call.arrivedAt).toISOString(),
    startedAt: new Date(call.arrivedAt).toISOString(),
    completedAt: new Date().toISOString(),
  };
  if (missingIds.length === 0)
    return { status: okStatus, body: { status: 'COMPLETE', results, ...times } };
  const errors: StandardError[] = [objectsNotFound(missingIds)];
  return {
    status: 207,
    body: { status: 'COMPLETE', results, numErrors: errors.length, errors, ...times },
  };
}

interface LocatedViolation {
  violation: PropertyViolation;
  /** Where in the body, e.g. `inputs[3].properties.hs_start_date`. */
  in: string;
  /** The campaign, when the error may name it. */
  id?: string;
}

/** One 400 naming every offending property (and campaign), not just the first. */
function invalidProperties(violations: LocatedViolation[]): ApiAnswer {
  const describe = ({ violation, id }: LocatedViolation) =>
    id === undefined ? violation.reason : `${violation.reason} (campaign ${id})`;
  const errors: ErrorDetail[] = violations.map((v) => ({
    message: describe(v),
    code: v.violation.code,
    in: v.in,
    context: {
      propertyName: [v.violation.propertyName],
      ...(v.id === undefined ? {} : { ids: [v.id] }),
    },
  }));
  return {
    status: 400,
    body: errorBody(
      'VALIDATION_ERROR',
      `Property values were not valid: ${violations.map(describe).join('; ')}`,
      { errors },
    ),
  };
}

function invalidParameter(name: string, message: string): ApiAnswer {
  return {
    status: 400,
    body: errorBody('VALIDATION_ERROR', message, {
      errors: [{ message, code: 'INVALID_PARAMETER', in: name }],
    }),
  };
}

function campaignNotFound(id: string): ApiAnswer {
  return {
    status: 404,
    body: errorBody('OBJECT_NOT_FOUND', `Campaign ${id} does not exist`, {
      context: { ids: [id] },
    }),
  };
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
