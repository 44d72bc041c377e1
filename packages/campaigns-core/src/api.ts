// The request and answer types of the HubSpot operations the core calls, taken from the generated
// `paths` (openapi/ through tools/codegen) and nowhere else: renaming or retyping a field the core
// reads in the spec fails the core's typecheck here or where the field is read, instead of
// compiling against a shape of the core's own and failing at run time.
import type { paths } from '@campaigns/hubspot-client';

/** The JSON body an operation takes. */
type JsonRequest<Op> = Op extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
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

type BatchPost<P extends keyof paths> = paths[P]['post'];

export type UpdateRequest = JsonRequest<BatchPost<'/batch/update'>>;
export type ReadRequest = JsonRequest<BatchPost<'/batch/read'>>;
export type CreateRequest = JsonRequest<BatchPost<'/batch/create'>>;
export type ArchiveRequest = JsonRequest<BatchPost<'/batch/archive'>>;

/** What `/batch/update` answers (200, or 207 naming errors). */
export type UpdateAnswer = JsonAnswer<BatchPost<'/batch/update'>>;
/** What `/batch/read` answers (200, or 207 naming errors). */
export type ReadAnswer = JsonAnswer<BatchPost<'/batch/read'>>;
/** What `/batch/create` answers (201, or 207 naming errors). */
export type CreateAnswer = JsonAnswer<BatchPost<'/batch/create'>>;
/** What the list (`GET /`) answers. */
export type ListAnswer = JsonAnswer<paths['/']['get']>;

/** One result of an answer: the element of its `results`, on every answer it can be. */
export type ResultOf<A extends { results: ReadonlyArray<unknown> }> = A['results'][number];

/** A campaign as `/batch/update` returns it. */
export type UpdatedCampaign = ResultOf<UpdateAnswer>;
/** A campaign as `/batch/read` returns it (with its assets). */
export type ReadCampaign = ResultOf<ReadAnswer>;
/** A campaign as `/batch/create` returns it. */
export type CreatedCampaign = ResultOf<CreateAnswer>;
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
// the errors would be lost at run time (each failed id MISSING_FROM_RESPONSE): refuse that here.
type _AnswersCarryErrors = [
  Assert<Carries<UpdateAnswer, 'errors'>>,
  Assert<Carries<ReadAnswer, 'errors'>>,
  Assert<Carries<CreateAnswer, 'errors'>>,
];

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
