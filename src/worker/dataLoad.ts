/**
 * The data set's load, as the page sees it: progress about ten times a second, then `dataReady`;
 * after it, in a task of its own, what a run needs besides the images (the engine's form of them,
 * the evaluator's thread with its copy).
 */
import { createEvaluator } from './evaluation/port';
import type { WorkerContext } from './context';
import { DATA_URL, takeEarlyLoad } from './data/earlyLoad';
import { DataError, loadMnist, type LoadProgress } from './data/loadMnist';

/** dataProgress is posted at most this often (~10 a second). */
const PROGRESS_MS = 100;

/** Loads the data set into the session, taking over the load the worker's entry started. */
export async function loadData(context: WorkerContext): Promise<void> {
  const { post } = context;
  let lastPost = 0;
  let posted = false;
  const onProgress = (p: LoadProgress) => {
    const now = performance.now();
    const last = p.loadedBytes === p.totalBytes && p.imagesLoaded === p.imagesTotal;
    // Nothing before `ready`: it must be the first message the page gets.
    if (!context.session || (!last && now - lastPost < PROGRESS_MS)) return;
    lastPost = now;
    posted = true;
    post({ type: 'dataProgress', ...p });
  };
  // The entry started the first load before this module had loaded; a retry starts its own.
  const early = takeEarlyLoad(onProgress);
  const started = early?.started ?? performance.now();
  const mnist = await (early?.done ?? loadMnist(DATA_URL, onProgress)).catch((e: unknown) => {
    // Whatever went wrong, the page must hear it as a data fault, not wait on "Loading" forever.
    throw e instanceof DataError
      ? e
      : new DataError('data-corrupt', `The data could not be read: ${(e as Error).message}`);
  });
  const s = await context.ready();
  if (!posted)
    post({
      type: 'dataProgress',
      loadedBytes: mnist.bytes,
      totalBytes: mnist.bytes,
      imagesLoaded: mnist.train.count + mnist.test.count,
      imagesTotal: mnist.train.count + mnist.test.count,
    });
  s.data.set(mnist);
  post({
    type: 'dataReady',
    trainCount: mnist.train.count,
    testCount: mnist.test.count,
    bytes: mnist.bytes,
    seconds: (performance.now() - started) / 1000,
  });
  // After dataReady, in a task of their own: the engine's form of the data and the evaluator's
  // thread are not the data's loading, and would only compete with it for the cores. A Train
  // waits for them (afterData). The evaluator's worker starts first, to load while the engine
  // builds its form, which it then takes as it is where that is in shared memory.
  context.afterData = new Promise<void>((r) => setTimeout(r, 0)).then(() => {
    const evaluator = (context.evaluator ??= createEvaluator(s.data));
    s.engine.prepare();
    evaluator.setData(mnist);
  });
  await context.afterData;
}
