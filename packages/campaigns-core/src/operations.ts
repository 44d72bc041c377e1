// The four bulk operations on HubSpot campaigns, each a thin layer over the generic runner:
// what to validate, how to send one chunk, how to pair HubSpot's results with the inputs.
import {
  type HUBSPOT_CLIENT,
  isHubSpotClient,
  rateLimitOf,
  roundTripOf,
  type HubSpotClient,
} from '@campaigns/hubspot-client';
import type {
  ArchiveRequest,
  BatchAnswer,
  CreatedCampaign,
  CreateRequest,
  EveryVersionQuery,
  ReadCampaign,
  ReadRequest,
  ReadRequestQuery,
  UpdatedCampaign,
  UpdateRequest,
} from './api.js';
import type { BatchOperation, RunnerItem, SentChunk } from './batch-operation.js';
import { budgetOf, type RateBudget } from './budget.js';
import { coalesceInputs } from './coalesce.js';
import { freezeUnits, ResultCompactor, type Compactable } from './compact.js';
import type { RateLimitBudgetOptions } from './limiter.js';
import {
  CoreCategory,
  type BatchOutcome,
  type CampaignBatchError,
  type CampaignBatchOutcome,
  type CoalescedId,
} from './outcome.js';
import { runItems, type RunOptions } from './runner.js';
import {
  checkCreateInputs,
  checkIds,
  checkUpdateInputs,
  InvalidInputsError,
  type InputProblem,
  type UpdateInput,
} from './validate.js';

/**
 * What the core needs of a client: the typed `POST` of a client made by `createHubSpotClient`,
 * whose contract the runner relies on (a non-2xx rejects with `HubSpotApiError`; rate-limit
 * headers parsed once). A plain openapi-fetch client, which resolves non-2xx answers with
 * `error` instead, does not fit the type and is refused at run time.
 */
export type CampaignsClient = Pick<HubSpotClient, 'POST' | typeof HUBSPOT_CLIENT>;

export interface BulkOptions<R = unknown> extends Omit<RunOptions<R>, 'displayId'> {
  /**
   * The rate budget this call draws from. Pass the same one to every run that should share it
   * (every run on one token in a process: the gateway passes its one budget to every
   * operation). Default: a budget of the call's own, made from `rateLimit`.
   */
  budget?: RateBudget;
  /**
   * Settings of the budget the call makes for itself when it is given no `budget`. Refused
   * together with `budget`, on which it could not take effect.
   */
  rateLimit?: RateLimitBudgetOptions;
  /** `skip` (default): invalid inputs are reported and the rest proceeds. `reject`: throw InvalidInputsError, send nothing. */
  onInvalid?: 'skip' | 'reject';
}

/**
 * A 2xx answer of the HubSpot client as a SentChunk (non-2xx answers reject in the client). The
 * answer's type is the operation's own, from the generated `paths`: it must fit {@link BatchAnswer}.
 * HubSpot can still send anything: a missing body, `results` or `errors` counts as none.
 *
 * The one place where API versions' batch answers differ for the core: v3 names item errors in a
 * 207, date versions such as 2026-03 fold `errors` into their plain 200/201. Both are read here by
 * the answer's shape, whatever its status, so either is a partial success with its failed ids
 * isolated (the status is kept as HubSpot sent it, the `httpStatus` of those item errors).
 *
 * Callers name `R` (`toSentChunk<UpdatedCampaign>(…)`): inferred, it would come from the first
 * version's answer, and a version whose answer no longer fits would fail here with that version's
 * shape in the message instead of the one that changed.
 */
function toSentChunk<R>(answer: {
  data?: BatchAnswer<R> | undefined;
  response: Response;
}): SentChunk<R> {
  const { data, response } = answer;
  const roundTripMs = roundTripOf(response);
  return {
    status: response.status,
    results: data?.results ?? [],
    errors: data?.errors ?? [],
    ...(data?.requestedAt ? { requestedAt: data.requestedAt } : {}),
    ...(data?.startedAt ? { startedAt: data.startedAt } : {}),
    ...(data?.completedAt ? { completedAt: data.completedAt } : {}),
    ...(data?.links ? { links: data.links } : {}),
    rateLimit: rateLimitOf(response) ?? {},
    ...(roundTripMs !== undefined ? { roundTripMs } : {}),
  };
}

