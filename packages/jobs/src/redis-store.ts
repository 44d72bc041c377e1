// The Redis store: what a job is and every id's final answer, so any worker can resume a job
// another one was running. Per job (`{id}` is a hash tag, so one job's keys share a slot):
//   <prefix>:job:{id}        hash: owner, status, counters, timestamps, coalesced, cancel,
//                            errorGroups (set when it ends)
//   <prefix>:job:{id}:ids    list: the distinct campaign ids, in input order
//   <prefix>:job:{id}:in     hash: `#<n>` → the properties of positions n×INPUT_CHUNK onwards, a
//                            JSON array in input order (deleted when the job ends). Jobs written
//                            before this layout hold campaign id → properties JSON; still read.
//   <prefix>:job:{id}:ans    hash: campaign id → its answer: the campaign JSON, or `!<key>`
//   <prefix>:job:{id}:errp   hash: key → an error payload JSON (shared by the ids it covers)
//   <prefix>:job:{id}:errs   list: the grouped errors (JSON each), written when the job ends
//   <prefix>:owner:<hash>    set: the owner's PENDING and PROCESSING jobs (for the limit)
// Channels: <prefix>:progress:<id> (progress JSON), <prefix>:cancel (job ids).
// Nothing secret: no token, no credential; the owner is stored as given (an opaque subject).
import { createHash, randomBytes } from 'node:crypto';
import type { CampaignBatchError, CoalescedId, UpdateInput } from '@campaigns/core';
import { Redis } from 'ioredis';
import { JobLimitError } from './errors.js';
import {
  isEnded,
  type Answer,
  type Claim,
  type ErrorPayload,
  type JobRecord,
  type JobStore,
  type NewJob,
} from './store.js';
import type { JobProgress, JobStatus } from './types.js';

/** How long a job's keys live before it is confirmed as queued (a crash in between). */
const CREATION_LEASE_MS = 60 * 60 * 1000;
/** Ids per RPUSH while writing a new job, and per read when filling one's missing answers. */
const WRITE_BATCH = 1_000;
/**
 * Positions per field of a job's `in` hash: one JSON string each, so a 10,000-input job is ten
 * fields, written in one pipeline, and a worker's first page of pending ids reads one field.
 */
export const INPUT_CHUNK = 1_000;
/** The `in` field holding the properties of chunk `n` (`#` cannot start a campaign id). */
const chunkField = (n: number) => `#${n}`;

const CREATE = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, member in ipairs(members) do
  if redis.call('EXISTS', ARGV[3] .. member .. '}') == 0 then redis.call('SREM', KEYS[1], member) end
end
local active = redis.call('SCARD', KEYS[1])
if active >= tonumber(ARGV[1]) then return active end
redis.call('SADD', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return -1
`;

const CONFIRM = `
if redis.call('HGET', KEYS[1], 'status') == 'PENDING' then
  for i = 1, #KEYS do redis.call('PERSIST', KEYS[i]) end
end
return 0
`;

const CLAIM = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'COMPLETE' or status == 'CANCELED' then return 0 end
for i = 1, #KEYS do redis.call('PERSIST', KEYS[i]) end
redis.call('HSETNX', KEYS[1], 'startedAt', ARGV[1])
if status == 'PROCESSING' then return 2 end
redis.call('HSET', KEYS[1], 'status', 'PROCESSING')
return 1
`;

// ARGV: n, then n (id, answer) pairs, then (payload key, payload) pairs.
const RECORD = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'PENDING' and status ~= 'PROCESSING' then return nil end
local n = tonumber(ARGV[1])
local succeeded, failed = 0, 0
for i = 2, 2 * n, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) == 1 then
    if string.byte(ARGV[i + 1], 1) == 33 then failed = failed + 1 else succeeded = succeeded + 1 end
  end
