/**
 * The data load the worker's entry starts before the rest of the worker has loaded (see
 * training.worker.ts): its promise and its progress wait here until the worker takes them.
 */
import type { MnistData } from '../../shared/mnist';
import { loadMnist, type LoadProgress } from './loadMnist';

/** Where the data set's files are served, beside the app. */
export const DATA_URL = `${import.meta.env.BASE_URL}data/`;

interface EarlyLoad {
  done: Promise<MnistData>;
  /** performance.now() when it started. */
  started: number;
  last: LoadProgress | null;
  listener: ((p: LoadProgress) => void) | null;
}

let early: EarlyLoad | null = null;

/**
 * Starts loading the data set at `url` (once; its faults are the taker's to handle). Resolves
 * when its files have all arrived and been verified, or it has failed: the rest is decoding.
 */
export function startEarlyLoad(url: string): Promise<void> {
  const load: EarlyLoad = {
    done: Promise.resolve(null as never),
    started: performance.now(),
    last: null,
    listener: null,
  };
  let fetched = () => {};
  const allFetched = new Promise<void>((resolve) => (fetched = resolve));
  load.done = loadMnist(
    url,
    (p) => {
      load.last = p;
      load.listener?.(p);
    },
    fetched,
  );
  // Not unhandled while nobody has taken it yet: the taker awaits it and reports its fault.
  load.done.catch(() => {});
  early = load;
  return allFetched;
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
