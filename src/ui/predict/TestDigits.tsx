/**
 * A strip of random test images with the model's guess and the true label, mistakes marked.
 * Refreshed at each epoch end (modelVersion) and on demand; clicking one shows it in the
 * prediction panel.
 */
import { useCallback, useEffect, useState } from 'react';
import type { TrainingClient } from '../../client/trainingClient';
import { bytesToUnit } from '../../shared/mnist';
import type { SampleDigit } from '../../shared/protocol';
import { Preview28 } from '../draw/Preview28';
import type { PickedDigit } from './PredictionPanel';

const COUNT = 12;

interface Props {
  client: TrainingClient;
  modelVersion: number;
  dataReady: boolean;
  trained: boolean;
  onPick: (digit: PickedDigit) => void;
}

export function TestDigits({ client, modelVersion, dataReady, trained, onPick }: Props) {
  const [digits, setDigits] = useState<SampleDigit[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(() => {
    client.request({ type: 'samples', split: 'test', count: COUNT }).then(
      (d) => {
        setDigits(d);
        setError(null);
      },
      (e: Error) => setError(e.message),
    );
  }, [client]);

  useEffect(() => {
    if (dataReady) refresh();
  }, [dataReady, modelVersion, refresh]);

  const wrong = digits.filter((d) => d.predicted !== d.label).length;
  return (
    <section className="panel test-digits" aria-labelledby="digits-title">
      <div className="panel-head">
        <h2 id="digits-title">Test digits</h2>
        <span className="hint">
          {digits.length > 0 &&
            (trained
              ? `${digits.length - wrong} of ${digits.length} right`
              : 'Guesses of the untrained model')}
        </span>
        <button type="button" onClick={refresh} disabled={!dataReady}>
          New digits
        </button>
      </div>
      {error && <p className="field-error">{error}</p>}
      <ul className="digit-strip">
        {digits.map((d) => (
          <li key={d.index}>
            <button
              type="button"
              // Before training every guess is noise: mark mistakes only once they mean something.
              className={d.predicted === d.label || !trained ? 'digit' : 'digit wrong'}
              aria-label={`Test image ${d.index}: label ${d.label}, predicted ${d.predicted}`}
              onClick={() => onPick({ pixels: bytesToUnit(d.pixels), label: d.label, index: d.index })}
            >
              <Preview28 pixels={d.pixels} size={42} />
              <span className="digit-caption">
                {d.predicted}
                {d.predicted !== d.label && <span className="truth"> (is {d.label})</span>}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