/**
 * Before anything is validated or sent: refuses a client that does not keep the contract and
 * options that could not take effect; returns the budget the call runs under.
 */
function prepare(
  client: CampaignsClient,
  options: Pick<BulkOptions, 'budget' | 'rateLimit'>,
): RateBudget {
  if (isHubSpotClient(client)) return budgetOf(options);
  throw new TypeError(
    '@campaigns/core needs a client made by createHubSpotClient from @campaigns/hubspot-client: ' +
      'it rejects non-2xx answers with HubSpotApiError and parses rate-limit headers once. ' +
      'A plain openapi-fetch client resolves errors instead of throwing, so failures would not ' +
      'be retried or isolated.',
  );
}

/**
 * Pairs HubSpot's results with the items by id. Given a compactor (the run keeps its results),
 * each result is held compactly: its id the caller's own string, repeated values one copy, and
 * with `sentOf`, each value the caller sent (and HubSpot echoed) the caller's own string. Either
 * way its `businessUnits` comes frozen (compact.ts).
 */
function byId<P, R extends { id: string } & Compactable>(
  compactor: ResultCompactor | undefined,
  sentOf?: (payload: P) => Readonly<Record<string, unknown>>,
) {
  return (items: ReadonlyArray<RunnerItem<P>>, results: R[]): Array<[string, R]> => {
    const byKey = new Map<string, RunnerItem<P>>();
    for (const item of items) byKey.set(item.key, item);
    const pairs: Array<[string, R]> = [];
    for (const result of results) {
      const item = byKey.get(result.id);
      if (item === undefined) continue;
      pairs.push([
        item.key,
        compactor
          ? compactor.compact(result, item.key, sentOf?.(item.payload))
          : freezeUnits(result),
      ]);
    }
    return letGo(results, pairs);
  };
}

/**
 * Empties HubSpot's results array once its results are paired. The answer it came in is still
 * reachable for a while from the promises of the request that fetched it (made when the request
 * left, and by now in V8's old generation under load), and through them every result would be
 * too: promoted, and held until the next full collection, even when the run keeps none.
 */
function letGo<T, U>(results: T[], pairs: U): U {
  results.length = 0;
  return pairs;
}

/** The compactor of a run that keeps its results (none for `keepResults: false`). */
function compactorFor(options: { keepResults?: boolean }): ResultCompactor | undefined {
  return options.keepResults === false ? undefined : new ResultCompactor();
}

function invalidErrors(
  problems: InputProblem[],
  rejectedIds: Map<string, number[]>,
): CampaignBatchError[] {
  if (problems.length === 0) return [];
  const byDisplayId = new Map<string, InputProblem[]>();
  for (const p of problems) {
    const list = byDisplayId.get(p.id);
    if (list) list.push(p);
    else byDisplayId.set(p.id, [p]);
  }
  const errors: CampaignBatchError[] = [];
  for (const [id, list] of byDisplayId) {
    const own = new Set(list.map((p) => p.index));
    const indices = [...new Set([...own, ...(rejectedIds.get(id) ?? [])])].sort((a, b) => a - b);
    const others = indices.filter((i) => !own.has(i));
    errors.push({
      status: 'error',
      category: CoreCategory.INVALID_INPUT,
      message:
        list
          .map((p) => `input ${p.index}${p.field ? ` ${p.field}` : ''}: ${p.message}`)
          .join('; ') +
        (others.length
          ? `; inputs ${others.join(', ')} have the same id and were not sent either`
          : ''),
      ids: [id],
      indices,
      errors: list.map((p) => ({
        message: p.message,
        in: p.field || 'input',
        context: { index: [String(p.index)] },
      })),
      context: { ids: [id], indices: indices.map(String) },
      links: {},
    });
  }
  return errors;
}

function withInvalid<R>(outcome: BatchOutcome<R>, invalid: CampaignBatchError[]): BatchOutcome<R> {
  if (invalid.length === 0) return outcome;
  return {
    ...outcome,
    errors: [...invalid, ...outcome.errors],
    numErrors: outcome.numErrors + invalid.length,
  };
}

