/**
 * The runs ticked "Compare", side by side: their smoothed loss and their test accuracy against
 * epochs, one colour per run in both charts, the legend and the table; and a table of their
 * settings and results with the rows that differ marked.
 */
import { useMemo } from 'react';
import { XAxis, YAxis } from 'recharts';
import { ChartFrame } from '../charts/ChartFrame';
import { accuracyFloor, accuracyTicks, CHART_COLORS, lossAxis, type XY } from '../charts/series';
import { ChartLegend, SeriesPath } from '../charts/SvgSeries';
import { accuracyByEpoch, comparisonRows, lossByEpoch, type ComparedRun } from './compare';

/** The loss averages about the last 100 batches here: runs of different lengths stay readable. */
const SMOOTHING = 0.99;

export function RunComparison({ runs }: { runs: readonly ComparedRun[] }) {
  const losses = useMemo(() => runs.map((r) => lossByEpoch(r, SMOOTHING)), [runs]);
  const accuracies = useMemo(() => runs.map(accuracyByEpoch), [runs]);
  const rows = useMemo(() => comparisonRows(runs), [runs]);
  const epochs = Math.max(1, ...runs.map((r) => r.summary.config.epochs));
  const yLoss = lossAxis(...losses);
  const floor = accuracyFloor(accuracies.flat().map((p) => p.y));

  return (
    <figure className="panel comparison" aria-label="Run comparison">
      <h2>Run comparison</h2>
      <div className="comparison-charts">
        <Plot
          title="Loss (smoothed)"
          series={losses}
          runs={runs}
          epochs={epochs}
          y={[0, yLoss.max]}
          ticks={yLoss.ticks}
        />
        <Plot
          title="Test accuracy"
          series={accuracies}
          runs={runs}
          epochs={epochs}
          y={[floor, 100]}
          ticks={accuracyTicks(floor)}
          percent
        />
      </div>
      <ChartLegend items={runs.map((r) => ({ label: r.summary.name, color: r.color }))} />
      <div className="table-scroll">
        <table className="data-table comparison-table" aria-label="Compared runs">
          <caption>Rows marked “differs” are where the runs are not alike.</caption>
          <thead>
            <tr>
              <th scope="col">Setting</th>
              {runs.map((r) => (
                <th key={r.summary.id} scope="col">
                  <span className="chart-swatch" style={{ background: r.color }} /> {r.summary.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label} className={row.differs ? 'differs' : undefined}>
                <th scope="row">
                  {row.label}
                  {row.differs && <span className="differs-mark"> (differs)</span>}
                </th>
                {row.values.map((v, i) => (
                  <td key={runs[i].summary.id}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

interface PlotProps {
  title: string;
  series: XY[][];
  runs: readonly ComparedRun[];
  epochs: number;
  y: [number, number];
  ticks: number[];
  percent?: boolean;
}

function Plot({ title, series, runs, epochs, y, ticks, percent }: PlotProps) {
  return (
    <div className="comparison-plot">
      <h3>{title}</h3>
      <ChartFrame height={200}>
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
    </div>
  );
}
