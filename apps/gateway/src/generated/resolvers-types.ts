import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type {
  CampaignModel,
  UpdateCampaignsPayloadModel,
  CampaignsPayloadModel,
  CampaignBatchErrorModel,
  ErrorDetailModel,
  BusinessUnitModel,
  CampaignPropertyModel,
  CoalescedIdModel,
  CampaignUpdateJobModel,
  CampaignConnectionModel,
  CampaignBatchErrorPageModel,
  CampaignEdgeModel,
} from '../models.js';
import type { GatewayContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string };
  String: { input: string; output: string };
  Boolean: { input: boolean; output: boolean };
  Int: { input: number; output: number };
  Float: { input: number; output: number };
  /** An ISO 8601 date-time, e.g. `2026-03-01T12:00:00.000Z`. */
  DateTime: { input: string; output: string };
  /** Any JSON value (object, array, string, number, boolean or null). */
  JSON: { input: unknown; output: unknown };
};

export type BatchStatus = 'CANCELED' | 'COMPLETE' | 'PENDING' | 'PROCESSING';

export type BusinessUnit = {
  __typename?: 'BusinessUnit';
  /** An int64 upstream, carried as a decimal string: ids above 2^31 do not fit GraphQL's Int. */
  id: Scalars['ID']['output'];
};

export type Campaign = {
  __typename?: 'Campaign';
  businessUnits: Array<BusinessUnit>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** Every property HubSpot returned, sorted by name. */
  properties: Array<CampaignProperty>;
  /** The value of one property, or null when HubSpot did not return it. */
  property?: Maybe<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};

export type CampaignPropertyArgs = {
  name: Scalars['String']['input'];
};

/** A failure shared by one or more campaigns (HubSpot's StandardError, widened to the whole run). */
export type CampaignBatchError = {
  __typename?: 'CampaignBatchError';
  /** HubSpot's category (`OBJECT_NOT_FOUND`, `VALIDATION_ERROR`, ...) or the engine's (`RETRIES_EXHAUSTED`, `CANCELED`, ...). */
  category: Scalars['String']['output'];
  context?: Maybe<Scalars['JSON']['output']>;
  /** HubSpot's correlation id, for HubSpot support. */
  correlationId?: Maybe<Scalars['String']['output']>;
  details: Array<ErrorDetail>;
  /** HTTP status of HubSpot's answer, when there was one. */
  httpStatus?: Maybe<Scalars['Int']['output']>;
  /** The campaign ids this error covers, in input order. Never empty. */
  ids: Array<Scalars['ID']['output']>;
  links?: Maybe<Scalars['JSON']['output']>;
  message: Scalars['String']['output'];
  status: Scalars['String']['output'];
  subCategory?: Maybe<Scalars['String']['output']>;
};

/** A page of a job's error groups. */
export type CampaignBatchErrorPage = {
  __typename?: 'CampaignBatchErrorPage';
  groups: Array<CampaignBatchError>;
  pageInfo: PageInfo;
  /** Groups the job has in all. */
  totalCount: Scalars['Int']['output'];
};

/** A page of campaigns (Relay's connection shape). */
export type CampaignConnection = {
  __typename?: 'CampaignConnection';
  edges: Array<CampaignEdge>;
  pageInfo: PageInfo;
  /** How many campaigns match in all (HubSpot's `total`), for `campaignList`; null for a job's results. */
  totalCount?: Maybe<Scalars['Int']['output']>;
};

export type CampaignEdge = {
  __typename?: 'CampaignEdge';
  /**
   * Pass as `after` to read the campaigns after this one. In `campaignList`, HubSpot's cursors mark
   * pages, not campaigns: every edge carries its page's `endCursor` (empty on the last page).
   */
  cursor: Scalars['String']['output'];
  node: Campaign;
};

export type CampaignProperty = {
  __typename?: 'CampaignProperty';
  name: Scalars['String']['output'];
  value?: Maybe<Scalars['String']['output']>;
};

