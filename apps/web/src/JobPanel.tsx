// Step 3: the job: live progress, then what succeeded and what failed (with HubSpot's reason),
// and a retry of the failed ones as a new job.
import type { JobOutcome, JobProgress } from './jobs';

/** Result rows shown at most (failures come first, so they are always among them). */
const SHOWN_ROWS = 1_000;

export interface JobView {
  /** What was asked, for people: "set hs_notes on 120". */
  what: string;
  /** How many jobs the run was split into (the gateway's body limit), and which one runs. */
  parts?: number;
  part?: number;
  progress?: JobProgress;
  via?: 'stream' | 'polling';
  outcome?: JobOutcome;
  error?: string;
}

interface Props {
  view: JobView;
  names: ReadonlyMap<string, string>;
  onCancel(): void;
  onRetry(): void;
  busy: boolean;
}

function percent(progress: JobProgress): number {
  return progress.total === 0 ? 100 : Math.floor((progress.done / progress.total) * 100);
}

export function JobPanel({ view, names, onCancel, onRetry, busy }: Props) {
  const { progress, outcome } = view;
  const running = progress && !outcome && !view.error;
  return (
    <section aria-labelledby="job-heading" className="panel">
      <h2 id="job-heading">3. Job</h2>
      <p>
        Asked: {view.what} campaign{view.what.endsWith(' 1') ? '' : 's'}
        {progress && (
          <>
            {' '}
            · job{view.parts && view.parts > 1 ? ` ${view.part ?? 1} of ${view.parts}` : ''}{' '}
            <code>{progress.id}</code> · <span data-testid="job-status">{progress.status}</span>
            {progress.stopReason && ` (${progress.stopReason})`}
          </>
        )}
      </p>
      {progress && (
        <div className="progress">
          <label htmlFor="job-progress">Progress</label>
          <progress id="job-progress" max={Math.max(progress.total, 1)} value={progress.done}>
            {percent(progress)}%
          </progress>
          <span data-testid="job-percent">{percent(progress)}%</span>
          <span>
            {progress.done} of {progress.total} answered: {progress.succeeded} succeeded,{' '}
            {progress.failed} failed
            {view.via === 'polling' && ' (read every second: the live stream is not available)'}
          </span>
          {running && (
            <button type="button" onClick={onCancel}>
              Cancel the job
            </button>
          )}
        </div>
      )}
      {view.error && (
        <p className="error" role="alert">
          {view.error}
        </p>
      )}
      {outcome && (
        <>
          <div className="row">
            <strong>
              {outcome.job.succeeded} succeeded, {outcome.job.failed} failed
            </strong>
            {outcome.failedIds.length > 0 && (
              <button type="button" className="primary" onClick={onRetry} disabled={busy}>
                Retry the {outcome.failedIds.length} failed
              </button>
            )}
          </div>
          {outcome.errorCount > outcome.listedGroups && (
            <p>
              Only the first {outcome.listedGroups} of {outcome.errorCount} error groups are listed
              (and retried).
            </p>
          )}
          <div className="scroll" tabIndex={0} role="region" aria-label="Results, scrollable">
            <table aria-label="Results" className="results">
              <thead>
                <tr>
                  <th scope="col">Result</th>
                  <th scope="col">Campaign</th>
                  <th scope="col">Id</th>
                  <th scope="col">HubSpot's reason</th>
                </tr>
              </thead>
              <tbody>
                {outcome.rows.slice(0, SHOWN_ROWS).map((row) => (
                  <tr key={row.id} className={row.ok ? 'ok' : 'failed'}>
                    <td>{row.ok ? 'Succeeded' : 'Failed'}</td>
                    <td>{names.get(row.id) ?? ''}</td>
                    <td>
                      <code>{row.id}</code>
                    </td>
                    <td>
                      {row.ok
                        ? ''
                        : `${row.reason ?? ''}${row.category ? ` (${row.category})` : ''}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {outcome.rows.length > SHOWN_ROWS && (
            <p>
              Showing {SHOWN_ROWS} of {outcome.rows.length} rows, failures first.
            </p>
          )}
        </>
      )}
    </section>
  );
}