/**
 * Updates any number of campaigns: validates, coalesces duplicate ids (later values win),
 * sends chunks of ≤50 under the client's shared rate budget, retries what is transient,
 * isolates bad items, and returns one outcome naming every input id once.
 */
export async function updateCampaigns(
  client: CampaignsClient,
  inputs: ReadonlyArray<UpdateInput>,
  options: BulkOptions<UpdatedCampaign> = {},
): Promise<CampaignBatchOutcome<UpdatedCampaign>> {
  const budget = prepare(client, options);
  const problems = checkUpdateInputs(inputs);
  if (problems.length > 0 && options.onInvalid === 'reject') throw new InvalidInputsError(problems);

  // An id with any invalid occurrence is not sent at all: half of someone's intent is worse than none.
  const rejectedIds = new Map<string, number[]>();
  let skip: ((index: number) => boolean) | undefined;
  if (problems.length > 0) {
    const badIds = new Set(problems.map((p) => p.id));
    const badIndices = new Set(problems.map((p) => p.index));
    for (let index = 0; index < inputs.length; index++) {
      if (badIndices.has(index)) continue;
      const id = inputs[index]!.id;
      if (!badIds.has(id)) continue;
      const list = rejectedIds.get(id);
      if (list) list.push(index);
      else rejectedIds.set(id, [index]);
    }
    skip = (index) => badIndices.has(index) || badIds.has(inputs[index]!.id);
  }
  const { updates, coalesced } = coalesceInputs(inputs, skip);

  const op: BatchOperation<UpdateInput, UpdatedCampaign> = {
    name: 'update',
    idempotent: true,
    send: async (payloads, signal) => {
      // A fresh { id, properties } per item, made as the chunk goes out: nothing else the
      // caller's object carries goes to HubSpot, and a run holds no copy of its input.
      const body: UpdateRequest = {
        inputs: payloads.map((p) => ({ id: p.id, properties: p.properties })),
      };
      return toSentChunk<UpdatedCampaign>(await client.POST('/batch/update', { body, signal }));
    },
    match: byId(compactorFor(options), (update) => update.properties),
  };
  // Keys as they are now: an id the caller changes during the run still books its own item.
  const keys = updates.map((u) => u.id);
  const outcome = await runItems(op, { keys, payloads: updates }, budget, options);
  return { ...withInvalid(outcome, invalidErrors(problems, rejectedIds)), coalesced };
}

export interface ReadOptions extends BulkOptions<ReadCampaign> {
  /** Properties to return; default: HubSpot's default set. */
  properties?: string[];
}

/** Reads any number of campaigns (duplicates read once); unknown ids are OBJECT_NOT_FOUND errors. */
export async function readCampaigns(
  client: CampaignsClient,
  ids: ReadonlyArray<string>,
  options: ReadOptions = {},
): Promise<CampaignBatchOutcome<ReadCampaign>> {
  const budget = prepare(client, options);
  const { unique, problems, coalesced } = prepareIds(ids, options);
  // Body and query typed as every version takes them: a field renamed in one version fails here.
  const query: EveryVersionQuery<{ properties: string[] }, ReadRequestQuery> | undefined = options
    .properties?.length
    ? { properties: options.properties }
    : undefined;
  const op: BatchOperation<string, ReadCampaign> = {
    name: 'read',
    idempotent: true,
    send: async (payloads, signal) => {
      const body: ReadRequest = { inputs: payloads.map((id) => ({ id })) };
      return toSentChunk<ReadCampaign>(
        await client.POST('/batch/read', {
          body,
          ...(query ? { params: { query } } : {}),
          signal,
        }),
      );
    },
    match: byId(compactorFor(options)),
  };
  const outcome = await runItems(op, { keys: unique, payloads: unique }, budget, options);
  return { ...withInvalid(outcome, invalidErrors(problems, new Map())), coalesced };
}