/** One property to set. An empty `value` (`""`) resets the property. */
export type CampaignPropertyInput = {
  /** HubSpot's internal property name, e.g. `hs_name`, `hs_notes`, `hs_start_date`. */
  name: Scalars['String']['input'];
  value: Scalars['String']['input'];
};

/** The order of `campaignList`. */
export type CampaignSort =
  /** Oldest first. */
  | 'CREATED_AT'
  | 'CREATED_AT_DESC'
  /** By `hs_name`, A to Z. */
  | 'NAME'
  | 'NAME_DESC'
  /** Least recently updated first. */
  | 'UPDATED_AT'
  | 'UPDATED_AT_DESC';

export type CampaignUpdateInput = {
  /** The campaign's id (a UUID, HubSpot's `campaignGuid`). */
  id: Scalars['ID']['input'];
  properties: Array<CampaignPropertyInput>;
};

/**
 * A bulk update running in the background (`startCampaignUpdate`). Readable by its owner (and
 * callers with the admin scope) until JOB_RETENTION after it ended.
 */
export type CampaignUpdateJob = {
  __typename?: 'CampaignUpdateJob';
  /** Ids given more than once: their properties were merged into one update, later values winning. */
  coalesced: Array<CoalescedId>;
  completedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Ids with a final answer so far (`succeeded + failed`); equals `total` once the job ended. */
  done: Scalars['Int']['output'];
  /** How many error groups the job has (now: a running job's can grow). More than `errors` lists: page them with `errorGroups`. */
  errorCount: Scalars['Int']['output'];
  /**
   * The error groups page by page, `first` (1 to 1000, default 100) after the cursor `after` (a
   * page's `endCursor`). A running job's groups can change between pages: page them once it ended.
   */
  errorGroups: CampaignBatchErrorPage;
  /**
   * The first 1000 error groups: every failed id is named by exactly one error (equal errors share
   * one entry, ids in input order). When `errorCount` is larger, the rest are read with
   * `errorGroups`. Empty, and cheap, while no id failed; a running job's groups are computed on each
   * read (an ended job's were stored when it ended).
   */
  errors: Array<CampaignBatchError>;
  failed: Scalars['Int']['output'];
  /** Unguessable (128 random bits). */
  id: Scalars['ID']['output'];
  requestedAt: Scalars['DateTime']['output'];
  /**
   * The updated campaigns, in input order, `first` (1 to 1000, default 100) after the cursor
   * `after`. A page may end early (fewer items, even none, with `hasNextPage` true) where a long
   * stretch of ids failed: keep paging with `endCursor`.
   */
  results: CampaignConnection;
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  /** `PENDING` → `PROCESSING` → `COMPLETE` | `CANCELED`. */
  status: BatchStatus;
  /** Why a `CANCELED` job stopped: `ABORTED` (a caller canceled it), `AUTH`, `DAILY_LIMIT`. */
  stopReason?: Maybe<StopReason>;
  succeeded: Scalars['Int']['output'];
  /** Distinct campaign ids (ids given twice count once, see `coalesced`). */
  total: Scalars['Int']['output'];
};

/**
 * A bulk update running in the background (`startCampaignUpdate`). Readable by its owner (and
 * callers with the admin scope) until JOB_RETENTION after it ended.
 */
export type CampaignUpdateJobErrorGroupsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/**
 * A bulk update running in the background (`startCampaignUpdate`). Readable by its owner (and
 * callers with the admin scope) until JOB_RETENTION after it ended.
 */
export type CampaignUpdateJobResultsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type CampaignsPayload = {
  __typename?: 'CampaignsPayload';
  completedAt: Scalars['DateTime']['output'];
  errors: Array<CampaignBatchError>;
  links?: Maybe<Scalars['JSON']['output']>;
  numErrors: Scalars['Int']['output'];
  requestedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The campaigns found, in the order of `ids` (duplicates once). */
  results: Array<Campaign>;
  startedAt: Scalars['DateTime']['output'];
  status: BatchStatus;
  stopReason?: Maybe<StopReason>;
};

