/**
 * Epoch n of N, a bar over the whole run, samples per second, elapsed time and time remaining.
 * Reads the batch count from the metrics store, so it re-renders at most once per frame.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { MetricsStore } from '../../client/metricsStore';
import type { RunInfo } from '../../client/sessionState';
import { formatCount } from '../../shared/format';

interface Props {
  store: MetricsStore;
  run: RunInfo | null;
  trainCount: number;
}

export function ProgressPanel({ store, run, trainCount }: Props) {
  useSyncExternalStore(store.losses.subscribe, store.losses.getVersion);
  const now = useClock(run !== null && run.endedAt === null && run.pausedAt === null);

  const batchesPerEpoch = run ? Math.ceil(trainCount / run.config.batchSize) : 0;
  const total = run ? batchesPerEpoch * run.config.epochs : 0;
  const done = run ? store.getLosses().length : 0;
  const fraction = total > 0 ? Math.min(done / total, 1) : 0;
  const elapsedMs = run
    ? Math.max(0, (run.endedAt ?? run.pausedAt ?? now) - run.startedAt - run.pausedMs)
    : 0;
  const samples = run ? Math.min(done * run.config.batchSize, trainCount * run.config.epochs) : 0;
  const perSecond = elapsedMs > 500 ? samples / (elapsedMs / 1000) : 0;
  const remainingMs =
    fraction > 0.01 && run?.state === 'training' ? (elapsedMs / fraction) * (1 - fraction) : null;
  const epoch = run ? Math.min(Math.floor(done / Math.max(batchesPerEpoch, 1)) + 1, run.config.epochs) : 0;

  return (
    <div className="progress">
      <div
        className="progress-bar"
        role="progressbar"
        aria-label="Training progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <span style={{ width: `${fraction * 100}%` }} />
      </div>
      <dl>
        <dt>Epoch</dt>
        <dd data-testid="progress.epoch">{run ? `${epoch} of ${run.config.epochs}` : '–'}</dd>
        <dt>Batches</dt>
        <dd>{run ? `${formatCount(done)} of ${formatCount(total)}` : '–'}</dd>
        <dt>Samples/s</dt>
        <dd>{perSecond > 0 ? formatCount(Math.round(perSecond)) : '–'}</dd>
        <dt>Elapsed</dt>
        <dd>{run ? formatDuration(elapsedMs) : '–'}</dd>
        <dt>Remaining</dt>
        <dd>{remainingMs !== null ? `~${formatDuration(remainingMs)}` : '–'}</dd>
      </dl>
    </div>
  );
}

/** performance.now(), refreshed twice a second while `running`, so the elapsed time ticks on. */
function useClock(running: boolean): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}
