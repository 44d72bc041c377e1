// Reading a job's answers and following it, against a fake gateway that counts round trips.
import { describe, expect, it } from 'vitest';
import { followJob, readOutcome, RESULTS_PAGE, type JobProgress } from '../src/jobs';
import { fakeGateway } from './fake-gateway';

const ENDED = {
  id: 'job-1',
  status: 'COMPLETE',
  stopReason: null,
  total: 0,
  done: 0,
  succeeded: 0,
  failed: 0,
};

/** A job whose `failedIds` failed in `groups` groups and whose `okIds` succeeded. */
function jobGateway(failedIds: string[], groups: number, okIds: string[]) {
  const groupIds = Array.from({ length: groups }, (_, g) =>
    failedIds.filter((_, i) => i % groups === g),
  );
  const job = {
    ...ENDED,
    total: failedIds.length + okIds.length,
    done: failedIds.length + okIds.length,
    succeeded: okIds.length,
    failed: failedIds.length,
  };
  const page = <T>(items: T[], variables: Record<string, unknown>) => {
    const from = Number(variables.after ?? 0);
    const first = Number(variables.first);
    const next = from + first < items.length ? String(from + first) : null;
    return { items: items.slice(from, from + first), next };
  };
  return fakeGateway((name, variables) => {
    if (name === 'CampaignUpdateJobErrorGroups') {
      const { items, next } = page(groupIds, variables);
      return {
        campaignUpdateJob: {
          id: job.id,
          errorGroups: {
            groups: items.map((ids) => ({ ids, category: 'VALIDATION_ERROR', message: 'no' })),
            totalCount: groups,
            pageInfo: { endCursor: next, hasNextPage: next !== null },
          },
        },
      };
    }
    if (name === 'CampaignUpdateJobResults') {
      const { items, next } = page(okIds, variables);
      return {
        campaignUpdateJob: {
          ...job,
          results: {
            edges: items.map((id) => ({ node: { id } })),
            pageInfo: { endCursor: next, hasNextPage: next !== null },
          },
        },
      };
    }
    throw new Error(`unexpected ${name}`);
  });
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('readOutcome', () => {
  it('reads the error groups once (paged past 1,000), never again with each results page', async () => {
    const failed = ids('f', 3_000);
    const ok = ids('o', 4_500);
    const gateway = jobGateway(failed, 2_500, ok);
    const outcome = await readOutcome(gateway, 'job-1');

    const names = gateway.calls.map((call) => call.name);
    expect(names.filter((n) => n === 'CampaignUpdateJobErrorGroups')).toHaveLength(3);
    expect(names.filter((n) => n === 'CampaignUpdateJobResults')).toHaveLength(
      Math.ceil(ok.length / RESULTS_PAGE),
    );
    // No results page asks for the errors.
    for (const call of gateway.calls.filter((c) => c.name === 'CampaignUpdateJobResults'))
      expect(call.text).not.toMatch(/\berrors\b|errorGroups/);

    expect(outcome.errorCount).toBe(2_500);
    expect(outcome.listedGroups).toBe(2_500);
    expect(new Set(outcome.failedIds)).toEqual(new Set(failed));
    expect(outcome.rows.filter((r) => r.ok).map((r) => r.id)).toEqual(ok);
    expect(outcome.rows.slice(0, failed.length).every((r) => !r.ok && r.reason === 'no')).toBe(
      true,
    );
  });
});

describe('followJob', () => {
  it('falls back to reading the job when the stream fails, and still reaches the end', async () => {
    let reads = 0;
    const gateway = fakeGateway(
      (name) => {
        expect(name).toBe('CampaignUpdateJobResults');
        reads++;
        const done = Math.min(reads * 40, 100);
        return {
          campaignUpdateJob: {
            ...ENDED,
            status: done === 100 ? 'COMPLETE' : 'PROCESSING',
            total: 100,
            done,
            succeeded: done,
            results: { edges: [], pageInfo: { endCursor: null, hasNextPage: false } },
          },
        };
      },
      {
        subscribe: () => ({
          events: {
            // eslint-disable-next-line require-yield
            async *[Symbol.asyncIterator]() {
              throw new TypeError('Failed to fetch');
            },
          },
          stop: () => {},
        }),
      },
    );
    const seen: Array<[number, string]> = [];
    const ended: JobProgress = await followJob(gateway, 'job-1', {
      signal: new AbortController().signal,
      pollMs: 0,
      onProgress: (progress, via) => seen.push([progress.done, via]),
    });
    expect(ended.status).toBe('COMPLETE');
    expect(seen).toEqual([
      [40, 'polling'],
      [80, 'polling'],
      [100, 'polling'],
    ]);
  });
});