export type CoalescedId = {
  __typename?: 'CoalescedId';
  id: Scalars['ID']['output'];
  /** Positions of every occurrence in `inputs`. */
  indices: Array<Scalars['Int']['output']>;
};

export type ErrorDetail = {
  __typename?: 'ErrorDetail';
  code?: Maybe<Scalars['String']['output']>;
  context?: Maybe<Scalars['JSON']['output']>;
  in?: Maybe<Scalars['String']['output']>;
  message: Scalars['String']['output'];
  subCategory?: Maybe<Scalars['String']['output']>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Cancels a job: a `PENDING` one ends at once, a `PROCESSING` one within about a second (what was
   * in flight is answered `CANCELED_IN_FLIGHT`, the rest `CANCELED`); answers with the job once it
   * ended. A job that already ended is answered as it is. Another caller's job: `NOT_FOUND`.
   * Requires the write scope.
   */
  cancelCampaignUpdate: CampaignUpdateJob;
  /**
   * Queues any number of updates (up to MAX_CAMPAIGNS_PER_JOB) as a job and answers at once with
   * it, `PENDING`; follow it with `campaignUpdateJob` or the `campaignUpdateJobProgress`
   * subscription. Input is validated exactly as `updateCampaigns` validates it: invalid input
   * refuses the whole job with `BAD_USER_INPUT` and queues nothing. Past MAX_QUEUED_JOBS_PER_CALLER
   * jobs pending or running: `JOB_LIMIT_EXCEEDED`. Requires the write scope. Its body may be up to
   * MAX_JOB_BODY_BYTES (larger than MAX_BODY_BYTES) when it declares its `Content-Length`.
   */
  startCampaignUpdate: CampaignUpdateJob;
  /**
   * Updates any number of campaigns (up to the gateway's MAX_CAMPAIGNS_PER_MUTATION). Invalid
   * input refuses the whole mutation with `BAD_USER_INPUT` and sends nothing to HubSpot. Failures
   * of individual campaigns at HubSpot are `errors` entries of the payload, not GraphQL errors.
   * Requires the write scope (`campaigns:write` by default).
   */
  updateCampaigns: UpdateCampaignsPayload;
};

export type MutationCancelCampaignUpdateArgs = {
  id: Scalars['ID']['input'];
};

export type MutationStartCampaignUpdateArgs = {
  inputs: Array<CampaignUpdateInput>;
};

export type MutationUpdateCampaignsArgs = {
  inputs: Array<CampaignUpdateInput>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  /** The cursor to pass as `after` for the next page (null when the page is empty and nothing was read). */
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /**
   * One page of the account's campaigns (HubSpot's list), for choosing campaigns to update: `first`
   * (1 to 100, HubSpot's largest page; default 50) after the cursor `after` (a page's `endCursor`,
   * passed to HubSpot as it is), only those whose name contains `name` (case-insensitive), in `sort`
   * order (default `NAME`). Through the same rate budget as the mutations. Requires the read scope.
   */
  campaignList: CampaignConnection;
  /**
   * A job started by `startCampaignUpdate`, or null when there is none for this caller: it never
   * existed, its results expired (JOB_RETENTION), or another caller started it (only its owner and
   * callers with the admin scope see a job). Requires the write scope.
   */
  campaignUpdateJob?: Maybe<CampaignUpdateJob>;
  /**
   * Reads campaigns by id through the same engine as the mutation (chunks of ≤50, shared rate
   * budget, retries). Unknown ids are `errors` entries (`OBJECT_NOT_FOUND`), not GraphQL errors.
   * Requires the read scope (`campaigns:read` by default).
   */
  campaigns: CampaignsPayload;
};

export type QueryCampaignListArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  properties?: InputMaybe<Array<Scalars['String']['input']>>;
  sort?: InputMaybe<CampaignSort>;
};

export type QueryCampaignUpdateJobArgs = {
  id: Scalars['ID']['input'];
};