end
for i = 2 * n + 2, #ARGV, 2 do redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[i + 1]) end
if succeeded > 0 then redis.call('HINCRBY', KEYS[1], 'succeeded', succeeded) end
if failed > 0 then redis.call('HINCRBY', KEYS[1], 'failed', failed) end
return redis.call('HMGET', KEYS[1], 'status', 'total', 'succeeded', 'failed')
`;

// KEYS: job, ids, in, ans, errp, staged error groups, errs.
// ARGV: status, stopReason, completedAt, retentionMs, id, number of error groups.
const FINISH = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'COMPLETE' or status == 'CANCELED' then
  redis.call('DEL', KEYS[6])
  return 0
end
if redis.call('EXISTS', KEYS[6]) == 1 then
  redis.call('RENAME', KEYS[6], KEYS[7])
  redis.call('PEXPIRE', KEYS[7], ARGV[4])
else
  redis.call('DEL', KEYS[7])
end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'completedAt', ARGV[3], 'errorGroups', ARGV[6])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'stopReason', ARGV[2]) end
redis.call('HDEL', KEYS[1], 'cancel')
redis.call('DEL', KEYS[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
redis.call('PEXPIRE', KEYS[5], ARGV[4])
redis.call('SREM', redis.call('HGET', KEYS[1], 'ownerKey'), ARGV[5])
return 1
`;

// The failed ids of a range of positions, without reading a success out of Redis.
// KEYS: ids, ans. ARGV: from, to. Returns the positions scanned, then (position, id, key) triples.
const ERRORS = `
local ids = redis.call('LRANGE', KEYS[1], ARGV[1], ARGV[2])
local out = { #ids }
for i, id in ipairs(ids) do
  local answer = redis.call('HGET', KEYS[2], id)
  if answer and string.byte(answer, 1) == 33 then
    out[#out + 1] = i - 1
    out[#out + 1] = id
    out[#out + 1] = string.sub(answer, 2)
  end
end
return out
`;

