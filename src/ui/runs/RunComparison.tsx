/**
 * The runs ticked "Compare", side by side: their smoothed loss and their test accuracy against
 * epochs, one colour per run in both charts, the legend and the table; and a table of their
 * settings and results with the rows that differ marked.
 */
import { useMemo } from 'react';
import { ChartLegend } from '../charts/ChartLegend';
import { accuracyFloor, accuracyTicks, lossAxis } from '../charts/series';
import { ComparisonPlot } from './ComparisonPlot';
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
        <div className="comparison-plot">
          <h3>Loss (smoothed)</h3>
          <ComparisonPlot
            series={losses}
            runs={runs}
            epochs={epochs}
            y={[0, yLoss.max]}
            ticks={yLoss.ticks}
          />
        </div>
        <div className="comparison-plot">
          <h3>Test accuracy</h3>
          <ComparisonPlot
            series={accuracies}
            runs={runs}
            epochs={epochs}
            y={[floor, 100]}
            ticks={accuracyTicks(floor)}
            percent
          />
        </div>
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
