// The simulator's settings as zod schemas, validated when it starts and whenever faults, latency
// or a script change while it runs (from code or `/__sim/*`): a typo in a test's options fails
// loudly with the setting's name instead of quietly running a different simulation. The types
// are derived from the schemas.
import { z } from 'zod';
import { isApiVersion } from '@campaigns/hubspot-client/version';
import { DEFAULT_TOKENS } from './auth.js';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './rate-limit.js';

/** A setting that cannot be honoured; the message names every offending setting. */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
}

export const DEFAULT_SEED = 1;
export const DEFAULT_CAMPAIGN_COUNT = 200;
export const DEFAULT_HOST = '127.0.0.1';

const integer = (message: string) => z.number({ error: message }).int({ error: message });
const nonNegativeInteger = (message = 'must be a non-negative integer') =>
  integer(message).min(0, { error: message });
const rate = () => {
  const message = 'must be a number from 0 to 1';
  return z.number({ error: message }).min(0, { error: message }).max(1, { error: message });
};
const errorStatus = () => {
  const message = 'must be a status from 400 to 599';
  return integer(message).min(400, { error: message }).max(599, { error: message });
};

export const simFaultsSchema = z
  .strictObject({
    /** Share of API calls (0–1) answered with one of `errorStatuses`. */
    errorRate: rate().optional(),
    /** Statuses for `errorRate`, picked at random. Default 500, 502, 503, 504. */
    errorStatuses: z
      .array(errorStatus(), { error: 'must be a non-empty list of statuses from 400 to 599' })
      .min(1, { error: 'must be a non-empty list of statuses from 400 to 599' })
      .optional(),
    /** Share of API calls (0–1) that hang: no answer, then the connection drops. */
    hangRate: rate().optional(),
    /** How long a hang lasts. Default: until the client gives up or the sim closes. */
    hangMs: nonNegativeInteger().optional(),
    /** Share of API calls (0–1) whose connection is dropped without an answer. */
    dropRate: rate().optional(),
  })
  .refine((f) => (f.errorRate ?? 0) + (f.hangRate ?? 0) + (f.dropRate ?? 0) <= 1, {
    error: 'errorRate + hangRate + dropRate must not exceed 1',
    // Only once each rate is valid: a rate of 1.5 is reported as itself, not as a sum.
    when: (payload) => payload.issues.length === 0,
  });

export type SimFaults = z.input<typeof simFaultsSchema>;

export type SimLatency = { fixedMs: number } | { minMs: number; maxMs: number };

/** `{ fixedMs }`, `{ minMs, maxMs }` (both), or `{}` / nothing for none; `fixedMs` wins. */
export const simLatencySchema = z
  .strictObject({
    fixedMs: nonNegativeInteger().optional(),
    minMs: nonNegativeInteger().optional(),
    maxMs: nonNegativeInteger().optional(),
  })
  .nullish()
  .check((ctx) => {
    const latency = ctx.value;
    if (!latency || latency.fixedMs !== undefined) return;
    const { minMs, maxMs } = latency;
    if (minMs === undefined && maxMs === undefined) return;
    for (const [name, value] of [
      ['minMs', minMs],
      ['maxMs', maxMs],
    ] as const) {
      if (value === undefined)
        ctx.issues.push({
          code: 'custom',
          message: 'must be a non-negative integer',
          path: [name],
          input: value,
        });
    }
    if (minMs !== undefined && maxMs !== undefined && minMs > maxMs)
      ctx.issues.push({
        code: 'custom',
        message: 'must not exceed latency.maxMs',
        path: ['minMs'],
        input: minMs,
      });
  })
  .transform((latency): SimLatency | undefined => {
    if (!latency) return undefined;
    if (latency.fixedMs !== undefined) return { fixedMs: latency.fixedMs };
    if (latency.minMs !== undefined && latency.maxMs !== undefined)
      return { minMs: latency.minMs, maxMs: latency.maxMs };
    return undefined;
  });

const statusFaultSchema = z.object({
  status: errorStatus(),
  /** The 429's `policyName`; default `TEN_SECONDLY_ROLLING`. */
  policyName: z.string({ error: 'must be a string' }).optional(),
  retryAfterSeconds: nonNegativeInteger().optional(),
});

const kindFaultSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('hang'), ms: nonNegativeInteger().optional() }),
    z.object({ kind: z.literal('drop') }),
    z.object({ kind: z.literal('delay'), ms: nonNegativeInteger() }),
  ],
  { error: 'must have a status, or kind hang, drop or delay' },
);

/** One scripted fault: an answer by status, or a hang, a drop or a delay. */
export const scriptedFaultSchema = z
  .strictObject({
    status: z.unknown().optional(),
    policyName: z.unknown().optional(),
    retryAfterSeconds: z.unknown().optional(),
    kind: z.unknown().optional(),
    ms: z.unknown().optional(),
  })
  .transform((entry, ctx) => {
    const parsed =
      entry.status === undefined
        ? kindFaultSchema.safeParse(entry, { reportInput: true })
        : statusFaultSchema.safeParse(entry, { reportInput: true });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      // No known kind: the entry as a whole is wrong, not its `kind` field.
      const path = issue.code === 'invalid_union' ? [] : issue.path;
      ctx.issues.push({ ...issue, code: 'custom', path, input: issue.input });
    }
    return z.NEVER;
  });

export type ScriptedFault = z.output<typeof scriptedFaultSchema>;

export const scriptSchema = z.array(scriptedFaultSchema, { error: 'must be a list of faults' });

/** How HubSpot refuses the campaigns named by `refuse`: one item error of a 207 per batch. */
export const refusalSchema = z.strictObject({
  /** The item error's category. Default `VALIDATION_ERROR`. */
  category: z
    .string({ error: 'must be a non-empty string' })
    .min(1, { error: 'must be a non-empty string' })
    .default('VALIDATION_ERROR'),
  message: z
    .string({ error: 'must be a non-empty string' })
    .min(1, { error: 'must be a non-empty string' }),
  /** How many batch updates naming the id are refused; then it is accepted. Default: every one. */
  times: integer('must be a positive integer')
    .min(1, { error: 'must be a positive integer' })
    .optional(),
});

export type SimRefusal = z.input<typeof refusalSchema>;
export type ResolvedRefusal = z.output<typeof refusalSchema>;

/** The body of `POST /__sim/refusals`: the refusal and the ids it applies to. */
export const refusalRequestSchema = refusalSchema.extend({
  ids: z
    .array(
      z
        .string({ error: 'must be a non-empty string' })
        .min(1, { error: 'must be a non-empty string' }),
      { error: 'must be a non-empty list of campaign ids' },
    )
    .min(1, { error: 'must be a non-empty list of campaign ids' }),
});

const tokenSchema = z.object({
  token: z
    .string({ error: 'must be a non-empty string without spaces' })
    .regex(/^\S+$/, { error: 'must be a non-empty string without spaces' }),
  scopes: z.array(z.string({ error: 'must be a string' }), { error: 'must be a list of strings' }),
  /** `oauth` tokens get no daily quota and no daily rate-limit headers. Default `private-app`. */
  kind: z.enum(['private-app', 'oauth'], { error: 'must be private-app or oauth' }).optional(),
});

const positiveInteger = () =>
  integer('must be a positive integer').min(1, {
    error: 'must be a positive integer',
  });

