/**
 * Where the model errs, after every epoch: the test set's confusion matrix, per-class figures,
 * the digits of a chosen cell and the most confident mistakes; and what the model is. The digits
 * come from the worker's last full measurement, the same one the matrix counts. A model loaded
 * from the ledger or imported is measured afresh (CURRENT_MODEL), and its matrix is that
 * measurement's: its digits are then the very ones counted, whatever epoch its weights are from.
 */
import { useEffect, useState } from 'react';
import type { MetricsStore } from '../../client/metricsStore';
import type { TrainingClient } from '../../client/trainingClient';
import type { ModelSpec } from '../../shared/modelSpec';
import { CURRENT_MODEL, type AnalysedDigit } from '../../shared/protocol';
import { useStoreMemo } from '../hooks/useStoreVersion';
import { classFigures, count, matrixAccuracy, type Cell } from './analysis';
import { ConfusionMatrix } from './ConfusionMatrix';
import { DigitList } from './DigitList';
import { ModelSummary } from './ModelSummary';
import { formatCount } from '../../shared/format';

/** Digits shown for a cell, and in the gallery. */
const CELL_LIMIT = 60;
const GALLERY_LIMIT = 24;

interface Props {
  store: MetricsStore;
  client: TrainingClient;
  /** The model of the run shown, or of the settings before any run; null when they are invalid. */
  model: ModelSpec | null;
  /**
   * The current model when it is not a live run's (a loaded or imported one): its name, and a
   * number that changes with each model installed.
   */
  current: { name: string; version: number } | null;
}

type Digits =
  | { status: 'loading' }
  | { status: 'ready'; total: number; digits: AnalysedDigit[]; confusion: number[] }
  | { status: 'error'; message: string };

/** The digits of `query` at the run's epoch, fetched again when either changes. */
function useDigits(
  client: TrainingClient,
  runId: number | null,
  epoch: number | null,
  cell: Cell | null,
  limit: number,
  enabled: boolean,
): Digits {
  const truth = cell?.truth;
  const predicted = cell?.predicted;
  const key = JSON.stringify([runId, epoch, truth, predicted, limit]);
  const [answer, setAnswer] = useState<{ key: string; digits: Digits } | null>(null);
  useEffect(() => {
    if (!enabled || runId === null || epoch === null) return;
    // A query the user has moved on from is given up: its answer would only be dropped.
    const asked = new AbortController();
    client.request({ type: 'mistakes', runId, truth, predicted, limit }, [], asked.signal).then(
      (a) => setAnswer({ key, digits: { status: 'ready', ...a } }),
      (e: Error) =>
        !asked.signal.aborted && setAnswer({ key, digits: { status: 'error', message: e.message } }),
    );
    return () => asked.abort();
  }, [client, key, runId, epoch, truth, predicted, limit, enabled]);
  // Until the answer to this very query arrives, it is loading.
  return answer?.key === key ? answer.digits : { status: 'loading' };
}

const pct = (v: number) => (Number.isNaN(v) ? '–' : `${(v * 100).toFixed(1)}%`);