export type QueryCampaignsArgs = {
  ids: Array<Scalars['ID']['input']>;
  properties?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** Why a run stopped before every campaign was tried. */
export type StopReason =
  /** The gateway canceled the run (shutdown grace period over), or a caller canceled the job. */
  | 'ABORTED'
  /** HubSpot refused the gateway's credentials (401/403). */
  | 'AUTH'
  /** HubSpot's daily request limit is used up. */
  | 'DAILY_LIMIT'
  /** The run outlasted MUTATION_DEADLINE_MS. */
  | 'DEADLINE';

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * The job now, then after every checkpoint (a chunk of ≤50 ids stored) and status change; ends
   * after the job ended. Served on the event stream endpoint (graphql-sse), never over plain
   * POST/GET. Another caller's job: `NOT_FOUND`. Requires the write scope.
   */
  campaignUpdateJobProgress: CampaignUpdateJob;
};

export type SubscriptionCampaignUpdateJobProgressArgs = {
  id: Scalars['ID']['input'];
};

export type UpdateCampaignsPayload = {
  __typename?: 'UpdateCampaignsPayload';
  /** Ids given more than once: their properties were merged into one update, later values winning. */
  coalesced: Array<CoalescedId>;
  completedAt: Scalars['DateTime']['output'];
  /** Every failed id is named by exactly one error. */
  errors: Array<CampaignBatchError>;
  links?: Maybe<Scalars['JSON']['output']>;
  /** Number of failed ids. */
  numErrors: Scalars['Int']['output'];
  requestedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The updated campaigns as HubSpot returned them, in input order. */
  results: Array<Campaign>;
  startedAt: Scalars['DateTime']['output'];
  /** `COMPLETE` when every campaign was tried; `CANCELED` when the run stopped early (see `stopReason`). */
  status: BatchStatus;
  stopReason?: Maybe<StopReason>;
};

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<
  TResult,
  TParent = Record<PropertyKey, never>,
  TContext = Record<PropertyKey, never>,
  TArgs = Record<PropertyKey, never>,
> =
  | ResolverFn<TResult, TParent, TContext, TArgs>
  | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo,
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo,
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo,
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<
  TResult,
  TKey extends string,
  TParent,
  TContext,
  TArgs,
> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<
  TResult,
  TKey extends string,
  TParent = Record<PropertyKey, never>,
  TContext = Record<PropertyKey, never>,
  TArgs = Record<PropertyKey, never>,
> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<
  TTypes,
  TParent = Record<PropertyKey, never>,
  TContext = Record<PropertyKey, never>,
> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo,
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<
  T = Record<PropertyKey, never>,
  TContext = Record<PropertyKey, never>,
> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<
  TResult = Record<PropertyKey, never>,
  TParent = Record<PropertyKey, never>,
  TContext = Record<PropertyKey, never>,
  TArgs = Record<PropertyKey, never>,
> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo,
) => TResult | Promise<TResult>;

/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  BatchStatus: BatchStatus;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  BusinessUnit: ResolverTypeWrapper<BusinessUnitModel>;
  Campaign: ResolverTypeWrapper<CampaignModel>;
  CampaignBatchError: ResolverTypeWrapper<CampaignBatchErrorModel>;
  CampaignBatchErrorPage: ResolverTypeWrapper<CampaignBatchErrorPageModel>;
  CampaignConnection: ResolverTypeWrapper<CampaignConnectionModel>;
  CampaignEdge: ResolverTypeWrapper<CampaignEdgeModel>;
  CampaignProperty: ResolverTypeWrapper<CampaignPropertyModel>;
  CampaignPropertyInput: CampaignPropertyInput;
  CampaignSort: CampaignSort;
  CampaignUpdateInput: CampaignUpdateInput;
  CampaignUpdateJob: ResolverTypeWrapper<CampaignUpdateJobModel>;
  CampaignsPayload: ResolverTypeWrapper<CampaignsPayloadModel>;
  CoalescedId: ResolverTypeWrapper<CoalescedIdModel>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  ErrorDetail: ResolverTypeWrapper<ErrorDetailModel>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  StopReason: StopReason;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateCampaignsPayload: ResolverTypeWrapper<UpdateCampaignsPayloadModel>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Boolean: Scalars['Boolean']['output'];
  BusinessUnit: BusinessUnitModel;
  Campaign: CampaignModel;
  CampaignBatchError: CampaignBatchErrorModel;
  CampaignBatchErrorPage: CampaignBatchErrorPageModel;
  CampaignConnection: CampaignConnectionModel;
  CampaignEdge: CampaignEdgeModel;
  CampaignProperty: CampaignPropertyModel;
  CampaignPropertyInput: CampaignPropertyInput;
  CampaignUpdateInput: CampaignUpdateInput;
  CampaignUpdateJob: CampaignUpdateJobModel;
  CampaignsPayload: CampaignsPayloadModel;
  CoalescedId: CoalescedIdModel;
  DateTime: Scalars['DateTime']['output'];
  ErrorDetail: ErrorDetailModel;
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
  Subscription: Record<PropertyKey, never>;
  UpdateCampaignsPayload: UpdateCampaignsPayloadModel;
};

