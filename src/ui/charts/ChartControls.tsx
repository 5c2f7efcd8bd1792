/**
 * How the charts draw, as TensorBoard's scalar dashboard offers it: smoothing (its raw series
 * stays faint), a log loss axis, the x axis in batches, epochs or seconds of training; and the
 * run's full log as a CSV file. The view is kept in the browser's storage (useChartView).
 */
import { useCallback, useEffect, useId, useState } from 'react';
import type { MetricsStore } from '../../client/metricsStore';
import { useStoreMemo } from '../hooks/useStoreVersion';
import { fileName } from '../../client/runFiles';
import { runCsv } from '../../client/runCsv';
import { download } from '../download';
import {
  MAX_SMOOTHING,
  parseView,
  smoothingText,
  X_AXIS_MODES,
  type ChartView,
  type XAxisMode,
} from './series';

const STORAGE_KEY = 'mnist.chartView';

/** The chart view, read from and written to localStorage (missing or bad values: defaults). */
export function useChartView(): [ChartView, (view: ChartView) => void] {
  const [view, setView] = useState<ChartView>(() => {
    try {
      return parseView(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null'));
    } catch {
      return parseView(null);
    }
  });
  useEffect(() => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(view));
    } catch {
      // Storage full or blocked: the view still applies, for this visit.
    }
  }, [view]);
  return [view, setView];
}

interface Props {
  view: ChartView;
  onChange: (view: ChartView) => void;
  store: MetricsStore;
  /** The run's name in the file ("run-3 MLP 784-64-64-64-10"), or null before any run. */
  runName: string | null;
  batchesPerEpoch: number;
}

export function ChartControls({ view, onChange, store, runName, batchesPerEpoch }: Props) {
  const id = useId();
  const hasData = useStoreMemo(store.losses, () => store.getLosses().length > 0);
  const downloadCsv = useCallback(() => {
    if (!runName) return;
    const csv = runCsv({
      name: runName,
      losses: store.getLosses(),
      times: store.getTimes(),
      measurements: store.getMeasurements(),
      batchesPerEpoch,
    });
    download(csv, 'text/csv', fileName(runName, 'csv'));
  }, [runName, store, batchesPerEpoch]);

  return (
    <div className="chart-controls" role="group" aria-label="Chart view">
      <div className="control">
        <label htmlFor={`${id}-smoothing`}>Smoothing</label>
        <input
          id={`${id}-smoothing`}
          type="range"
          min={0}
          max={MAX_SMOOTHING}
          step={0.001}
          value={view.smoothing}
          aria-valuetext={smoothingText(view.smoothing)}
          onChange={(e) => onChange({ ...view, smoothing: Number(e.target.value) })}
        />
        <output htmlFor={`${id}-smoothing`}>{smoothingText(view.smoothing)}</output>
      </div>
      <div className="control">
        <input
          id={`${id}-log`}
          type="checkbox"
          checked={view.logScale}
          onChange={(e) => onChange({ ...view, logScale: e.target.checked })}
        />
        <label htmlFor={`${id}-log`}>Log scale</label>
      </div>
      <div className="control">
        <label htmlFor={`${id}-x`}>X axis</label>
        <select
          id={`${id}-x`}
          value={view.xAxis}
          onChange={(e) => onChange({ ...view, xAxis: e.target.value as XAxisMode })}
        >
          {(Object.keys(X_AXIS_MODES) as XAxisMode[]).map((k) => (
            <option key={k} value={k}>
              {X_AXIS_MODES[k]}
            </option>
          ))}
        </select>
      </div>
      <button type="button" onClick={downloadCsv} disabled={!hasData || !runName}>
        Download CSV
      </button>
    </div>
  );
}
