import { XAxis, YAxis } from 'recharts';
import { ChartFrame } from '../charts/ChartFrame';
import { CHART_COLORS, type XY } from '../charts/series';
import { SeriesPath } from '../charts/SvgSeries';
import type { ComparedRun } from './compare';

export interface ComparisonPlotProps {
  series: XY[][];
  runs: readonly ComparedRun[];
  epochs: number;
  y: [number, number];
  ticks: number[];
  percent?: boolean;
}

/** One of the comparison's plots, drawn by recharts: its own chunk, loaded lazily (PlotBox.tsx). */
export default function ComparisonPlot({ series, runs, epochs, y, ticks, percent }: ComparisonPlotProps) {
  return (
    <ChartFrame>
      <XAxis
        type="number"
        dataKey="x"
        domain={[0, epochs]}
        allowDataOverflow
        allowDecimals={false}
        stroke={CHART_COLORS.axis}
        fontSize={12}
        label={{
          value: 'epoch',
          position: 'insideBottomRight',
          offset: -6,
          fill: CHART_COLORS.axis,
          fontSize: 11,
        }}
      />
      <YAxis
        type="number"
        dataKey="y"
        domain={y}
        allowDataOverflow
        ticks={ticks}
        width={44}
        tickFormatter={(v: number) => (percent ? `${v}%` : String(Number(v.toFixed(1))))}
        stroke={CHART_COLORS.axis}
        fontSize={12}
      />
      {series.map((points, i) => (
        <SeriesPath key={runs[i].summary.id} points={points} stroke={runs[i].color} width={2} />
      ))}
    </ChartFrame>
  );
}
