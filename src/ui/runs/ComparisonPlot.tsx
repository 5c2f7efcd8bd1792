import { Plot } from '../charts/Plot';
import { niceTicks, type XY } from '../charts/series';
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

const percentText = (v: number) => `${v}%`;
const numberText = (v: number) => String(Number(v.toFixed(1)));

/** One of the comparison's plots: its runs against epochs, one colour each. */
export function ComparisonPlot({ series, runs, epochs, y, ticks, percent }: ComparisonPlotProps) {
  return (
    <Plot
      height={200}
      x={{ min: 0, max: epochs, ticks: niceTicks(epochs, true), format: String, label: 'epoch' }}
      y={{ min: y[0], max: y[1], ticks, format: percent ? percentText : numberText }}
    >
      {series.map((points, i) => (
        <SeriesPath key={runs[i].summary.id} points={points} stroke={runs[i].color} width={2} />
      ))}
    </Plot>
  );
}