const CANCEL = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 'gone' end
if status == 'COMPLETE' or status == 'CANCELED' then return 'ended' end
redis.call('HSET', KEYS[1], 'cancel', '1')
if status == 'PENDING' then return 'pending' end
return 'processing'
`;

/** The key an error payload is stored under: a digest of its JSON (equal payloads share one). */
const payloadKey = (json: string) =>
  createHash('sha256').update(json).digest('base64url').slice(0, 16);

type Script = 'create' | 'confirm' | 'claim' | 'record' | 'finish' | 'cancel' | 'errors';

/** What an id whose error payload is missing (it should never be) is answered with. */
const MISSING_PAYLOAD: ErrorPayload = {
  status: 'error',
  category: 'UNEXPECTED_ERROR',
  message: 'the stored error of this campaign is missing',
  errors: [],
  context: {},
  links: {},
};
/** The fields of a job's hash that `get` reads (all but `coalesced` and `errorGroups`). */
const RECORD_FIELDS = [
  'owner',
  'status',
  'stopReason',
  'total',
  'succeeded',
  'failed',
  'requestedAt',
  'startedAt',
  'completedAt',
  'cancel',
] as const;

type Scripted = Redis & Record<Script, (...args: Array<string | number>) => Promise<unknown>>;

export class RedisJobStore implements JobStore {
  readonly durable = true;
  readonly #redis: Scripted;
  #subscriber: Redis | undefined;
  #subscribing: Promise<Redis> | undefined;
  readonly #listeners = new Map<string, Set<(message: string) => void>>();
  /** Channel → its SUBSCRIBE, so a second listener also waits until messages can arrive. */
  readonly #subscribed = new Map<string, Promise<unknown>>();

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly onError: (error: unknown) => void,
  ) {
    // A request must not wait for Redis to come back: a command fails after one reconnection
    // attempt (ioredis' default, 20, kept a caller waiting over a minute).
    const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    redis.on('error', onError);
    const scripts: Record<Script, [number, string]> = {
      create: [2, CREATE],
      confirm: [3, CONFIRM],
      claim: [5, CLAIM],
      record: [3, RECORD],
      finish: [7, FINISH],
      cancel: [1, CANCEL],
      errors: [2, ERRORS],
    };
    for (const [name, [numberOfKeys, lua]] of Object.entries(scripts))
      redis.defineCommand(name, { numberOfKeys, lua });
    this.#redis = redis as Scripted;
  }

  #key(id: string, part?: 'ids' | 'in' | 'ans' | 'errp' | 'errs'): string {
    return `${this.prefix}:job:{${id}}${part ? `:${part}` : ''}`;
  }

  #keys(id: string): [string, string, string, string, string] {
    return [
      this.#key(id),
      this.#key(id, 'ids'),
      this.#key(id, 'in'),
      this.#key(id, 'ans'),
      this.#key(id, 'errp'),
    ];
  }

  #ownerKey(owner: string): string {
    return `${this.prefix}:owner:${createHash('sha256').update(owner).digest('base64url').slice(0, 22)}`;
  }

  async create(job: NewJob, maxActive: number): Promise<void> {
    const ownerKey = this.#ownerKey(job.owner);
    const fields: Record<string, string> = {
      owner: job.owner,
      ownerKey,
      status: 'PENDING',
      total: String(job.updates.length),
      succeeded: '0',
      failed: '0',
      requestedAt: job.requestedAt,
      coalesced: JSON.stringify(job.coalesced),
    };
    const active = Number(
      await this.#redis.create(
        ownerKey,
        this.#key(job.id),
        maxActive,
        job.id,
        `${this.prefix}:job:{`,
        CREATION_LEASE_MS,
        ...Object.entries(fields).flat(),
      ),
    );
    if (active >= 0) throw new JobLimitError('maxQueuedJobsPerOwner', maxActive, active + 1);
    try {
      // All of it in one pipeline (one round trip, not one transaction: Redis serves other
      // clients between its commands; a failure discards the job): ids in batches, properties a
      // chunk per field.
      const write = this.#redis.pipeline();
      const chunks: string[] = [];
      for (let start = 0; start < job.updates.length; start += WRITE_BATCH)
        write.rpush(
          this.#key(job.id, 'ids'),
          ...job.updates.slice(start, start + WRITE_BATCH).map((u) => u.id),
        );
      for (let start = 0; start < job.updates.length; start += INPUT_CHUNK)
        chunks.push(
          chunkField(start / INPUT_CHUNK),
          JSON.stringify(job.updates.slice(start, start + INPUT_CHUNK).map((u) => u.properties)),
        );
      if (chunks.length > 0) write.hset(this.#key(job.id, 'in'), ...chunks);
      const replies = await write
        .pexpire(this.#key(job.id, 'ids'), CREATION_LEASE_MS)
        .pexpire(this.#key(job.id, 'in'), CREATION_LEASE_MS)
        .exec();
      const failed = replies?.find(([error]) => error)?.[0];
      if (failed) throw failed;
    } catch (error) {
      await this.discard(job.id, job.owner).catch(() => {});
      throw error;
    }
  }

  async confirm(id: string): Promise<void> {
    await this.#redis.confirm(this.#key(id), this.#key(id, 'ids'), this.#key(id, 'in'));
  }

  async discard(id: string, owner: string): Promise<void> {
    await this.#redis
      .multi()
      .del(...this.#keys(id))
      .srem(this.#ownerKey(owner), id)
      .exec();
  }

  async get(id: string): Promise<JobRecord | undefined> {
    // Named fields only: `coalesced` (long, JSON) is read by `coalesced`, when asked for.
    const values = await this.#redis.hmget(this.#key(id), ...RECORD_FIELDS);
    const raw = Object.fromEntries(
      RECORD_FIELDS.map((field, i) => [field, values[i] ?? undefined]),
    ) as Partial<Record<(typeof RECORD_FIELDS)[number], string>>;
    if (!raw.owner) return undefined;
    const succeeded = Number(raw.succeeded ?? 0);
    const failed = Number(raw.failed ?? 0);
    const status = raw.status as JobStatus;
    return {
      id,
      owner: raw.owner,
      status,
      ...(raw.stopReason ? { stopReason: raw.stopReason as JobRecord['stopReason'] } : {}),
      total: Number(raw.total ?? 0),
      done: succeeded + failed,
      succeeded,
      failed,
      requestedAt: raw.requestedAt!,
      ...(raw.startedAt ? { startedAt: raw.startedAt } : {}),
      ...(raw.completedAt ? { completedAt: raw.completedAt } : {}),
      cancelRequested: raw.cancel === '1' && !isEnded(status),
    };
  }

  async coalesced(id: string): Promise<CoalescedId[]> {
    return JSON.parse((await this.#redis.hget(this.#key(id), 'coalesced')) ?? '[]');
  }

  async claim(id: string, now: string): Promise<Claim> {
    const claimed = Number(await this.#redis.claim(...this.#keys(id), now));
    if (claimed === 0) return { kind: 'skip' };
    const job = await this.get(id);
    return job ? { kind: 'run', job, resumed: claimed === 2 } : { kind: 'skip' };
  }

  async pending(id: string, from: number, limit: number) {
    const ids = await this.#redis.lrange(this.#key(id, 'ids'), from, from + limit - 1);
    const updates: Array<{ position: number; update: UpdateInput }> = [];
    if (ids.length === 0) return { updates };
    const answered = await this.#redis.hmget(this.#key(id, 'ans'), ...ids);
    const open = ids.flatMap((campaignId, i) =>
      answered[i] === null ? [{ position: from + i, campaignId }] : [],
    );
    if (open.length > 0) {
      const properties = await this.#properties(id, open);
      open.forEach(({ position, campaignId }, i) => {
        const found = properties[i];
        if (found) updates.push({ position, update: { id: campaignId, properties: found } });
      });
    }
    return ids.length === limit ? { updates, next: from + limit } : { updates };
  }

  /** The stored properties of these positions (undefined: none stored), read by chunk. */
  async #properties(
    id: string,
    open: Array<{ position: number; campaignId: string }>,
  ): Promise<Array<Record<string, string> | undefined>> {
    const first = Math.floor(open[0]!.position / INPUT_CHUNK);
    const last = Math.floor(open.at(-1)!.position / INPUT_CHUNK);
    const fields = Array.from({ length: last - first + 1 }, (_, i) => chunkField(first + i));
    const chunks = (await this.#redis.hmget(this.#key(id, 'in'), ...fields)).map((json) =>
      json === null ? undefined : (JSON.parse(json) as Array<Record<string, string>>),
    );
    const found = open.map(
      ({ position }) =>
        chunks[Math.floor(position / INPUT_CHUNK) - first]?.[position % INPUT_CHUNK],
    );
    // A job written before chunks (a field per campaign id): read those ids' own fields.
    const missing = open.filter((_, i) => found[i] === undefined);
    if (missing.length === 0) return found;
    const own = await this.#redis.hmget(this.#key(id, 'in'), ...missing.map((o) => o.campaignId));
    let next = 0;
    return found.map((properties) => {
      if (properties) return properties;
      const json = own[next++];
      return json ? (JSON.parse(json) as Record<string, string>) : undefined;
    });
  }

  async record(id: string, answers: Array<[string, Answer]>): Promise<JobProgress | undefined> {
    if (answers.length === 0) return undefined;
    const pairs: string[] = [];
    const payloads = new Map<string, string>();
    for (const [campaignId, answer] of answers) {
      if ('result' in answer) {
        pairs.push(campaignId, JSON.stringify(answer.result));
        continue;
      }
      const json = JSON.stringify(answer.error);
      const key = payloadKey(json);
      payloads.set(key, json);
      pairs.push(campaignId, `!${key}`);
    }
    const reply = (await this.#redis.record(
      this.#key(id),
      this.#key(id, 'ans'),
      this.#key(id, 'errp'),
      answers.length,
      ...pairs,
      ...[...payloads].flat(),
    )) as [string, string, string, string] | null;
    if (!reply) return undefined;
    const [status, total, succeeded, failed] = reply.map((v) => v ?? '0') as string[];
    return {
      id,
      status: status as JobStatus,
      total: Number(total),
      done: Number(succeeded) + Number(failed),
      succeeded: Number(succeeded),
      failed: Number(failed),
    };
  }

  async fill(id: string, payload: ErrorPayload): Promise<number> {
    let filled = 0;
    for (let from = 0; ; from += WRITE_BATCH) {
      const ids = await this.#redis.lrange(this.#key(id, 'ids'), from, from + WRITE_BATCH - 1);
      if (ids.length === 0) return filled;
      const answered = await this.#redis.hmget(this.#key(id, 'ans'), ...ids);
      const missing = ids.filter((_, i) => answered[i] === null);
      if (missing.length > 0) {
        const progress = await this.record(
          id,
          missing.map((campaignId) => [campaignId, { error: payload }]),
        );
        // Undefined: the job had ended (or expired), so nothing was written.
        if (progress) filled += missing.length;
      }
      if (ids.length < WRITE_BATCH) return filled;
    }
  }

  async finish(
    id: string,
    end: Parameters<JobStore['finish']>[1],
    retentionMs: number,
  ): Promise<boolean> {
    // The groups go to a key of this call's own first (ends can race), which the script renames
    // into place only if this end wins; a crash in between leaves a key that expires.
    const staged = `${this.#key(id, 'errs')}:${randomBytes(8).toString('base64url')}`;
    for (let start = 0; start < end.errors.length; start += WRITE_BATCH)
      await this.#redis
        .multi()
        .rpush(
          staged,
          ...end.errors.slice(start, start + WRITE_BATCH).map((g) => JSON.stringify(g)),
        )
        .pexpire(staged, CREATION_LEASE_MS)
        .exec();
    const finished = await this.#redis.finish(
      ...this.#keys(id),
      staged,
      this.#key(id, 'errs'),
      end.status,
      end.stopReason ?? '',
      end.completedAt,
      Math.max(1, Math.round(retentionMs)),
      id,
      end.errors.length,
    );
    return Number(finished) === 1;
  }

  async requestCancel(id: string) {
    const state = (await this.#redis.cancel(this.#key(id))) as
      'pending' | 'processing' | 'ended' | 'gone';
    if (state === 'processing' || state === 'pending')
      await this.#redis.publish(`${this.prefix}:cancel`, id);
    return state;
  }

  async cancelRequested(id: string): Promise<boolean> {
    return (await this.#redis.hget(this.#key(id), 'cancel')) === '1';
  }

  async answers(
    id: string,
    from: number,
    limit: number,
  ): Promise<Array<{ position: number; campaignId: string; answer?: Answer }>> {
    const ids = await this.#redis.lrange(this.#key(id, 'ids'), from, from + limit - 1);
    if (ids.length === 0) return [];
    const raw = await this.#redis.hmget(this.#key(id, 'ans'), ...ids);
    const keys = [
      ...new Set(
        raw.filter((a): a is string => a?.startsWith('!') ?? false).map((a) => a.slice(1)),
      ),
    ];
    const payloads = new Map<string, ErrorPayload>();
    if (keys.length > 0) {
      const json = await this.#redis.hmget(this.#key(id, 'errp'), ...keys);
      keys.forEach((key, i) => {
        if (json[i]) payloads.set(key, JSON.parse(json[i]!));
      });
    }
    return ids.map((campaignId, i) => {
      const position = from + i;
      const answer = raw[i];
      if (answer === null || answer === undefined) return { position, campaignId };
      if (!answer.startsWith('!'))
        return { position, campaignId, answer: { result: JSON.parse(answer) } };
      const error = payloads.get(answer.slice(1)) ?? MISSING_PAYLOAD;
      return { position, campaignId, answer: { error } };
    });
  }

  async errorAnswers(id: string, from: number, limit: number) {
    const [scanned, ...triples] = (await this.#redis.errors(
      this.#key(id, 'ids'),
      this.#key(id, 'ans'),
      from,
      from + limit - 1,
    )) as [number, ...Array<number | string>];
    const keys = [...new Set(triples.filter((_, i) => i % 3 === 2) as string[])];
    const payloads = new Map<string, ErrorPayload>();
    if (keys.length > 0) {
      const json = await this.#redis.hmget(this.#key(id, 'errp'), ...keys);
      keys.forEach((key, i) => {
        if (json[i]) payloads.set(key, JSON.parse(json[i]!));
      });
    }
    const errors: Array<{ position: number; campaignId: string; error: ErrorPayload }> = [];
    for (let i = 0; i < triples.length; i += 3)
      errors.push({
        position: from + Number(triples[i]),
        campaignId: String(triples[i + 1]),
        error: payloads.get(String(triples[i + 2])) ?? MISSING_PAYLOAD,
      });
    return scanned === limit ? { errors, next: from + limit } : { errors };
  }

  async errorGroups(id: string, from: number, limit: number) {
    const replies = await this.#redis
      .multi()
      .hget(this.#key(id), 'errorGroups')
      .lrange(this.#key(id, 'errs'), from, from + limit - 1)
      .exec();
    const [[countError, count], [listError, list]] = replies as [
      [Error | null, string | null],
      [Error | null, string[]],
    ];
    if (countError ?? listError) throw countError ?? listError;
    if (count === null) return undefined;
    return {
      groups: list.map((json) => JSON.parse(json) as CampaignBatchError),
      count: Number(count),
    };
  }

  async publish(progress: JobProgress): Promise<void> {
    await this.#redis.publish(`${this.prefix}:progress:${progress.id}`, JSON.stringify(progress));
  }

  /** The one subscriber connection of this store, made on first use. */
  async #subscriberConnection(): Promise<Redis> {
    if (this.#subscriber) return this.#subscriber;
    this.#subscribing ??= (async () => {
      const subscriber = this.#redis.duplicate();
      subscriber.on('error', this.onError);
      subscriber.on('message', (channel: string, message: string) => {
        for (const listener of this.#listeners.get(channel) ?? []) listener(message);
      });
      this.#subscriber = subscriber;
      return subscriber;
    })();
    return this.#subscribing;
  }

  async #listen(channel: string, listener: (message: string) => void) {
    const subscriber = await this.#subscriberConnection();
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      this.#subscribed.set(channel, subscriber.subscribe(channel));
    }
    listeners.add(listener);
    const subscribing = this.#subscribed.get(channel);
    try {
      await subscribing;
    } catch (error) {
      // Forget the failed SUBSCRIBE, so the next listen on this channel tries again instead of
      // awaiting the same rejection.
      // Every listener that waited on it fails the same way and leaves the detached set.
      if (this.#subscribed.get(channel) === subscribing) {
        this.#subscribed.delete(channel);
        this.#listeners.delete(channel);
      }
      listeners.delete(listener);
      throw error;
    }
    return async () => {
      const current = this.#listeners.get(channel);
      if (!current?.delete(listener) || current.size > 0) return;
      this.#listeners.delete(channel);
      this.#subscribed.delete(channel);
      await subscriber.unsubscribe(channel).catch(() => {});
    };
  }

  subscribe(id: string, listener: (progress: JobProgress) => void) {
    return this.#listen(`${this.prefix}:progress:${id}`, (message) =>
      listener(JSON.parse(message) as JobProgress),
    );
  }

  onCancel(listener: (id: string) => void) {
    return this.#listen(`${this.prefix}:cancel`, listener);
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  reachable(): boolean {
    return this.#redis.status === 'ready';
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await Promise.all([
      this.#redis.quit().catch(() => this.#redis.disconnect()),
      this.#subscriber?.quit().catch(() => this.#subscriber?.disconnect()),
    ]);
  }
}
