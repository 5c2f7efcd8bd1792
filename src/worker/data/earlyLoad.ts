/**
 * The data load the worker's entry starts before the rest of the worker has loaded (see
 * training.worker.ts): its promise and its progress wait here until the worker takes them.
 */
import type { MnistData } from '../../shared/mnist';
import { loadMnist, type LoadProgress } from './loadMnist';

interface EarlyLoad {
  done: Promise<MnistData>;
  /** performance.now() when it started. */
  started: number;
  last: LoadProgress | null;
  listener: ((p: LoadProgress) => void) | null;
}

let early: EarlyLoad | null = null;

/** Starts loading the data set at `url` (once; its faults are the taker's to handle). */
export function startEarlyLoad(url: string): void {
  const load: EarlyLoad = {
    done: Promise.resolve(null as never),
    started: performance.now(),
    last: null,
    listener: null,
  };
  load.done = loadMnist(url, (p) => {
    load.last = p;
    load.listener?.(p);
  });
  // Not unhandled while nobody has taken it yet: the taker awaits it and reports its fault.
  load.done.catch(() => {});
  early = load;
}

/**
 * The early load, once (a second call gets null: a retry loads afresh); its progress goes to
 * `onProgress` from now on, starting with the latest so far.
 */
export function takeEarlyLoad(
  onProgress: (p: LoadProgress) => void,
): { done: Promise<MnistData>; started: number } | null {
  const load = early;
  early = null;
  if (!load) return null;
  load.listener = onProgress;
  if (load.last) onProgress(load.last);
  return { done: load.done, started: load.started };
}
