/**
 * Runs side by side (pure, for tests): one colour per run, kept across the charts and the table;
 * their curves against epochs (runs of different batch sizes line up there); and which settings
 * and results differ between them.
 */
import { debiasedEma, downsample } from '../../client/downsample';
import type { RunData, RunSummary } from '../../client/runLedger';
import { DECAYS, OPTIMIZERS } from '../../shared/config';
import type { XY } from '../charts/series';

/** At most this many runs are compared: more lines than this cannot be told apart. */
export const MAX_COMPARED = 5;

/** Colours for compared runs, by their order of ticking (none is the charts' train or test colour). */
export const RUN_COLORS = ['#f472b6', '#34d399', '#fb923c', '#60a5fa', '#e879f9'] as const;

export interface ComparedRun {
  summary: RunSummary;
  data: RunData;
  color: string;
}

/** A run's smoothed loss per batch, against epochs, in at most `points` points. */
export function lossByEpoch(run: ComparedRun, smoothing: number, points = 400): XY[] {
  const { losses } = run.data;
  const per = Math.max(1, run.summary.totalBatches / Math.max(1, run.summary.config.epochs));
  if (losses.length === 0) return [];
  const smooth = debiasedEma(losses, smoothing);
  const xs = Float64Array.from({ length: losses.length }, (_, i) => (i + 1) / per);
  const d = downsample(xs, smooth, points);
  return d.xs.map((x, i) => ({ x, y: d.ys[i] }));
}

/** A run's measured test accuracy (percent) against epochs. */
export function accuracyByEpoch(run: ComparedRun): XY[] {
  return run.data.measurements.map((m) => ({ x: m.epoch, y: m.testAccuracy * 100 }));
}

export interface ComparisonRow {
  label: string;
  values: string[];
  /** True when not every run has the same value. */
  differs: boolean;
}

/** The settings and results of `runs`, a row each. */
export function comparisonRows(runs: readonly ComparedRun[]): ComparisonRow[] {
  const row = (label: string, value: (r: ComparedRun) => string): ComparisonRow => {
    const values = runs.map(value);
    return { label, values, differs: new Set(values).size > 1 };
  };
  const c = (r: ComparedRun) => r.summary.config;
  return [
    row('Model', (r) => r.summary.model),
    row('Epochs', (r) => String(c(r).epochs)),
    row('Batch size', (r) => String(c(r).batchSize)),
    row('Learning rate', (r) => String(c(r).learningRate)),
    row('Optimizer', (r) => OPTIMIZERS[c(r).optimizer] ?? c(r).optimizer),
    row('Decay', (r) =>
      c(r).decay === 'none' ? DECAYS.none : `${DECAYS[c(r).decay] ?? c(r).decay} ${c(r).decayRate}`,
    ),
    row('Seed', (r) => String(c(r).seed)),
    row('Started from', (r) => (r.summary.continuedFrom ? r.summary.continuedFrom : 'fresh weights')),
    row('Engine', (r) => r.summary.engine || '–'),
    row('Test accuracy', (r) =>
      r.summary.testAccuracy === null ? '–' : `${(r.summary.testAccuracy * 100).toFixed(2)}%`,
    ),
    row('Training time', (r) => `${r.summary.trainingSeconds.toFixed(1)} s`),
    row('Batches', (r) => `${r.summary.batches} of ${r.summary.totalBatches}`),
  ];
}
