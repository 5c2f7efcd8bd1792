import { memo, useMemo } from 'react';
import { YAxis } from 'recharts';
import { ChartFrame, measuredLines } from './ChartFrame';
import { CHART_COLORS, accuracyTicks, type MeasuredSeries, type XScale } from './series';
import { epochLines, timeAxis, type Boundary } from './timeAxis';

export interface AccuracyPlotProps {
  train: MeasuredSeries;
  test: MeasuredSeries;
  floor: number;
  x: XScale;
  boundaries: Boundary[];
  smoothing: number;
}

/** The accuracy plot (see AccuracyChart), drawn by recharts: its own chunk, loaded lazily (PlotBox.tsx). */
export default memo(function AccuracyPlot({
  train,
  test,
  floor,
  x,
  boundaries,
  smoothing,
}: AccuracyPlotProps) {
  const yTicks = useMemo(() => accuracyTicks(floor), [floor]);
  return (
    <ChartFrame>
      {timeAxis(x)}
      <YAxis
        type="number"
        dataKey="y"
        domain={[floor, 100]}
        allowDataOverflow
        ticks={yTicks}
        width={44}
        tickFormatter={(v: number) => `${v}%`}
        stroke={CHART_COLORS.axis}
        fontSize={12}
      />
      {epochLines(boundaries)}
      {measuredLines(train, test, smoothing)}
    </ChartFrame>
  );
});
