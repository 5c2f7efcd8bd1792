/**
 * The training worker's entry. It starts loading the data at once, and imports the rest of the
 * worker (main.ts and the engines, ~60 kB; TensorFlow.js loads later, where it is needed) once
 * the data's files have arrived (or after FETCH_WAIT_MS), holding the page's messages until that
 * is there. Measured 2026-11-25 (test build, headless Chromium, 2 cores): the worker's code took
 * ~280 ms to arrive and run, and before it the load had not begun. Measured 2026-12-04: imported
 * at once, main.ts still arrived only after most of the data (its request waits for one of the
 * six connections a browser opens to a host over HTTP/1.1, all taken by the data's files), and
 * the data was ready no sooner: medians of 1,074 and 1,192 ms against 1,103 and 1,164 waiting (9
 * and 11 page loads each, interleaved), with a main-thread task over 50 ms in 5 loads of 11
 * against 3.
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