export function AnalysisPanel({ store, client, model, current }: Props) {
  const epochs = useStoreMemo(store.measurements, () => store.getEpochs());
  const lastEpoch = epochs.at(-1) ?? null;
  const [selected, setSelected] = useState<Cell | null>(null);
  // A loaded or imported model: its measurement now, keyed by the model installed.
  const runId = current ? CURRENT_MODEL : (lastEpoch?.runId ?? null);
  const epoch = current ? current.version : (lastEpoch?.epoch ?? null);
  // A new run forgets the cell chosen in the last one.
  const [cellRun, setCellRun] = useState(runId);
  if (cellRun !== runId) {
    setCellRun(runId);
    setSelected(null);
  }
  const cellDigits = useDigits(client, runId, epoch, selected, CELL_LIMIT, selected !== null);
  const gallery = useDigits(client, runId, epoch, null, GALLERY_LIMIT, true);
  const latest = current
    ? gallery.status === 'ready'
      ? { confusion: gallery.confusion, testCount: gallery.confusion.reduce((a, b) => a + b, 0) }
      : null
    : lastEpoch;
  const heading = current
    ? `${current.name}'s model, measured now`
    : lastEpoch
      ? `Epoch ${lastEpoch.epoch} of ${lastEpoch.epochs}`
      : '';

  return (
    <div className="analysis">
      <section className="panel" aria-labelledby="matrix-title">
        <h2 id="matrix-title">Where the model errs</h2>
        {!latest ? (
          current ? (
            gallery.status === 'error' ? (
              <p className="field-error" role="alert">
                {gallery.message}
              </p>
            ) : (
              <p className="hint">Measuring {current.name}&apos;s model on the 10,000 test images…</p>
            )
          ) : (
            <p className="hint">
              After each epoch the test set&apos;s confusion matrix appears here: which digits the model
              mistakes for which. Press Train on the Train tab.
            </p>
          )
        ) : (
          <>
            <p className="analysis-summary" data-testid="analysis.summary">
              {heading}: {(matrixAccuracy(latest.confusion) * 100).toFixed(2)}% of{' '}
              {formatCount(latest.testCount)} test images read right (the diagonal). Choose a cell to see its
              digits.
            </p>
            <ConfusionMatrix confusion={latest.confusion} selected={selected} onSelect={setSelected} />
            {selected && (
              <div className="cell-digits">
                <h3>
                  True {selected.truth}, predicted {selected.predicted}:{' '}
                  {formatCount(count(latest.confusion, selected))} images, most confident first
                </h3>
                <DigitsView
                  name={`Mistakes: true ${selected.truth}, predicted ${selected.predicted}`}
                  digits={cellDigits}
                />
              </div>
            )}
            <ClassTable confusion={latest.confusion} />
          </>
        )}
      </section>
      {latest && (
        <section className="panel" aria-labelledby="gallery-title">
          <h2 id="gallery-title">Most confident mistakes</h2>
          <p className="hint">The test digits the model got wrong while surest of itself.</p>
          <DigitsView name="Most confident mistakes" digits={gallery} />
        </section>
      )}
      <section className="panel" aria-labelledby="summary-title">
        <h2 id="summary-title">The model</h2>
        {model ? (
          <ModelSummary spec={model} />
        ) : (
          <p className="hint">
            Fix the settings marked in red on the Train tab to see the model they describe.
          </p>
        )}
      </section>
    </div>
  );
}

function DigitsView({ name, digits }: { name: string; digits: Digits }) {
  if (digits.status === 'loading') return <p className="hint">Loading the digits…</p>;
  if (digits.status === 'error')
    return (
      <p className="field-error" role="alert">
        {digits.message}
      </p>
    );
  return (
    <>
      {digits.total > digits.digits.length && (
        <p className="hint">
          The {digits.digits.length} most confident of {formatCount(digits.total)}.
        </p>
      )}
      <DigitList name={name} digits={digits.digits} />
    </>
  );
}

function ClassTable({ confusion }: { confusion: readonly number[] }) {
  const rows = classFigures(confusion);
  return (
    <div className="table-scroll">
      <table className="data-table" aria-label="Per-class figures">
        <caption>
          Per digit. Accuracy: the share of its images read right (its recall). Precision: of the images read
          as it, the share that are.
        </caption>
        <thead>
          <tr>
            <th scope="col">Digit</th>
            <th scope="col">Images</th>
            <th scope="col">Right</th>
            <th scope="col">Accuracy</th>
            <th scope="col">Precision</th>
            <th scope="col">Recall</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.digit}>
              <th scope="row">{r.digit}</th>
              <td>{r.images}</td>
              <td>{r.correct}</td>
              <td>{pct(r.accuracy)}</td>
              <td>{pct(r.precision)}</td>
              <td>{pct(r.recall)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
