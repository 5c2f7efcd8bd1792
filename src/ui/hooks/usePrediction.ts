/**
 * Classifies the latest input with the current model. At most one request is in flight: inputs
 * that arrive meanwhile replace each other, and only the newest is sent next, so a fast pen never
 * queues up stale work. The input is classified again when the model changes (modelVersion).
 */
import { useEffect, useRef, useState } from 'react';
import type { Prediction, TrainingClient } from '../../client/trainingClient';

export interface PredictionResult extends Prediction {
  digit: number;
  /** From sending the input to having its answer, in ms. */
  latencyMs: number;
}

export function usePrediction(
  client: TrainingClient,
  input: Float32Array | null,
  modelVersion: number,
): { result: PredictionResult | null; error: string | null } {
  const [result, setResult] = useState<PredictionResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = useRef(false);
  const next = useRef<Float32Array | null>(null);
  /** The newest input; answers to older ones (or after a clear) are dropped. */
  const latest = useRef<Float32Array | null>(null);

  useEffect(() => {
    latest.current = input;
    next.current = input;
    if (!input || busy.current) return;
    busy.current = true;
    void (async () => {
      while (next.current) {
        const pixels = next.current;
        next.current = null;
        const t0 = performance.now();
        try {
          const p = await client.predict(pixels);
          if (latest.current !== pixels) continue;
          const digit = argMax(p.probabilities);
          setResult({ ...p, digit, latencyMs: performance.now() - t0 });
          setError(null);
        } catch (e) {
          if (latest.current === pixels) setError((e as Error).message);
        }
      }
      busy.current = false;
    })();
  }, [client, input, modelVersion]);

  return { result: input ? result : null, error };
}

export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
