import { memo } from 'react';
import { MeasuredLines } from './MeasuredLines';
import { Plot } from './Plot';
import {
  CHART_COLORS,
  formatLossTick,
  type LossSeries,
  type MeasuredSeries,
  type ValueAxis,
  type XScale,
} from './series';
import { SeriesPath } from './SvgSeries';
import { epochMarks, timeAxis, type Boundary } from './timeAxis';

export interface LossPlotProps {
  series: LossSeries;
  train: MeasuredSeries;
  test: MeasuredSeries;
  boundaries: Boundary[];
  yAxis: ValueAxis;
  x: XScale;
  logScale: boolean;
  smoothing: number;
  height: number;
}

/** The loss chart's plot (see LossChart). */
export const LossPlot = memo(function LossPlot({
  series,
  train,
  test,
  boundaries,
  yAxis,
  x,
  logScale,
  smoothing,
  height,
}: LossPlotProps) {
  return (
    <Plot
      height={height}
      overlay={
        !series.latest && (
          <p className="chart-empty">
            Press Train: the loss of every batch appears here as it trains, with a smoothed line, the train
            and test loss measured every few batches, and the epoch boundaries.
          </p>
        )
      }
      x={timeAxis(x)}
      y={{ ...yAxis, format: formatLossTick, log: logScale }}
      marks={epochMarks(boundaries)}
      // Room for "0.0001" on a log axis.
      yWidth={logScale ? 54 : 44}
    >
      <SeriesPath points={series.raw} stroke={CHART_COLORS.lossFaint} width={1} />
      <SeriesPath points={series.smoothed} stroke={CHART_COLORS.loss} width={2} />
      <MeasuredLines train={train} test={test} smoothing={smoothing} />
    </Plot>
  );
});