/** Archives (deletes) any number of campaigns. HubSpot answers 204 whether or not they existed. */
export async function archiveCampaigns(
  client: CampaignsClient,
  ids: ReadonlyArray<string>,
  options: BulkOptions<{ id: string }> = {},
): Promise<CampaignBatchOutcome<{ id: string }>> {
  const budget = prepare(client, options);
  const { unique, problems, coalesced } = prepareIds(ids, options);
  const op: BatchOperation<string, { id: string }> = {
    name: 'archive',
    idempotent: true,
    send: async (payloads, signal) => {
      // 204, no body: everything sent counts as archived.
      const body: ArchiveRequest = { inputs: payloads.map((id) => ({ id })) };
      const { response } = await client.POST('/batch/archive', { body, signal });
      return {
        ...toSentChunk<{ id: string }>({ response }),
        results: payloads.map((id) => ({ id })),
      };
    },
    match: byId(undefined),
  };
  const outcome = await runItems(op, { keys: unique, payloads: unique }, budget, options);
  return { ...withInvalid(outcome, invalidErrors(problems, new Map())), coalesced };
}

/** One campaign to create: an input of `/batch/create` as the spec types it. */
export type CreateInput = CreateRequest['inputs'][number];

/**
 * Creates any number of campaigns. HubSpot does not say which result belongs to which input, so
 * results are paired by their properties; the outcome's results follow input order.
 */
export async function createCampaigns(
  client: CampaignsClient,
  inputs: ReadonlyArray<CreateInput>,
  options: BulkOptions<CreatedCampaign> = {},
): Promise<BatchOutcome<CreatedCampaign>> {
  const budget = prepare(client, options);
  const problems = checkCreateInputs(inputs);
  if (problems.length > 0 && options.onInvalid === 'reject') throw new InvalidInputsError(problems);
  const bad = new Set(problems.map((p) => p.index));
  const keys: string[] = [];
  const payloads: CreateInput[] = [];
  for (let index = 0; index < inputs.length; index++)
    if (!bad.has(index)) {
      keys.push(`#${index}`);
      payloads.push({ properties: inputs[index]!.properties });
    }
  const op: BatchOperation<CreateInput, CreatedCampaign> = {
    name: 'create',
    idempotent: false,
    send: async (payloads, signal) => {
      const body: CreateRequest = { inputs: payloads };
      return toSentChunk<CreatedCampaign>(await client.POST('/batch/create', { body, signal }));
    },
    match: matchByProperties(compactorFor(options)),
  };
  const outcome = await runItems(op, { keys, payloads }, budget, options);
  return withInvalid(outcome, invalidErrors(problems, new Map()));
}

/** Pairs created campaigns with their inputs by properties (compacted as `byId` does). */
function matchByProperties(compactor: ResultCompactor | undefined) {
  return (
    items: ReadonlyArray<RunnerItem<CreateInput>>,
    results: CreatedCampaign[],
  ): Array<[string, CreatedCampaign]> => {
    const free = [...items];
    const pairs: Array<[string, CreatedCampaign]> = [];
    for (const result of results) {
      const i = free.findIndex((item) =>
        Object.entries(item.payload.properties).every(
          ([k, v]) =>
            v === '' || (Object.hasOwn(result.properties, k) && result.properties[k] === v),
        ),
      );
      const item = free.splice(i >= 0 ? i : 0, 1)[0];
      if (item) pairs.push([item.key, compactor ? compactor.compact(result) : freezeUnits(result)]);
    }
    return letGo(results, pairs);
  };
}

function prepareIds(ids: ReadonlyArray<string>, options: Pick<BulkOptions, 'onInvalid'>) {
  const problems = checkIds(ids);
  if (problems.length > 0 && options.onInvalid === 'reject') throw new InvalidInputsError(problems);
  const bad = problems.length > 0 ? new Set(problems.map((p) => p.index)) : undefined;
  // Each id once, in order of first occurrence: its first position, or all of them once repeated.
  const seen = new Map<string, number | number[]>();
  for (let index = 0; index < ids.length; index++) {
    if (bad?.has(index)) continue;
    const id = ids[index]!;
    const at = seen.get(id);
    if (at === undefined) seen.set(id, index);
    else if (typeof at === 'number') seen.set(id, [at, index]);
    else at.push(index);
  }
  const coalesced: CoalescedId[] = [];
  /** Each id once: the run's keys, and what it sends. */
  const unique: string[] = [];
  for (const [id, at] of seen) {
    unique.push(id);
    if (typeof at !== 'number') coalesced.push({ id, indices: at });
  }
  return { unique, problems, coalesced };
}
