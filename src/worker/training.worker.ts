/**
 * The training worker's entry. It starts loading the data at once, then loads the rest of the
 * worker (main.ts: TensorFlow.js and the engines, nearly all of its ~2 MB), holding the page's
 * messages until that is there. Measured 2026-11-25 (test build, headless Chromium, 2 cores): the
 * worker's code took ~280 ms to arrive and run, and another ~120 ms passed before the load began;
 * the load itself (fetch, verify, decode) is ~700 ms, so it now runs beside them.
 */
import type { FromWorker, ToWorker } from '../shared/protocol';
import { startEarlyLoad } from './data/earlyLoad';

declare const self: DedicatedWorkerGlobalScope;

startEarlyLoad(`${import.meta.env.BASE_URL}data/`);

const waiting: MessageEvent<ToWorker>[] = [];
self.onmessage = (event: MessageEvent<ToWorker>) => waiting.push(event);

import('./main').then(
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
