// The bulk editor: choose campaigns, say what to change, run it as a job and see what came of it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Gateway } from './api';
import type { CampaignRow } from './campaigns';
import { CampaignPicker, messageOf } from './CampaignPicker';
import { ChangeForm } from './ChangeForm';
import type { UpdateInput } from './inputs';
import { JobPanel, type JobView } from './JobPanel';
import {
  cancelJob,
  combineOutcomes,
  followJob,
  readOutcome,
  retryInputs,
  startJob,
  type JobOutcome,
  type JobProgress,
} from './jobs';
import type { EditorLimits } from './limits';
import { bodyLimitFor, splitForBody } from './split';

interface Props {
  gateway: Gateway;
  limits: EditorLimits;
}

export function App({ gateway, limits }: Props) {
  const [selected, setSelected] = useState<ReadonlyMap<string, CampaignRow>>(new Map());
  /** Names of every campaign seen, for the results table. */
  const names = useRef(new Map<string, string>());
  const [job, setJob] = useState<JobView & { inputs: UpdateInput[] }>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const following = useRef<AbortController | undefined>(undefined);

  const announce = useCallback((message: string) => setStatus(message), []);
  useEffect(() => () => following.current?.abort(), []);

  const select = useCallback((rows: CampaignRow[], on: boolean) => {
    for (const row of rows) if (row.name) names.current.set(row.id, row.name);
    setSelected((current) => {
      const next = new Map(current);
      for (const row of rows) {
        if (on) next.set(row.id, row);
        else next.delete(row.id);
      }
      return next;
    });
  }, []);

  const replace = useCallback((rows: CampaignRow[]) => {
    for (const row of rows) if (row.name) names.current.set(row.id, row.name);
    setSelected(new Map(rows.map((row) => [row.id, row])));
  }, []);

  const selectedIds = useMemo(() => [...selected.keys()], [selected]);

  /** Set by "Cancel": no further part of the run is started. */
  const canceled = useRef(false);

  const run = useCallback(
    async (inputs: UpdateInput[], what: string) => {
      following.current?.abort();
      const abort = new AbortController();
      following.current = abort;
      canceled.current = false;
      setBusy(true);
      setJob({ inputs, what });
      try {
        // Measured as sent: a body over the gateway's limit for this caller is never sent.
        const limit = bodyLimitFor(limits, gateway.credentialed);
        const parts = splitForBody(inputs, limit, limits.maxCampaignsPerJob);
        const total = inputs.length;
        setJob((view) => view && { ...view, parts: parts.length });
        announce(
          parts.length === 1
            ? `Starting a job: ${what} campaigns.`
            : `Starting ${parts.length} jobs one after the other (each request within ${limit.setting}=${limit.bytes} bytes): ${what} campaigns.`,
        );
        const outcomes: JobOutcome[] = [];
        /** What the parts before the current one answered. */
        const before = { done: 0, succeeded: 0, failed: 0, sent: 0 };
        /** Inputs of the part now running. */
        let current = 0;
        const combined = (progress: JobProgress): JobProgress => ({
          ...progress,
          // The parts after this one count with their inputs until they run.
          total: total - current + progress.total,
          done: before.done + progress.done,
          succeeded: before.succeeded + progress.succeeded,
          failed: before.failed + progress.failed,
        });
        let lastPercent = -1;
        let ended: JobProgress | undefined;
        for (const [index, part] of parts.entries()) {
          if (canceled.current) break;
          current = part.length;
          const started = await startJob(gateway, part);
          setJob((view) => view && { ...view, part: index + 1, progress: combined(started) });
          ended = await followJob(gateway, started.id, {
            signal: abort.signal,
            onProgress: (progress, via) => {
              const all = combined(progress);
              setJob((view) => view && { ...view, progress: all, via });
              // Announce each tenth, not every event.
              const percent = Math.floor((all.done / Math.max(all.total, 1)) * 10) * 10;
              if (percent !== lastPercent) {
                lastPercent = percent;
                announce(`Job ${all.status.toLowerCase()}: ${percent}% answered.`);
              }
            },
          });
          outcomes.push(await readOutcome(gateway, ended.id));
          before.done += ended.done;
          before.succeeded += ended.succeeded;
          before.failed += ended.failed;
          before.sent += part.length;
          current = 0;
          if (ended.status === 'CANCELED') break;
        }
        const last = ended!;
        const job: JobProgress = {
          ...last,
          total: outcomes.reduce((sum, o) => sum + o.job.total, 0),
          done: before.done,
          succeeded: before.succeeded,
          failed: before.failed,
        };
        const outcome = combineOutcomes(outcomes, job);
        setJob((view) => view && { ...view, progress: job, outcome });
        announce(
          `Job ${last.status === 'COMPLETE' ? 'complete' : 'canceled'}: ${job.succeeded} succeeded, ${job.failed} failed.`,
        );
      } catch (error) {
        if (abort.signal.aborted) return;
        const message = `The job could not be run: ${messageOf(error)}`;
        setJob((view) => view && { ...view, error: message });
        announce(message);
      } finally {
        if (following.current === abort) setBusy(false);
      }
    },
    [gateway, limits, announce],
  );

  const cancel = useCallback(async () => {
    const id = job?.progress?.id;
    if (!id) return;
    canceled.current = true;
    try {
      await cancelJob(gateway, id);
      announce('Canceling the job…');
    } catch (error) {
      announce(`The job could not be canceled: ${messageOf(error)}`);
    }
  }, [gateway, job, announce]);

  const retry = useCallback(() => {
    if (!job?.outcome) return;
    const inputs = retryInputs(job.inputs, job.outcome.failedIds);
    void run(inputs, `retry of the ${inputs.length} failed`);
  }, [job, run]);

  return (
    <main>
      <header>
        <h1>Campaigns bulk editor</h1>
        <p className="status" role="status" aria-live="polite" aria-atomic="true">
          {status}
        </p>
      </header>
      <CampaignPicker
        gateway={gateway}
        cap={limits.maxCampaignsPerJob}
        selected={selected}
        onSelect={select}
        onReplace={replace}
        onClear={() => setSelected(new Map())}
        announce={announce}
      />
      <ChangeForm
        selectedIds={selectedIds}
        limits={limits}
        busy={busy}
        onSubmit={(inputs, what) => void run(inputs, what)}
      />
      {job && (
        <JobPanel
          view={job}
          names={names.current}
          busy={busy}
          onCancel={() => void cancel()}
          onRetry={retry}
        />
      )}
    </main>
  );
}
