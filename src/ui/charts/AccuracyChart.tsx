import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { MetricsStore } from '../../client/metricsStore';
import { useStoreMemo } from '../hooks/useStoreVersion';
import { CHART_COLORS, accuracyCaption, accuracyFloor, accuracyRows, accuracyTicks } from './series';

/** Legend text in the body colour, like the loss chart's. */
function legendLabel(value: string) {
  return <span className="chart-legend-label">{value}</span>;
}

export interface AccuracyChartProps {
  store: MetricsStore;
  /** Plot height in CSS pixels; the width follows the container. */
  height?: number;
}

/**
 * Per epoch, in-sample (training) and out-of-sample (test) accuracy as two lines with points on
 * the same axis, so a widening gap (over-fitting) shows. Lines rather than bars because the axis
 * does not start at 0: a one-point gap would vanish on a 0..100 bar. The caption states the latest
 * epoch ("Latest: epoch 2 of 3, train 96.1%, test 95.8% (...)").
 *
 * Subscribes to the store's epoch channel only: per-batch loss updates never re-render it.
 */
export function AccuracyChart({ store, height = 220 }: AccuracyChartProps) {
  const epochs = useStoreMemo(store.epochs, () => store.getEpochs());
  const rows = useMemo(() => accuracyRows(epochs), [epochs]);
  const floor = accuracyFloor(rows);
  const yTicks = useMemo(() => accuracyTicks(floor), [floor]);
  const latest = epochs.at(-1);
  const lastEpoch = Math.max(latest?.epochs ?? 1, latest?.epoch ?? 1);
  const ticks = useMemo(() => Array.from({ length: lastEpoch }, (_, i) => i + 1), [lastEpoch]);

  return (
    <figure className="panel chart" aria-label="Accuracy chart" data-testid="chart.accuracy">
      <h2 className="chart-title">Accuracy per epoch</h2>
      {/* The chart is mounted from the start, empty, so the first batch does not pay for mounting it. */}
      <div className="chart-plot" style={{ height }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />
            <XAxis
              type="number"
              dataKey="epoch"
              domain={[1, lastEpoch]}
              ticks={ticks}
              allowDecimals={false}
              padding={{ left: 16, right: 16 }}
              stroke={CHART_COLORS.axis}
              fontSize={12}
              label={{
                value: 'epoch',
                position: 'insideBottomRight',
                offset: -2,
                fill: CHART_COLORS.axis,
                fontSize: 11,
              }}
            />
            <YAxis
              domain={[floor, 100]}
              ticks={yTicks}
              width={44}
              tickFormatter={(v: number) => `${v}%`}
              stroke={CHART_COLORS.axis}
              fontSize={12}
            />
            <Line
              name="Train (in-sample)"
              dataKey="train"
              stroke={CHART_COLORS.train}
              strokeWidth={2}
              dot={{ r: 4, fill: CHART_COLORS.train }}
              activeDot={false}
              isAnimationActive={false}
            />
            <Line
              name="Test (out-of-sample)"
              dataKey="test"
              stroke={CHART_COLORS.test}
              strokeWidth={2}
              dot={{ r: 4, fill: CHART_COLORS.test }}
              activeDot={false}
              isAnimationActive={false}
            />
            <Legend height={24} iconSize={10} wrapperStyle={{ fontSize: 12 }} formatter={legendLabel} />
          </LineChart>
        </ResponsiveContainer>
        {!latest && (
          <p className="chart-empty">
            After each epoch, training (in-sample) and test (out-of-sample) accuracy appear here side by side;
            a growing gap means the model is over-fitting.
          </p>
        )}
      </div>
      <figcaption className="chart-caption">{latest ? accuracyCaption(latest) : 'No epochs yet.'}</figcaption>
    </figure>
  );
}
