import { memo, useMemo } from 'react';
import { MeasuredLines } from './MeasuredLines';
import { Plot } from './Plot';
import { accuracyTicks, type MeasuredSeries, type XScale } from './series';
import { epochMarks, timeAxis, type Boundary } from './timeAxis';

export interface AccuracyPlotProps {
  train: MeasuredSeries;
  test: MeasuredSeries;
  floor: number;
  x: XScale;
  boundaries: Boundary[];
  smoothing: number;
  height: number;
}

const percent = (v: number) => `${v}%`;

/** The accuracy chart's plot (see AccuracyChart). */
export const AccuracyPlot = memo(function AccuracyPlot({
  train,
  test,
  floor,
  x,
  boundaries,
  smoothing,
  height,
}: AccuracyPlotProps) {
  const y = useMemo(() => ({ min: floor, max: 100, ticks: accuracyTicks(floor), format: percent }), [floor]);
  return (
    <Plot
      height={height}
      overlay={
        !train.raw.length && (
          <p className="chart-empty">
            Every few batches, accuracy on a slice of the training images (in-sample) and of the test images
            (out-of-sample) appears here side by side, and on all of them at each epoch&apos;s end; a growing
            gap means the model is over-fitting.
          </p>
        )
      }
      x={timeAxis(x)}
      y={y}
      marks={epochMarks(boundaries)}
    >
      <MeasuredLines train={train} test={test} smoothing={smoothing} />
    </Plot>
  );
});
