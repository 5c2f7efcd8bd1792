import { useMemo } from 'react';
import { CartesianGrid, ComposedChart, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { MetricsStore } from '../../client/metricsStore';
import { useStoreMemo } from '../hooks/useStoreVersion';
import { CHART_COLORS, accuracyCaption, accuracyFloor, accuracyRows, accuracyTicks } from './series';
import { ChartLegend, SeriesDots, SeriesPath } from './SvgSeries';

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
  const train = useMemo(() => rows.map((r) => ({ x: r.epoch, y: r.train })), [rows]);
  const test = useMemo(() => rows.map((r) => ({ x: r.epoch, y: r.test })), [rows]);

  return (
    <figure className="panel chart" aria-label="Accuracy chart" data-testid="chart.accuracy">
      <h2 className="chart-title">Accuracy per epoch</h2>
      {/* The chart is mounted from the start, empty, so the first epoch does not pay for mounting it. */}
      <div className="chart-plot" style={{ height }}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart
            // No keyboard layer: the chart is a picture; its numbers are in the caption.
            accessibilityLayer={false}
            margin={{ top: 8, right: 16, bottom: 12, left: 0 }}
          >
            <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />
            <XAxis
              type="number"
              // No item hands this axis data, but without a dataKey recharts draws no scale at all.
              dataKey="epoch"
              domain={[1, lastEpoch]}
              // Fixed domains: the series draw themselves (SvgSeries.tsx) and hand recharts no data.
              allowDataOverflow
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
              type="number"
              domain={[floor, 100]}
              allowDataOverflow
              ticks={yTicks}
              width={44}
              tickFormatter={(v: number) => `${v}%`}
              stroke={CHART_COLORS.axis}
              fontSize={12}
            />
            <SeriesPath points={train} stroke={CHART_COLORS.train} width={2} />
            <SeriesPath points={test} stroke={CHART_COLORS.test} width={2} />
            <SeriesDots points={train} fill={CHART_COLORS.train} />
            <SeriesDots points={test} fill={CHART_COLORS.test} />
          </ComposedChart>
        </ResponsiveContainer>
        {!latest && (
          <p className="chart-empty">
            After each epoch, training (in-sample) and test (out-of-sample) accuracy appear here side by side;
            a growing gap means the model is over-fitting.
          </p>
        )}
      </div>
      <ChartLegend
        items={[
          { label: 'Train (in-sample)', color: CHART_COLORS.train },
          { label: 'Test (out-of-sample)', color: CHART_COLORS.test },
        ]}
      />
      <figcaption className="chart-caption">{latest ? accuracyCaption(latest) : 'No epochs yet.'}</figcaption>
    </figure>
  );
}
