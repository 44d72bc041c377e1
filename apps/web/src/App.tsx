// The bulk editor: choose campaigns, say what to change, run it as a job and see what came of it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Gateway } from './api';
import type { CampaignRow } from './campaigns';
import { CampaignPicker, messageOf } from './CampaignPicker';
import { ChangeForm } from './ChangeForm';
import type { UpdateInput } from './inputs';
import { JobPanel, type JobView } from './JobPanel';
import { cancelJob, followJob, readOutcome, retryInputs, startJob } from './jobs';
import type { EditorLimits } from './limits';

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

  const selectedIds = useMemo(() => [...selected.keys()], [selected]);

  const run = useCallback(
    async (inputs: UpdateInput[], what: string) => {
      following.current?.abort();
      const abort = new AbortController();
      following.current = abort;
      setBusy(true);
      setJob({ inputs, what });
      announce(`Starting a job: ${what} campaigns.`);
      try {
        const started = await startJob(gateway, inputs);
        setJob((view) => view && { ...view, progress: started });
        let lastPercent = -1;
        const ended = await followJob(gateway, started.id, {
          signal: abort.signal,
          onProgress: (progress, via) => {
            setJob((view) => view && { ...view, progress, via });
            // Announce each tenth, not every event.
            const percent = Math.floor((progress.done / Math.max(progress.total, 1)) * 10) * 10;
            if (percent !== lastPercent) {
              lastPercent = percent;
              announce(`Job ${progress.status.toLowerCase()}: ${percent}% answered.`);
            }
          },
        });
        const outcome = await readOutcome(gateway, ended.id);
        setJob((view) => view && { ...view, progress: outcome.job, outcome });
        announce(
          `Job ${ended.status === 'COMPLETE' ? 'complete' : 'canceled'}: ${outcome.job.succeeded} succeeded, ${outcome.job.failed} failed.`,
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
    [gateway, announce],
  );

  const cancel = useCallback(async () => {
    const id = job?.progress?.id;
    if (!id) return;
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
