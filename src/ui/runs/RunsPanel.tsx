/**
 * The run ledger as a list: every saved run with its date, model, test accuracy and duration; Load
 * (its curves and its model), Rename, Delete, Delete all, and what the browser stores for this
 * site. Refreshed whenever the ledger changes (`version`).
 */
import { useEffect, useRef, useState } from 'react';
import { liveRunIds } from '../../client/liveRuns';
import { formatBytes, storageUse, type RunLedger, type RunSummary } from '../../client/runLedger';
import type { ExportKind } from '../../client/runFiles';
import { MAX_COMPARED } from './compare';
import { ImportModel } from './ImportModel';
import { RunComparison } from './RunComparison';
import { RunItem } from './RunItem';
import { useCompare, type CompareTicks } from './useCompare';

interface Props {
  ledger: RunLedger;
  /** Bumped when the ledger changed. */
  version: number;
  /** The run shown on the Train tab, if it is a saved one. */
  currentId: string | null;
  /** The id of the run that trains now, if any: deleting it stops it, so that is asked first. */
  trainingId: string | null;
  /** False while a run trains or the model changes: a model cannot be loaded under it. */
  canLoad: boolean;
  /** False while a run trains or the model changes (an import waits for the data by itself). */
  canImport: boolean;
  /** The runs ticked "Compare", kept while the tab is closed. */
  compareTicks: CompareTicks;
  /** The model change under way ("Importing net.safetensors"), or null. */
  changing: string | null;
  onLoad: (id: string) => Promise<void>;
  onRename: (id: string, name: string) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
  onDeleteAll: () => Promise<void>;
  /** Imports a .safetensors model: the current model from then on, kept as a run. */
  onImport: (files: File[]) => Promise<{ name: string; model: string; accuracy: number }>;
  /** Downloads the run's weights for PyTorch, or its log as CSV. */
  onExport: (id: string, as: ExportKind) => Promise<void>;
}

type Listing =
  | { status: 'loading' }
  | { status: 'ready'; runs: RunSummary[]; live: Set<string> }
  | { status: 'error'; message: string };

export function RunsPanel({
  ledger,
  version,
  currentId,
  trainingId,
  canLoad,
  canImport,
  compareTicks,
  changing,
  onLoad,
  onRename,
  onDelete,
  onDeleteAll,
  onExport,
  onImport,
}: Props) {
  const [listing, setListing] = useState<Listing>({ status: 'loading' });
  const [use, setUse] = useState<{ usage: number; quota: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const runsNow = listing.status === 'ready' ? listing.runs : null;
  const { ticked, compared, toggleCompare } = useCompare(ledger, runsNow, compareTicks, setProblem);
  // Once a deletion shows in the list, the focus goes to the run after the deleted one (before
  // it, if it was the last), else to the panel's heading: never lost to the page's body.
  const refocus = useRef<{ deleted: string; next: string | null } | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    const after = refocus.current;
    if (!after || !runsNow || runsNow.some((r) => r.id === after.deleted)) return;
    refocus.current = null;
    const next =
      after.next && listRef.current?.querySelector<HTMLElement>(`[data-run-id="${CSS.escape(after.next)}"]`);
    (next || headingRef.current)?.focus();
  }, [runsNow]);

  useEffect(() => {
    let live = true;
    Promise.all([ledger.list(), liveRunIds()]).then(
      ([runs, training]) => live && setListing({ status: 'ready', runs, live: training }),
      (e: Error) =>
        live && setListing({ status: 'error', message: `The saved runs could not be read: ${e.message}` }),
    );
    void storageUse().then((u) => live && setUse(u));
    return () => {
      live = false;
    };
  }, [ledger, version]);

  const act = (what: Promise<void>) =>
    what.then(
      () => setProblem(null),
      (e: Error) => setProblem(e.message),
    );

  return (
    <section className="panel runs" aria-labelledby="runs-title">
      <div className="panel-head">
        <h2 id="runs-title" ref={headingRef} tabIndex={-1}>
          Runs
        </h2>
        <span className="hint" data-testid="runs.storage">
          {use ? `${formatBytes(use.usage)} stored of ${formatBytes(use.quota)} this site may use` : ''}
        </span>
        <button
          type="button"
          disabled={listing.status !== 'ready' || listing.runs.length === 0}
          onClick={() => {
            const also = trainingId ? ' The run that is training stops.' : '';
            if (confirm(`Delete every saved run? This cannot be undone.${also}`))
              void act(onDeleteAll().then(() => headingRef.current?.focus()));
          }}
        >
          Delete all
        </button>
      </div>
      <p className="hint">
        Every run is kept in this browser (IndexedDB) as it trains: its settings, every batch&apos;s loss,
        every measurement and its weights. Nothing leaves the page.
      </p>
      <ImportModel canImport={canImport} onImport={onImport} onProblem={setProblem} />
      {changing && (
        <p className="hint" role="status" aria-label="Model change">
          <progress aria-label={changing} /> {changing}… Train, Reset and Load wait until it has finished.
        </p>
      )}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      {listing.status === 'loading' && <p className="hint">Reading the saved runs…</p>}
      {listing.status === 'error' && (
        <p className="field-error" role="alert">
          {listing.message}
        </p>
      )}
      {listing.status === 'ready' &&
        (listing.runs.length === 0 ? (
          <p className="hint">No runs yet: press Train on the Train tab.</p>
        ) : (
          <ul className="run-list" aria-label="Runs" ref={listRef}>
            {listing.runs.map((r, i, all) => (
              <RunItem
                key={r.id}
                run={r}
                current={r.id === currentId}
                training={r.id === trainingId}
                elsewhere={
                  r.id !== trainingId &&
                  listing.live.has(r.id) &&
                  (r.state === 'training' || r.state === 'paused')
                }
                canLoad={canLoad}
                onLoad={() => void act(onLoad(r.id))}
                onRename={(name) => act(onRename(r.id, name))}
                onDelete={() => {
                  const where = r.id === trainingId ? '' : listing.live.has(r.id) ? ' in another tab' : null;
                  if (
                    where === null ||
                    confirm(
                      `"${r.name}" is training${where}. Delete it? The run stops, and nothing of it is kept.`,
                    )
                  ) {
                    refocus.current = { deleted: r.id, next: (all[i + 1] ?? all[i - 1])?.id ?? null };
                    void act(onDelete(r.id));
                  }
                }}
                onExport={(as) => void act(onExport(r.id, as))}
                compare={ticked.find((t) => t.id === r.id)?.color ?? null}
                canCompare={ticked.length < MAX_COMPARED}
                onCompare={(on) => toggleCompare(r, on)}
              />
            ))}
          </ul>
        ))}
      {compared.length > 0 && <RunComparison runs={compared} />}
    </section>
  );
}
