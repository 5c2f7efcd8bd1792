/**
 * The numbers behind a chart: a "Show data" toggle and, when open, a table of every measurement
 * (one row a measurement: batch, epoch, seconds of training, train and test loss and accuracy,
 * the images measured). Rendered only when open: a closed table costs nothing per measurement.
 */
import { useId, useState, type ReactNode } from 'react';
import type { Measurement } from '../../shared/protocol';

/** Rows a table shows at most (the newest); Download CSV writes them all. */
export const MAX_ROWS = 500;

export function ShowData({ what, children }: { what: 'loss' | 'accuracy'; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="show-data">
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        {open ? `Hide ${what} data` : `Show ${what} data`}
      </button>
      <div id={id} hidden={!open}>
        {open && children}
      </div>
    </div>
  );
}

const percent = (v: number) => `${(v * 100).toFixed(2)}%`;

export function MeasurementTable({
  name,
  measurements,
}: {
  name: string;
  measurements: readonly Measurement[];
}) {
  const rows = measurements.slice(-MAX_ROWS);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`${name}, scrollable`}>
      <table className="data-table" aria-label={name}>
        <caption>
          {measurements.length === 0
            ? 'No measurements yet: they come every "Evaluate every" batches.'
            : `${measurements.length} measurements${measurements.length > rows.length ? `, the last ${rows.length} shown (Download CSV has all)` : ''}. Rows marked "all" measure all 60,000 and 10,000 images at an epoch's end; the others a fixed slice of each set.`}
        </caption>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Epoch</th>
            <th scope="col">Seconds</th>
            <th scope="col">Train loss</th>
            <th scope="col">Train accuracy</th>
            <th scope="col">Test loss</th>
            <th scope="col">Test accuracy</th>
            <th scope="col">Images</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={`${m.batch}-${m.full}`} className={m.full ? 'full' : undefined}>
              <td>{m.batch}</td>
              <td>{Number(m.epoch.toFixed(3))}</td>
              <td>{m.trainingSeconds.toFixed(2)}</td>
              <td>{m.trainLoss.toFixed(4)}</td>
              <td>{percent(m.trainAccuracy)}</td>
              <td>{m.testLoss.toFixed(4)}</td>
              <td>{percent(m.testAccuracy)}</td>
              <td>
                {m.full ? `all (${m.trainCount} + ${m.testCount})` : `${m.trainCount} + ${m.testCount}`}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
