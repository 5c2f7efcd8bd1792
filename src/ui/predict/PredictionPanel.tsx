/**
 * Draw a digit, see it read: the pad, the 28x28 image the model sees, the predicted digit and a
 * bar per class. A test digit picked from the strip is shown here the same way.
 */
import { useState } from 'react';
import type { TrainingClient } from '../../client/trainingClient';
import { DrawingPad } from '../draw/DrawingPad';
import { Preview28 } from '../draw/Preview28';
import { LATE_MS, usePrediction } from '../hooks/usePrediction';

export interface PickedDigit {
  pixels: Float32Array;
  label: number;
  index: number;
}

interface Props {
  client: TrainingClient;
  modelVersion: number;
  trained: boolean;
  picked: PickedDigit | null;
}

export function PredictionPanel({ client, modelVersion, trained, picked }: Props) {
  const [input, setInput] = useState<Float32Array | null>(null);
  const [source, setSource] = useState<PickedDigit | null>(null);
  // A newly picked test digit replaces the drawing (adjusting state while rendering, as React's
  // docs recommend over an effect).
  const [shownPick, setShownPick] = useState(picked);
  if (picked !== shownPick) {
    setShownPick(picked);
    if (picked) {
      setInput(picked.pixels);
      setSource(picked);
    }
  }
  const { result, error, late } = usePrediction(client, input, modelVersion);

  const onDraw = (pixels: Float32Array | null) => {
    setInput(pixels);
    setSource(null);
  };

  return (
    <section className="panel predict" aria-labelledby="predict-title">
      <h2 id="predict-title">Draw a digit</h2>
      <div className="predict-body">
        <DrawingPad onInput={onDraw} />
        <div className="predict-side">
          <div className="model-sees">
            <Preview28 pixels={input} size={84} label="What the model sees (28×28)" />
            <span className="caption">
              {source ? `Test image #${source.index}, label ${source.label}` : 'What the model sees'}
            </span>
          </div>
          <div className="prediction" role="status" aria-label="Prediction" aria-live="polite">
            {input === null ? (
              <span className="hint">No drawing yet: draw a digit on the pad.</span>
            ) : result ? (
              <>
                <span className="big-digit" aria-hidden="true">
                  {result.digit}
                </span>
                <span>
                  Prediction: {result.digit} ({(result.probabilities[result.digit] * 100).toFixed(0)}%)
                  {!result.trained && <em className="untrained"> untrained model: a guess</em>}
                </span>
              </>
            ) : (
              <span className="hint">
                Reading…
                {late &&
                  ` The model has not answered in ${LATE_MS / 1000} s: it is busy or restarting, and the answer will show here.`}
              </span>
            )}
          </div>
          {error && <p className="field-error">{error}</p>}
        </div>
      </div>
      <ProbabilityBars
        probabilities={result && input ? result.probabilities : null}
        best={result?.digit ?? -1}
      />
      {!trained && (
        <p className="hint">The model is untrained: click Train, and the prediction updates as it learns.</p>
      )}
    </section>
  );
}

function ProbabilityBars({ probabilities, best }: { probabilities: Float32Array | null; best: number }) {
  return (
    <ol className="bars" aria-label="Probability of each digit">
      {Array.from({ length: 10 }, (_, d) => {
        const p = probabilities ? probabilities[d] : 0;
        return (
          <li
            key={d}
            className={d === best ? 'best' : undefined}
            aria-label={`${d}: ${(p * 100).toFixed(1)}%`}
          >
            <span className="bar-track">
              <span className="bar-fill" style={{ height: `${Math.max(p * 100, 0)}%` }} />
            </span>
            <span className="bar-digit">{d}</span>
          </li>
        );
      })}
    </ol>
  );
}
