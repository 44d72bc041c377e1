// Step 1: search and page through campaigns, and select some, page after page, or all matching.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Gateway } from './api';
import { collectMatching, listCampaigns, type CampaignPage, type CampaignRow } from './campaigns';

export const PAGE_SIZE = 50;

interface Props {
  gateway: Gateway;
  /** The most campaigns one job takes (MAX_CAMPAIGNS_PER_JOB). */
  cap: number;
  selected: ReadonlyMap<string, CampaignRow>;
  onSelect(rows: CampaignRow[], on: boolean): void;
  /** Makes `rows` the selection ("select all matching" replaces it, so it stays within the cap). */
  onReplace(rows: CampaignRow[]): void;
  onClear(): void;
  announce(message: string): void;
}

export function CampaignPicker({
  gateway,
  cap,
  selected,
  onSelect,
  onReplace,
  onClear,
  announce,
}: Props) {
  const [draft, setDraft] = useState('');
  const [name, setName] = useState('');
  /** The cursors of the pages before this one: `after` of page n is cursors[n]. */
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<CampaignPage>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();
  const [matching, setMatching] = useState<{ found: number; total?: number | undefined }>();
  const matchingAbort = useRef<AbortController | undefined>(undefined);
  const pageIndex = cursors.length - 1;

  const load = useCallback(
    (after: string | undefined, signal: AbortSignal) => {
      setLoading(true);
      setError(undefined);
      listCampaigns(gateway, { name, first: PAGE_SIZE, after, signal })
        .then((result) => {
          setPage(result);
          announce(
            `${result.total ?? result.rows.length} campaign${result.total === 1 ? '' : 's'} match${name ? ` "${name}"` : ''}; page ${pageIndex + 1}`,
          );
        })
        .catch((e: unknown) => {
          if (!signal.aborted) setError(messageOf(e));
        })
        .finally(() => {
          if (!signal.aborted) setLoading(false);
        });
    },
    [gateway, name, pageIndex, announce],
  );

  useEffect(() => {
    const abort = new AbortController();
    load(cursors[cursors.length - 1], abort.signal);
    return () => abort.abort();
  }, [load, cursors]);

  useEffect(() => () => matchingAbort.current?.abort(), []);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setName(draft.trim());
    setCursors([undefined]);
  };

  const selectAllMatching = async () => {
    matchingAbort.current?.abort();
    const abort = new AbortController();
    matchingAbort.current = abort;
    setMatching({ found: 0, total: page?.total });
    try {
      const result = await collectMatching(gateway, {
        name,
        cap,
        signal: abort.signal,
        onProgress: (progress) => setMatching(progress),
      });
      onReplace(result.rows);
      announce(
        result.capped
          ? `Selected the first ${result.rows.length} matching campaigns (the selection was replaced): one job takes at most ${cap}.`
          : `Selected all ${result.rows.length} matching campaigns (the selection was replaced).`,
      );
    } catch (e) {
      if (!abort.signal.aborted) setError(messageOf(e));
    } finally {
      if (matchingAbort.current === abort) setMatching(undefined);
    }
  };

  const rows = page?.rows ?? [];
  const allOnPage = rows.length > 0 && rows.every((row) => selected.has(row.id));

  return (
    <section aria-labelledby="pick-heading" className="panel">
      <h2 id="pick-heading">1. Choose campaigns</h2>
      <form role="search" onSubmit={search} className="row">
        <label htmlFor="search-name">Campaign name contains</label>
        <input
          id="search-name"
          type="search"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder="e.g. Summer sale"
        />
        <button type="submit">Search</button>
      </form>

      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <div className="scroll" tabIndex={0} role="region" aria-label="Campaigns, scrollable">
        <table aria-label="Campaigns" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col" className="check">
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={allOnPage}
                  disabled={rows.length === 0}
                  onChange={(e) => onSelect(rows, e.target.checked)}
                />
              </th>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} className={selected.has(row.id) ? 'selected' : undefined}>
                <td className="check">
                  <input
                    type="checkbox"
                    aria-label={`Select ${row.name || row.id}`}
                    checked={selected.has(row.id)}
                    onChange={(e) => onSelect([row], e.target.checked)}
                  />
                </td>
                <td>{row.name}</td>
                <td>{row.status}</td>
                <td className="notes">{row.notes}</td>
              </tr>
            ))}
            {!loading && rows.length === 0 && (
              <tr>
                <td colSpan={4}>No campaign matches.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <nav aria-label="Pages" className="row">
        <button
          type="button"
          disabled={pageIndex === 0 || loading}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Previous page
        </button>
        <span>
          Page {pageIndex + 1}
          {page?.total !== undefined && ` of ${Math.max(1, Math.ceil(page.total / PAGE_SIZE))}`}
        </span>
        <button
          type="button"
          disabled={!page?.hasNextPage || loading}
          onClick={() => setCursors((c) => [...c, page?.endCursor])}
        >
          Next page
        </button>
      </nav>

      <div className="row selection">
        <strong>
          {selected.size} selected
          {selected.size >= cap && ` (the most one job takes)`}
        </strong>
        {matching ? (
          <>
            <span role="status" aria-live="polite">
              Collecting matching campaigns: {matching.found}
              {matching.total !== undefined && ` of ${Math.min(matching.total, cap)}`}
            </span>
            <button type="button" onClick={() => matchingAbort.current?.abort()}>
              Stop
            </button>
          </>
        ) : (
          <button
            type="button"
            onClick={() => void selectAllMatching()}
            disabled={!page}
            title="Replaces the selection with the campaigns that match the search"
          >
            Select all {page?.total !== undefined ? Math.min(page.total, cap) : ''} matching
          </button>
        )}
        <button type="button" onClick={onClear} disabled={selected.size === 0}>
          Clear selection
        </button>
      </div>
    </section>
  );
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
