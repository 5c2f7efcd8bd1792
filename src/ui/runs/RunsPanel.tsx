/**
 * The run ledger as a list: every saved run with its date, model, test accuracy and duration; Load
 * (its curves and its model), Rename, Delete, Delete all, and what the browser stores for this
 * site. Refreshed whenever the ledger changes (`version`).
 */
import { useEffect, useId, useState } from 'react';
import {
  formatBytes,
  storageUse,
  type RunData,
  type RunLedger,
  type RunSummary,
} from '../../client/runLedger';
import type { ExportKind } from '../hooks/useTraining';
import { MAX_COMPARED, RUN_COLORS, type ComparedRun } from './compare';
import { RunComparison } from './RunComparison';

interface Props {
  ledger: RunLedger;
  /** Bumped when the ledger changed. */
  version: number;
  /** The run shown on the Train tab, if it is a saved one. */
  currentName: string | null;
  /** False while a run trains: a model cannot be loaded under it. */
  canLoad: boolean;
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
  { status: 'loading' } | { status: 'ready'; runs: RunSummary[] } | { status: 'error'; message: string };

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60
    ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
    : `${seconds.toFixed(1)} s`;
}

export function RunsPanel({
  ledger,
  version,
  currentName,
  canLoad,
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
  const [imported, setImported] = useState<string | null>(null);
  const importId = useId();
  /** Runs ticked "Compare", in the order ticked, each with its colour; their data once read. */
  const [ticked, setTicked] = useState<{ id: string; color: string }[]>([]);
  const [loaded, setLoaded] = useState<ReadonlyMap<string, RunData>>(new Map());
  const toggleCompare = (run: RunSummary, on: boolean) => {
    if (!on) {
      setTicked((t) => t.filter((x) => x.id !== run.id));
      return;
    }
    setTicked((t) => {
      if (t.length >= MAX_COMPARED || t.some((x) => x.id === run.id)) return t;
      const used = new Set(t.map((x) => x.color));
      return [...t, { id: run.id, color: RUN_COLORS.find((k) => !used.has(k)) ?? RUN_COLORS[0] }];
    });
    if (loaded.has(run.id)) return;
    void ledger.data(run.id).then(
      (data) => {
        if (data) setLoaded((m) => new Map(m).set(run.id, data));
        else setProblem(`"${run.name}" is no longer saved.`);
      },
      (e: Error) => setProblem(`"${run.name}" could not be read: ${e.message}`),
    );
  };
  const runsNow = listing.status === 'ready' ? listing.runs : [];
  const compared: ComparedRun[] = ticked.flatMap(({ id, color }) => {
    const summary = runsNow.find((r) => r.id === id);
    const data = loaded.get(id);
    return summary && data ? [{ summary, data, color }] : [];
  });

  useEffect(() => {
    let live = true;
    ledger.list().then(
      (runs) => live && setListing({ status: 'ready', runs }),
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
        <h2 id="runs-title">Runs</h2>
        <span className="hint" data-testid="runs.storage">
          {use ? `${formatBytes(use.usage)} stored of ${formatBytes(use.quota)} this site may use` : ''}
        </span>
        <button
          type="button"
          disabled={listing.status !== 'ready' || listing.runs.length === 0}
          onClick={() => {
            if (confirm('Delete every saved run? This cannot be undone.')) void act(onDeleteAll());
          }}
        >
          Delete all
        </button>
      </div>
      <p className="hint">
        Every run is kept in this browser (IndexedDB) as it trains: its settings, every batch&apos;s loss,
        every measurement and its weights. Nothing leaves the page.
      </p>
      <div className="import-row">
        <label htmlFor={importId}>Import model</label>
        <input
          id={importId}
          type="file"
          accept=".safetensors,.json,.bin"
          multiple
          disabled={!canLoad}
          aria-describedby={`${importId}-hint`}
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = ''; // the same file may be picked again
            if (!files.length) return;
            const picked = files.map((f) => f.name).join(' and ');
            setImported(null);
            void onImport(files).then(
              (r) => {
                setProblem(null);
                setImported(
                  `Imported ${r.name}: ${r.model}, test accuracy ${(r.accuracy * 100).toFixed(2)}% on the 10,000 test images. It reads your drawings now.`,
                );
              },
              (err: Error) =>
                setProblem(
                  `${picked} ${files.length > 1 ? 'were' : 'was'} not imported: ${err.message} The current model is unchanged.`,
                ),
            );
          }}
        />
        <span id={`${importId}-hint`} className="hint">
          a .safetensors file with the tutorial&apos;s names (fc1.weight, ...; conv1.weight first for a CNN),
          as PyTorch&apos;s state_dict has them; or a TensorFlow.js model.json picked together with its
          weights file
        </span>
      </div>
      {imported && (
        <p className="notice-ok" role="status">
          {imported}
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
          <ul className="run-list" aria-label="Runs">
            {listing.runs.map((r) => (
              <RunItem
                key={r.id}
                run={r}
                current={r.name === currentName}
                canLoad={canLoad}
                onLoad={() => void act(onLoad(r.id))}
                onRename={(name) => act(onRename(r.id, name))}
                onDelete={() => void act(onDelete(r.id))}
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

interface ItemProps {
  run: RunSummary;
  current: boolean;
  canLoad: boolean;
  onLoad: () => void;
  onRename: (name: string) => Promise<void>;
  onDelete: () => void;
  onExport: (as: ExportKind) => void;
  /** Its colour when ticked "Compare", else null. */
  compare: string | null;
  /** False when MAX_COMPARED runs are ticked already. */
  canCompare: boolean;
  onCompare: (on: boolean) => void;
}

function RunItem({
  run,
  current,
  canLoad,
  onLoad,
  onRename,
  onDelete,
  onExport,
  compare,
  canCompare,
  onCompare,
}: ItemProps) {
  const [editing, setEditing] = useState<string | null>(null);
  const id = useId();
  const done = run.batches >= run.totalBatches && run.totalBatches > 0;
  return (
    <li aria-label={run.name} className={current ? 'run current' : 'run'}>
      {editing === null ? (
        <strong className="run-name">{run.name}</strong>
      ) : (
        <form
          className="rename"
          onSubmit={(e) => {
            e.preventDefault();
            const name = editing.trim();
            if (name) void onRename(name).then(() => setEditing(null));
          }}
        >
          <label htmlFor={id}>New name</label>
          <input
            id={id}
            value={editing}
            maxLength={80}
            autoFocus
            onChange={(e) => setEditing(e.target.value)}
          />
          <button type="submit" disabled={!editing.trim()}>
            Save name
          </button>
          <button type="button" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </form>
      )}
      <span className="run-facts">
        {new Date(run.createdAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })} ·{' '}
        {run.model}
        {run.continuedFrom !== undefined && ` continued from ${run.continuedFrom}`}
        {' · '}
        {run.testAccuracy === null
          ? 'no epoch finished'
          : `test ${(run.testAccuracy * 100).toFixed(2)}%`} · {duration(run.trainingSeconds)} ·{' '}
        {done ? 'done' : `${run.state}, ${run.batches} of ${run.totalBatches} batches`}
      </span>
      <span className="run-actions">
        <label
          className="compare-box"
          title={canCompare || compare ? undefined : `At most ${MAX_COMPARED} runs at once`}
        >
          <input
            type="checkbox"
            checked={compare !== null}
            disabled={compare === null && !canCompare}
            onChange={(e) => onCompare(e.target.checked)}
          />
          {compare && <span className="chart-swatch" style={{ background: compare }} />}
          Compare
        </label>
        <button type="button" onClick={onLoad} disabled={!canLoad}>
          Load
        </button>
        <button type="button" onClick={() => setEditing(run.name)}>
          Rename
        </button>
        <button type="button" onClick={onDelete}>
          Delete
        </button>
        <button type="button" onClick={() => onExport('safetensors')} disabled={!run.hasWeights}>
          Export for PyTorch
        </button>
        <button type="button" onClick={() => onExport('tfjs')} disabled={!run.hasWeights}>
          Export for TensorFlow.js
        </button>
        <button type="button" onClick={() => onExport('csv')}>
          Download CSV
        </button>
      </span>
    </li>
  );
}