export type BusinessUnitResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['BusinessUnit'] = ResolversParentTypes['BusinessUnit'],
> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type CampaignResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['Campaign'] = ResolversParentTypes['Campaign'],
> = {
  businessUnits?: Resolver<Array<ResolversTypes['BusinessUnit']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  properties?: Resolver<Array<ResolversTypes['CampaignProperty']>, ParentType, ContextType>;
  property?: Resolver<
    Maybe<ResolversTypes['String']>,
    ParentType,
    ContextType,
    RequireFields<CampaignPropertyArgs, 'name'>
  >;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type CampaignBatchErrorResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['CampaignBatchError'] =
    ResolversParentTypes['CampaignBatchError'],
> = {
  category?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  context?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  correlationId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  details?: Resolver<Array<ResolversTypes['ErrorDetail']>, ParentType, ContextType>;
  httpStatus?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  ids?: Resolver<Array<ResolversTypes['ID']>, ParentType, ContextType>;
  links?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subCategory?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type CampaignBatchErrorPageResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['CampaignBatchErrorPage'] =
    ResolversParentTypes['CampaignBatchErrorPage'],
> = {
  groups?: Resolver<Array<ResolversTypes['CampaignBatchError']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type CampaignConnectionResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['CampaignConnection'] =
    ResolversParentTypes['CampaignConnection'],
> = {
  edges?: Resolver<Array<ResolversTypes['CampaignEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type CampaignEdgeResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['CampaignEdge'] = ResolversParentTypes['CampaignEdge'],
> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Campaign'], ParentType, ContextType>;
};

export type CampaignPropertyResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['CampaignProperty'] =
    ResolversParentTypes['CampaignProperty'],
> = {
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  value?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type CampaignUpdateJobResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['CampaignUpdateJob'] =
    ResolversParentTypes['CampaignUpdateJob'],
> = {
  coalesced?: Resolver<Array<ResolversTypes['CoalescedId']>, ParentType, ContextType>;
  completedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  done?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errorCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errorGroups?: Resolver<
    ResolversTypes['CampaignBatchErrorPage'],
    ParentType,
    ContextType,
    Partial<CampaignUpdateJobErrorGroupsArgs>
  >;
  errors?: Resolver<Array<ResolversTypes['CampaignBatchError']>, ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  requestedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  results?: Resolver<
    ResolversTypes['CampaignConnection'],
    ParentType,
    ContextType,
    Partial<CampaignUpdateJobResultsArgs>
  >;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['BatchStatus'], ParentType, ContextType>;
  stopReason?: Resolver<Maybe<ResolversTypes['StopReason']>, ParentType, ContextType>;
  succeeded?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type CampaignsPayloadResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['CampaignsPayload'] =
    ResolversParentTypes['CampaignsPayload'],
> = {
  completedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  errors?: Resolver<Array<ResolversTypes['CampaignBatchError']>, ParentType, ContextType>;
  links?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  numErrors?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  requestedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  results?: Resolver<Array<ResolversTypes['Campaign']>, ParentType, ContextType>;
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['BatchStatus'], ParentType, ContextType>;
  stopReason?: Resolver<Maybe<ResolversTypes['StopReason']>, ParentType, ContextType>;
};

export type CoalescedIdResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['CoalescedId'] = ResolversParentTypes['CoalescedId'],
> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  indices?: Resolver<Array<ResolversTypes['Int']>, ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<
  ResolversTypes['DateTime'],
  any
> {
  name: 'DateTime';
}

export type ErrorDetailResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['ErrorDetail'] = ResolversParentTypes['ErrorDetail'],
> = {
  code?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  context?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  in?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subCategory?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation'],
> = {
  cancelCampaignUpdate?: Resolver<
    ResolversTypes['CampaignUpdateJob'],
    ParentType,
    ContextType,
    RequireFields<MutationCancelCampaignUpdateArgs, 'id'>
  >;
  startCampaignUpdate?: Resolver<
    ResolversTypes['CampaignUpdateJob'],
    ParentType,
    ContextType,
    RequireFields<MutationStartCampaignUpdateArgs, 'inputs'>
  >;
  updateCampaigns?: Resolver<
    ResolversTypes['UpdateCampaignsPayload'],
    ParentType,
    ContextType,
    RequireFields<MutationUpdateCampaignsArgs, 'inputs'>
  >;
};

export type PageInfoResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo'],
> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query'],
> = {
  campaignList?: Resolver<
    ResolversTypes['CampaignConnection'],
    ParentType,
    ContextType,
    Partial<QueryCampaignListArgs>
  >;
  campaignUpdateJob?: Resolver<
    Maybe<ResolversTypes['CampaignUpdateJob']>,
    ParentType,
    ContextType,
    RequireFields<QueryCampaignUpdateJobArgs, 'id'>
  >;
  campaigns?: Resolver<
    ResolversTypes['CampaignsPayload'],
    ParentType,
    ContextType,
    RequireFields<QueryCampaignsArgs, 'ids'>
  >;
};

export type SubscriptionResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription'],
> = {
  campaignUpdateJobProgress?: SubscriptionResolver<
    ResolversTypes['CampaignUpdateJob'],
    'campaignUpdateJobProgress',
    ParentType,
    ContextType,
    RequireFields<SubscriptionCampaignUpdateJobProgressArgs, 'id'>
  >;
};

export type UpdateCampaignsPayloadResolvers<
  ContextType = GatewayContext,
  ParentType extends ResolversParentTypes['UpdateCampaignsPayload'] =
    ResolversParentTypes['UpdateCampaignsPayload'],
> = {
  coalesced?: Resolver<Array<ResolversTypes['CoalescedId']>, ParentType, ContextType>;
  completedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  errors?: Resolver<Array<ResolversTypes['CampaignBatchError']>, ParentType, ContextType>;
  links?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  numErrors?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  requestedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  results?: Resolver<Array<ResolversTypes['Campaign']>, ParentType, ContextType>;
  startedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['BatchStatus'], ParentType, ContextType>;
  stopReason?: Resolver<Maybe<ResolversTypes['StopReason']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = GatewayContext> = {
  BusinessUnit?: BusinessUnitResolvers<ContextType>;
  Campaign?: CampaignResolvers<ContextType>;
  CampaignBatchError?: CampaignBatchErrorResolvers<ContextType>;
  CampaignBatchErrorPage?: CampaignBatchErrorPageResolvers<ContextType>;
  CampaignConnection?: CampaignConnectionResolvers<ContextType>;
  CampaignEdge?: CampaignEdgeResolvers<ContextType>;
  CampaignProperty?: CampaignPropertyResolvers<ContextType>;
  CampaignUpdateJob?: CampaignUpdateJobResolvers<ContextType>;
  CampaignsPayload?: CampaignsPayloadResolvers<ContextType>;
  CoalescedId?: CoalescedIdResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  ErrorDetail?: ErrorDetailResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  UpdateCampaignsPayload?: UpdateCampaignsPayloadResolvers<ContextType>;
};
