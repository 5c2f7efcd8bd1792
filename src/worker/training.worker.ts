/**
 * The training worker's entry. It starts loading the data at once, and imports the rest of the
 * worker (main.ts: TensorFlow.js and the engines, nearly all of its ~2 MB) once the data's files
 * have arrived (or after FETCH_WAIT_MS), holding the page's messages until that is there.
 * Measured 2026-11-25 (test build, headless Chromium, 2 cores): the worker's code took ~280 ms to
 * arrive and run, and before it the load had not begun. Compiling and running TensorFlow.js takes
 * this thread for ~200 ms, and a trace of a page load (2026-12-04) showed the verified files
 * waiting that long for it before they went to the decoder workers, when it loaded at once.
 */
import type { FromWorker, ToWorker } from '../shared/protocol';
import { startEarlyLoad } from './data/earlyLoad';

declare const self: DedicatedWorkerGlobalScope;

/** The longest the rest of the worker waits for the data's files (a slow network). */
const FETCH_WAIT_MS = 1000;

const fetched = startEarlyLoad(`${import.meta.env.BASE_URL}data/`);

const waiting: MessageEvent<ToWorker>[] = [];
self.onmessage = (event: MessageEvent<ToWorker>) => waiting.push(event);

Promise.race([fetched, new Promise((resolve) => setTimeout(resolve, FETCH_WAIT_MS))])
  .then(() => import('./main'))
  .then(
    ({ onMessage }) => {
      self.onmessage = onMessage;
      for (const event of waiting.splice(0)) onMessage(event);
    },
    (e: unknown) =>
      self.postMessage({
        type: 'error',
        code: 'backend-failed',
        message: `The training worker's code could not load (${(e as Error).message ?? String(e)}). Reload the page.`,
      } satisfies FromWorker),
  );
