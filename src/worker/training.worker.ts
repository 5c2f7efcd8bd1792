/**
 * The training worker's entry. It starts loading the data at once, and imports the rest of the
 * worker (main.ts and the engines, ~60 kB; TensorFlow.js loads later, where it is needed) once
 * the data's files have arrived (or after FETCH_WAIT_MS), holding the page's messages until that
 * is there: the data's load must not wait for the worker's code, and the code, fetched alongside,
 * arrived no sooner and only competed with the data (docs/performance.md).
 */
import type { FromWorker, ToWorker } from '../shared/protocol';
import { DATA_URL, startEarlyLoad } from './data/earlyLoad';

declare const self: DedicatedWorkerGlobalScope;

/** The longest the rest of the worker waits for the data's files (a slow network). */
const FETCH_WAIT_MS = 1000;

const fetched = startEarlyLoad(DATA_URL);

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