export const hubSpotSimOptionsSchema = z.object({
  /**
   * The OpenAPI file to serve: a path (relative to the working directory) or a file URL.
   * Default: the spec of `apiVersion` in `@campaigns/openapi` (`openapi/<version>/campaigns.yaml`).
   */
  spec: z
    .union([z.string().min(1), z.instanceof(URL)], {
      error: 'must be a file path or a file URL',
    })
    .optional(),
  /**
   * Which version folder of `@campaigns/openapi` to serve when `spec` is not given: `v3` (the
   * default), `YYYY-MM` or `YYYY-MM-beta`. Every version's paths are routed whatever the spec.
   */
  apiVersion: z
    .string({ error: 'must be "v3", "YYYY-MM" or "YYYY-MM-beta"' })
    .refine(isApiVersion, { error: 'must be "v3", "YYYY-MM" or "YYYY-MM-beta"' })
    .optional(),
  /** Interface to listen on. Default `127.0.0.1`. */
  host: z.string().default(DEFAULT_HOST),
  /** Default 0: an ephemeral port, see `url`. */
  port: integer('must be an integer from 0 to 65535')
    .min(0, { error: 'must be an integer from 0 to 65535' })
    .max(65_535, { error: 'must be an integer from 0 to 65535' })
    .default(0),
  /** Accepted bearer tokens. Default: `DEFAULT_SIM_TOKEN` with read, write and revenue.read. */
  tokens: z
    .array(tokenSchema, { error: 'must be a list of tokens' })
    .min(1, { error: 'must list at least one token' })
    .default(() => DEFAULT_TOKENS.map((t) => ({ ...t, scopes: [...t.scopes] }))),
  /** Seed for demo data, result order and random faults. Default 1. */
  seed: integer('must be an integer').default(DEFAULT_SEED),
  /** Demo campaigns to create at start. Default 200. */
  campaigns: nonNegativeInteger().default(DEFAULT_CAMPAIGN_COUNT),
  /** Per-token limits; `false` turns limiting and its headers off. Default 190 per 10 s, 650 000 a day. */
  rateLimit: z
    .union(
      [
        z.literal(false),
        z.object({
          max: positiveInteger().default(DEFAULT_RATE_LIMIT.max),
          intervalMs: positiveInteger().default(DEFAULT_RATE_LIMIT.intervalMs),
          daily: positiveInteger().default(DEFAULT_RATE_LIMIT.daily),
        }),
      ],
      { error: 'must be false or { max, intervalMs, daily }' },
    )
    .prefault({})
    .transform((limit): RateLimitSettings | undefined => (limit === false ? undefined : limit)),
  latency: simLatencySchema,
  faults: simFaultsSchema.default({}),
  /** Default true; false: 400s name the bad property but not the campaign id. */
  validationErrorsNameIds: z.boolean({ error: 'must be true or false' }).default(true),
});

export type HubSpotSimOptions = z.input<typeof hubSpotSimOptionsSchema>;
export type ResolvedSimOptions = z.output<typeof hubSpotSimOptionsSchema>;

export function resolveSimOptions(options: HubSpotSimOptions): ResolvedSimOptions {
  return parseSetting(hubSpotSimOptionsSchema, options, '');
}

export function parseSimFaults(value: unknown): SimFaults {
  return parseSetting(simFaultsSchema, value, 'faults');
}

export function parseLatency(value: unknown): SimLatency | undefined {
  return parseSetting(simLatencySchema, value, 'latency');
}

export function parseScriptedFaults(value: unknown): ScriptedFault[] {
  return parseSetting(scriptSchema, value, 'script');
}

export function parseRefusal(value: unknown): ResolvedRefusal {
  return parseSetting(refusalSchema, value, 'refusal');
}

export function parseRefusalRequest(value: unknown): z.output<typeof refusalRequestSchema> {
  return parseSetting(refusalRequestSchema, value, 'refusal');
}

/** Parses `value`, or throws one SimConfigError naming every offending setting from `root`. */
function parseSetting<S extends z.ZodType>(schema: S, value: unknown, root: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new SimConfigError(
    result.error.issues.flatMap((issue) => describe(issue, [], root)).join('; '),
  );
}

/** `faults.errorRate must be a number from 0 to 1, got 1.5`. */
function describe(issue: z.core.$ZodIssue, parent: PropertyKey[], root: string): string[] {
  const path = [...parent, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Of `false | { max, ... }`, report the option the value was meant for: the one whose
    // problems are inside it, not the value's type.
    const meant = issue.errors.filter(
      (option) =>
        !option.every(
          (i) => (i.code === 'invalid_type' || i.code === 'invalid_value') && i.path.length === 0,
        ),
    );
    if (meant.length === 1) return meant[0]!.flatMap((inner) => describe(inner, path, root));
  }
  const name = path.reduce<string>(
    (out, key) =>
      typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
    root,
  );
  const subject = name || 'options';
  if (issue.code === 'unrecognized_keys')
    return [`${subject} has unknown settings: ${issue.keys.join(', ')}`];
  if (issue.code === 'invalid_type' && issue.expected === 'object')
    return [`${subject} must be an object`];
  if (!issue.message.startsWith('must')) return [`${subject}: ${issue.message}`];
  const got = issue.input === undefined ? '' : `, got ${JSON.stringify(issue.input)}`;
  return [`${subject} ${issue.message}${got}`];
}
