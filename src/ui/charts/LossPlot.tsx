import { memo } from 'react';
import { YAxis } from 'recharts';
import { ChartFrame, measuredLines } from './ChartFrame';
import {
  CHART_COLORS,
  formatLossTick,
  type LossSeries,
  type MeasuredSeries,
  type ValueAxis,
  type XScale,
} from './series';
import { SeriesPath } from './SvgSeries';
import { epochLines, timeAxis, type Boundary } from './timeAxis';

export interface LossPlotProps {
  series: LossSeries;
  train: MeasuredSeries;
  test: MeasuredSeries;
  boundaries: Boundary[];
  yAxis: ValueAxis;
  x: XScale;
  logScale: boolean;
  smoothing: number;
}

/** The loss plot (see LossChart), drawn by recharts: its own chunk, loaded lazily (PlotBox.tsx). */
export default memo(function LossPlot({
  series,
  train,
  test,
  boundaries,
  yAxis,
  x,
  logScale,
  smoothing,
}: LossPlotProps) {
  return (
    <ChartFrame>
      {timeAxis(x)}
      <YAxis
        type="number"
        dataKey="y"
        scale={logScale ? 'log' : 'linear'}
        domain={[yAxis.min, yAxis.max]}
        allowDataOverflow
        ticks={yAxis.ticks}
        // Room for "0.0001" on a log axis.
        width={logScale ? 54 : 44}
        tickFormatter={formatLossTick}
        stroke={CHART_COLORS.axis}
        fontSize={12}
      />
      {epochLines(boundaries)}
      <SeriesPath points={series.raw} stroke={CHART_COLORS.lossFaint} width={1} />
      <SeriesPath points={series.smoothed} stroke={CHART_COLORS.loss} width={2} />
      {measuredLines(train, test, smoothing)}
    </ChartFrame>
  );
});
