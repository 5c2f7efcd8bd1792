/**
 * Classifies the latest input with the current model. At most one request is in flight: inputs
 * that arrive meanwhile replace each other, and only the newest is sent next, so a fast pen never
 * queues up stale work. The input is classified again when the model changes (modelVersion).
 * An answer is shown only for the input and the model it was computed for: while the worker is
 * busy (or replaced) a new drawing reads "Reading…", and after LATE_MS the page says it is late.
 */
import { useEffect, useRef, useState } from 'react';
import type { TrainingClient } from '../../client/trainingClient';
import { argMax } from '../../shared/mnist';
import type { Prediction } from '../../shared/protocol';

/** A prediction takes ~30 ms; one this late means a busy or restarting worker, and the page says so. */
export const LATE_MS = 1500;

export interface PredictionResult extends Prediction {
  digit: number;
  /** From sending the input to having its answer, in ms. */
  latencyMs: number;
}

/** An answer, with the input and the model version it is for. */
interface Answer {
  input: Float32Array;
  version: number;
  result: PredictionResult | null;
  error: string | null;
}

export function usePrediction(
  client: TrainingClient,
  input: Float32Array | null,
  modelVersion: number,
): { result: PredictionResult | null; error: string | null; late: boolean } {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [lateFor, setLateFor] = useState<{ input: Float32Array; version: number } | null>(null);
  const busy = useRef(false);
  const next = useRef<{ input: Float32Array; version: number } | null>(null);
  /** The newest input; answers to older ones (or after a clear) are dropped. */
  const latest = useRef<Float32Array | null>(null);

  useEffect(() => {
    latest.current = input;
    next.current = input ? { input, version: modelVersion } : null;
    if (!input || busy.current) return;
    busy.current = true;
    void (async () => {
      while (next.current) {
        const { input: pixels, version } = next.current;
        next.current = null;
        const t0 = performance.now();
        try {
          const copy = pixels.slice(); // the input stays the page's; the copy's buffer is transferred
          const p = await client.request({ type: 'predict', pixels: copy }, [copy.buffer]);
          if (latest.current !== pixels) continue;
          const digit = argMax(p.probabilities);
          setAnswer({
            input: pixels,
            version,
            result: { ...p, digit, latencyMs: performance.now() - t0 },
            error: null,
          });
        } catch (e) {
          if (latest.current === pixels)
            setAnswer({ input: pixels, version, result: null, error: (e as Error).message });
        }
      }
      busy.current = false;
    })();
  }, [client, input, modelVersion]);

  const current =
    answer !== null && answer.input === input && answer.version === modelVersion ? answer : null;
  const waiting = input !== null && current === null;
  useEffect(() => {
    if (!waiting || !input) return;
    const timer = setTimeout(() => setLateFor({ input, version: modelVersion }), LATE_MS);
    return () => clearTimeout(timer);
  }, [waiting, input, modelVersion]);

  return {
    result: current?.result ?? null,
    error: current?.error ?? null,
    late: waiting && lateFor?.input === input && lateFor.version === modelVersion,
  };
}
