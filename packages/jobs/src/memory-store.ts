// The in-process store: the same contract as the Redis one, in this process's memory. Not
// durable: everything is lost when the process ends.
import { EventEmitter } from 'node:events';
import type { CampaignBatchError, CoalescedId, UpdateInput } from '@campaigns/core';
import { JobLimitError } from './errors.js';
import {
  isEnded,
  progressOf,
  type Answer,
  type Claim,
  type ErrorPayload,
  type JobRecord,
  type JobStore,
  type NewJob,
} from './store.js';
import type { JobProgress } from './types.js';

interface MemoryJob {
  record: JobRecord;
  coalesced: CoalescedId[];
  ids: string[];
  /** Properties by id until the job ended. */
  inputs: Map<string, UpdateInput['properties']> | undefined;
  answers: Map<string, Answer>;
  /** The grouped errors, stored when the job ended. */
  errorGroups?: CampaignBatchError[];
  /** Set when it ended: after this, it is gone. */
  expiresAt?: number;
}

export class MemoryJobStore implements JobStore {
  readonly durable = false;
  readonly #jobs = new Map<string, MemoryJob>();
  readonly #active = new Map<string, Set<string>>();
  readonly #events = new EventEmitter();
  readonly #sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.#events.setMaxListeners(0);
    // Expired jobs are also dropped on every read; this frees memory nobody reads.
    this.#sweeper = setInterval(() => this.#sweep(), 60_000);
    this.#sweeper.unref();
  }

  #sweep(): void {
    const now = this.now();
    for (const [id, job] of this.#jobs)
      if (job.expiresAt !== undefined && job.expiresAt <= now) this.#jobs.delete(id);
  }

  #job(id: string): MemoryJob | undefined {
    const job = this.#jobs.get(id);
    if (job?.expiresAt !== undefined && job.expiresAt <= this.now()) {
      this.#jobs.delete(id);
      return undefined;
    }
    return job;
  }

  async create(job: NewJob, maxActive: number): Promise<void> {
    this.#sweep();
    const active = this.#active.get(job.owner) ?? new Set<string>();
    if (active.size >= maxActive)
      throw new JobLimitError('maxQueuedJobsPerOwner', maxActive, active.size + 1);
    active.add(job.id);
    this.#active.set(job.owner, active);
    this.#jobs.set(job.id, {
      record: {
        id: job.id,
        owner: job.owner,
        status: 'PENDING',
        total: job.updates.length,
        done: 0,
        succeeded: 0,
        failed: 0,
        requestedAt: job.requestedAt,
        cancelRequested: false,
      },
      coalesced: job.coalesced,
      ids: job.updates.map((u) => u.id),
      inputs: new Map(job.updates.map((u) => [u.id, u.properties])),
      answers: new Map(),
    });
  }

  async confirm(): Promise<void> {}

  async discard(id: string, owner: string): Promise<void> {
    this.#jobs.delete(id);
    this.#release(owner, id);
  }

  #release(owner: string, id: string): void {
    const active = this.#active.get(owner);
    active?.delete(id);
    if (active?.size === 0) this.#active.delete(owner);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const job = this.#job(id);
    return job && { ...job.record };
  }

  async coalesced(id: string): Promise<CoalescedId[]> {
    return structuredClone(this.#job(id)?.coalesced ?? []);
  }

  async claim(id: string, now: string): Promise<Claim> {
    const job = this.#job(id);
    if (!job || isEnded(job.record.status)) return { kind: 'skip' };
    const resumed = job.record.status === 'PROCESSING';
    job.record.status = 'PROCESSING';
    job.record.startedAt ??= now;
    return { kind: 'run', job: { ...job.record }, resumed };
  }

  async pending(id: string, from: number, limit: number) {
    const job = this.#job(id);
    const updates: Array<{ position: number; update: UpdateInput }> = [];
    if (!job?.inputs) return { updates };
    const end = Math.min(job.ids.length, from + limit);
    for (let position = from; position < end; position++) {
      const campaignId = job.ids[position]!;
      if (job.answers.has(campaignId)) continue;
      updates.push({
        position,
        update: { id: campaignId, properties: job.inputs.get(campaignId)! },
      });
    }
    return end < job.ids.length ? { updates, next: end } : { updates };
  }

  async record(id: string, answers: Array<[string, Answer]>): Promise<JobProgress | undefined> {
    const job = this.#job(id);
    if (!job || isEnded(job.record.status)) return undefined;
    for (const [campaignId, answer] of answers) {
      if (job.answers.has(campaignId) || !job.inputs?.has(campaignId)) continue;
      job.answers.set(campaignId, answer);
      job.record.done++;
      if ('result' in answer) job.record.succeeded++;
      else job.record.failed++;
    }
    return progressOf(job.record);
  }

  async fill(id: string, payload: ErrorPayload): Promise<number> {
    const job = this.#job(id);
    if (!job || isEnded(job.record.status)) return 0;
    const missing = job.ids.filter((campaignId) => !job.answers.has(campaignId));
    await this.record(
      id,
      missing.map((campaignId) => [campaignId, { error: payload }]),
    );
    return missing.length;
  }

  async finish(
    id: string,
    end: Parameters<JobStore['finish']>[1],
    retentionMs: number,
  ): Promise<boolean> {
    const job = this.#job(id);
    if (!job || isEnded(job.record.status)) return false;
    Object.assign(job.record, {
      status: end.status,
      completedAt: end.completedAt,
      cancelRequested: false,
    });
    if (end.stopReason) job.record.stopReason = end.stopReason;
    job.errorGroups = structuredClone(end.errors);
    job.inputs = undefined;
    job.expiresAt = this.now() + retentionMs;
    this.#release(job.record.owner, id);
    return true;
  }

  async requestCancel(id: string) {
    const job = this.#job(id);
    if (!job) return 'gone' as const;
    if (isEnded(job.record.status)) return 'ended' as const;
    job.record.cancelRequested = true;
    this.#events.emit('cancel', id);
    return job.record.status === 'PENDING' ? ('pending' as const) : ('processing' as const);
  }

  async cancelRequested(id: string): Promise<boolean> {
    return this.#job(id)?.record.cancelRequested ?? false;
  }

  async answers(id: string, from: number, limit: number) {
    const job = this.#job(id);
    if (!job) return [];
    const end = Math.min(job.ids.length, from + limit);
    const out: Array<{ position: number; campaignId: string; answer?: Answer }> = [];
    for (let position = from; position < end; position++) {
      const campaignId = job.ids[position]!;
      const answer = job.answers.get(campaignId);
      out.push(answer ? { position, campaignId, answer } : { position, campaignId });
    }
    return out;
  }

  async errorAnswers(id: string, from: number, limit: number) {
    const job = this.#job(id);
    const errors: Array<{ position: number; campaignId: string; error: ErrorPayload }> = [];
    if (!job) return { errors };
    const end = Math.min(job.ids.length, from + limit);
    for (let position = from; position < end; position++) {
      const campaignId = job.ids[position]!;
      const answer = job.answers.get(campaignId);
      if (answer && 'error' in answer) errors.push({ position, campaignId, error: answer.error });
    }
    return end < job.ids.length ? { errors, next: end } : { errors };
  }

  async errorGroups(id: string, from: number, limit: number) {
    const groups = this.#job(id)?.errorGroups;
    if (!groups) return undefined;
    return { groups: structuredClone(groups.slice(from, from + limit)), count: groups.length };
  }

  async publish(progress: JobProgress): Promise<void> {
    this.#events.emit(`progress:${progress.id}`, progress);
  }

  async subscribe(id: string, listener: (progress: JobProgress) => void) {
    this.#events.on(`progress:${id}`, listener);
    return async () => {
      this.#events.off(`progress:${id}`, listener);
    };
  }

  async onCancel(listener: (id: string) => void) {
    this.#events.on('cancel', listener);
    return async () => {
      this.#events.off('cancel', listener);
    };
  }

  async ping(): Promise<void> {}

  reachable(): boolean {
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#events.removeAllListeners();
  }
}
