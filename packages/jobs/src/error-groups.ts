// A job's errors grouped like the engine's own outcome: equal errors share one entry, their ids
// in input order. Computed from the stored answers (successes are never read), once when a job
// ends (and stored with it), or on demand for a job still running.
import type { CampaignBatchError } from '@campaigns/core';
import { mergeBatchResponses, type ChunkReport } from '@campaigns/core/internal';
import { SCAN, type JobStore } from './store.js';

export async function groupErrors(
  store: Pick<JobStore, 'errorAnswers'>,
  id: string,
): Promise<CampaignBatchError[]> {
  const order: string[] = [];
  const report: ChunkReport<never> = { keys: order, results: [], errors: [] };
  for (let from: number | undefined = 0; from !== undefined;) {
    const page: Awaited<ReturnType<JobStore['errorAnswers']>> = await store.errorAnswers(
      id,
      from,
      SCAN,
    );
    for (const { campaignId, error } of page.errors) {
      order.push(campaignId);
      report.errors.push({ keys: [campaignId], error });
    }
    from = page.next;
  }
  if (order.length === 0) return [];
  // The engine's own merge groups equal errors and lists their ids in input order.
  const at = new Date().toISOString();
  return mergeBatchResponses(order, [report], { startedAt: at, completedAt: at }).errors;
}
