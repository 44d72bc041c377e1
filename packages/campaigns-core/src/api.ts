// The request and answer types of the HubSpot operations the core calls, taken from the generated
// `paths` (openapi/ through tools/codegen) and nowhere else: renaming or retyping a field the core
// reads in the spec fails the core's typecheck here or where the field is read, instead of
// compiling against a shape of the core's own and failing at run time.
//
// Every API version with generated types counts (`PathsByVersion`): an answer type is the union
// of what each version answers (v3's 200 or 207, 2026-03's 200 with errors folded in), a request
// type what every version accepts. So the core compiles against each version's `paths`, and a
// client of any of them fits `CampaignsClient`.
import type { AnyVersionPaths, PathsByVersion, TypedApiVersion } from '@campaigns/hubspot-client';

type paths = AnyVersionPaths;

/** The JSON body an operation takes (for a union of operations, one body per member). */
type JsonRequest<Op> = Op extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : never;

/** A value of every member of `U` at once: a request body every version accepts. */
type Every<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;

/** The 2xx statuses whose bodies are `data` of a resolved call (openapi-fetch's success). */
type SuccessStatus = 200 | 201 | 202 | 203 | 206 | 207;

/** The JSON bodies of an operation's 2xx answers, one member per status the spec declares. */
type JsonAnswer<Op> = Op extends { responses: infer Responses }
  ? {
      [S in keyof Responses]: S extends SuccessStatus
        ? Responses[S] extends { content: { 'application/json': infer J } }
          ? J
          : never
        : never;
    }[keyof Responses]
  : never;

/** The `POST` of a batch route, in every typed version (or in the `paths` given). */
type BatchPost<P extends keyof paths, Paths extends paths = paths> = Paths[P]['post'];

export type UpdateRequest = Every<JsonRequest<BatchPost<'/batch/update'>>>;
export type ReadRequest = Every<JsonRequest<BatchPost<'/batch/read'>>>;
export type CreateRequest = Every<JsonRequest<BatchPost<'/batch/create'>>>;
export type ArchiveRequest = Every<JsonRequest<BatchPost<'/batch/archive'>>>;

/** The query parameters an operation declares (for a union of operations, one set per member). */
type QueryOf<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/**
 * The query parameters every version of an operation declares, each typed as every version takes
 * it. Query parameters are optional, so an intersection alone would still take one renamed in a
 * single version: only the names all versions share are kept (`keyof` a union), and a query is
 * typed by {@link EveryVersionQuery}, which refuses any other name.
 */
type SharedQuery<Op> = Pick<Every<QueryOf<Op>>, keyof QueryOf<Op> & keyof Every<QueryOf<Op>>>;

/** The query of `/batch/read` that every version takes. */
export type ReadRequestQuery = SharedQuery<BatchPost<'/batch/read'>>;
/** The query of the list (`GET /`) that every version takes. */
export type ListRequestQuery = SharedQuery<paths['/']['get']>;

/**
 * `Q` where it fits `Shared` (one of the `…RequestQuery` types): a query to type a sent value by,
 * `const sent: EveryVersionQuery<typeof query, ListRequestQuery> = query`. A parameter of `Q` that
 * some version does not declare (renamed there) is typed `never`, so the assignment fails naming it.
 */
export type EveryVersionQuery<Q, Shared> = Q &
  Shared & { [K in Exclude<keyof Q, keyof Shared>]: never };

/** What `/batch/update` answers (200, or 207 naming errors; or 200 with errors folded in). */
export type UpdateAnswer = JsonAnswer<BatchPost<'/batch/update'>>;
/** What `/batch/read` answers (200, or 207 naming errors; or 200 with errors folded in). */
export type ReadAnswer = JsonAnswer<BatchPost<'/batch/read'>>;
/** What `/batch/create` answers (201, or 207 naming errors; or 201 with errors folded in). */
export type CreateAnswer = JsonAnswer<BatchPost<'/batch/create'>>;
/** What the list (`GET /`) answers. */
export type ListAnswer = JsonAnswer<paths['/']['get']>;

/** One result of an answer: the element of its `results`, on every answer it can be. */
export type ResultOf<A extends { results: ReadonlyArray<unknown> }> = A['results'][number];

/** A list the core freezes (and shares between a run's results): read-only, its objects too. */
type Frozen<T> = T extends ReadonlyArray<infer E> ? ReadonlyArray<Readonly<E>> : T;

/**
 * A campaign as a run hands it over: HubSpot's, with `businessUnits` frozen, its objects too
 * (equal lists are one list shared by the run's results, see compact.ts); the rest of a result
 * is its own.
 */
type KeptCampaign<C> = C extends unknown
  ? { [K in keyof C]: K extends 'businessUnits' ? Frozen<C[K]> : C[K] }
  : never;

/** A campaign as `/batch/update` returns it (`businessUnits` read-only: shared and frozen). */
export type UpdatedCampaign = KeptCampaign<ResultOf<UpdateAnswer>>;
/** A campaign as `/batch/read` returns it, with its assets (`businessUnits` as in an update). */
export type ReadCampaign = KeptCampaign<ResultOf<ReadAnswer>>;
/** A campaign as `/batch/create` returns it (`businessUnits` as in an update). */
export type CreatedCampaign = KeptCampaign<ResultOf<CreateAnswer>>;
/** A campaign as the list returns it. */
export type ListedCampaign = ResultOf<ListAnswer>;

/** Every field of `A`'s members named `K` (never when no member has one). */
type FieldOf<A, K extends PropertyKey> = A extends unknown
  ? K extends keyof A
    ? A[K]
    : never
  : never;

/** `true` when some member of `A` has a field `K`, else a type naming the missing field. */
type Carries<A, K extends PropertyKey> = [FieldOf<A, K>] extends [never]
  ? { 'no answer of the operation has the field': K }
  : true;
type Assert<T extends true> = T;

// `errors` is optional on every answer, so a spec that renamed it would still fit BatchAnswer and
// the errors would be lost at run time (each failed id MISSING_FROM_RESPONSE): refuse that here,
// for each version on its own (v3 in its 207, 2026-03 folded into its 200).
type CarriesErrors<V extends TypedApiVersion> =
  | Carries<JsonAnswer<BatchPost<'/batch/update', PathsByVersion[V]>>, 'errors'>
  | Carries<JsonAnswer<BatchPost<'/batch/read', PathsByVersion[V]>>, 'errors'>
  | Carries<JsonAnswer<BatchPost<'/batch/create', PathsByVersion[V]>>, 'errors'>;
type _AnswersCarryErrors = Assert<{ [V in TypedApiVersion]: CarriesErrors<V> }[TypedApiVersion]>;

/**
 * One item error of a batch answer, as the spec types it on the answers that carry errors (the
 * 207, or a plain answer with errors folded in).
 */
export type BatchItemError = NonNullable<FieldOf<UpdateAnswer, 'errors'>>[number];
/** One detail of an item error. */
export type BatchErrorDetail = BatchItemError['errors'][number];

/**
 * What the core reads of a batch answer: `results` on every answer, `errors` on the ones that
 * carry them, the timestamps and links where given. Each operation's answer type must fit it.
 */
export interface BatchAnswer<R> {
  results: R[];
  errors?: BatchItemError[];
  requestedAt?: string;
  startedAt?: string;
  completedAt?: string;
  links?: Record<string, string>;
}
