/** One saved run in the Runs list: its facts, and what it can do (load, rename, delete, export, compare). */
import { useEffect, useId, useRef, useState } from 'react';
import type { ExportKind } from '../../client/runFiles';
import type { RunSummary } from '../../client/runLedger';
import { formatCount } from '../../shared/format';
import { MAX_COMPARED } from './compare';

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60
    ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
    : `${seconds.toFixed(1)} s`;
}

/**
 * Where a run stands: done, stopped, training (here or in another tab), or interrupted (saved as
 * training, but no tab trains it: its page went away).
 */
function progress(run: RunSummary, here: boolean, elsewhere: boolean): string {
  // Before its first batches are saved, a run does not know its length yet.
  const of =
    run.totalBatches > 0
      ? `${formatCount(run.batches)} of ${formatCount(run.totalBatches)} batches`
      : 'starting';
  if (run.batches >= run.totalBatches && run.totalBatches > 0) return 'done';
  if (run.state !== 'training' && run.state !== 'paused') return `${run.state}, ${of}`;
  if (elsewhere) return `training in another tab, ${of}`;
  if (here) return `${run.state}, ${of}`;
  if (run.totalBatches === 0) return 'interrupted before its first batches were saved';
  return `interrupted at batch ${formatCount(run.batches)} of ${formatCount(run.totalBatches)}`;
}

interface ItemProps {
  run: RunSummary;
  current: boolean;
  /** It trains in this tab. */
  training: boolean;
  /** It trains in another tab. */
  elsewhere: boolean;
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

export function RunItem({
  run,
  current,
  training,
  elsewhere,
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
  // After Save name or Cancel, the focus goes back to Rename, not to the page's body.
  const refocus = useRef(false);
  const renameRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (refocus.current && editing === null) {
      refocus.current = false;
      renameRef.current?.focus();
    }
  }, [editing]);
  const stopEditing = () => {
    refocus.current = true;
    setEditing(null);
  };
  const id = useId();
  return (
    <li
      aria-label={run.name}
      aria-current={current ? true : undefined}
      className={current ? 'run current' : 'run'}
      data-run-id={run.id}
      tabIndex={-1}
    >
      {editing === null ? (
        <strong className="run-name">{run.name}</strong>
      ) : (
        <form
          className="rename"
          onSubmit={(e) => {
            e.preventDefault();
            const name = editing.trim();
            if (name) void onRename(name).then(stopEditing);
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
          <button type="button" onClick={stopEditing}>
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
        {progress(run, training, elsewhere)}
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
        <button type="button" onClick={onLoad} disabled={!canLoad || elsewhere}>
          Load
        </button>
        <button type="button" ref={renameRef} onClick={() => setEditing(run.name)}>
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
