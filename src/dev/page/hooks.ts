/**
 * The page's test and benchmark hooks, loaded by main.tsx only in dev and test builds: the
 * training client as window.mnistClient, and window.mnistDev for the worker's dev commands
 * (src/dev/protocol.ts). The production bundle holds neither (npm test checks it).
 */
import type { TrainingClient } from '../../client/trainingClient';
import type { ModelSpec } from '../../shared/modelSpec';
import type { RequestBody } from '../../client/requests';
import type { DevRequests } from '../protocol';

type Reply<K extends keyof DevRequests> = DevRequests[K]['reply'];

export interface DevHooks {
  /** Trains an engine and the plain reference side by side in the worker. */
  conformance(args: DevRequests['devConformance']['args']): Promise<Reply<'devConformance'>>;
  /** Times the training step of the engine the worker would pick, or of a stock layers model. */
  benchSteps(impl: 'fast' | 'stock', batchSize: number, model?: ModelSpec): Promise<Reply<'devBenchSteps'>>;
  /** Loses the worker's WebGL context on purpose; false when not on WebGL. */
  loseContext(): Promise<boolean>;
  /** Makes the worker close itself, silently. */
  closeWorker(): Promise<void>;
  /** Makes the worker throw an error nothing catches. */
  throwInWorker(): Promise<void>;
  /** Keeps the worker busy for `ms`, answering nothing. */
  blockWorker(ms: number): Promise<void>;
  /** Predictions wait unanswered from now on, until releasePredictions (the worker answers the rest). */
  holdPredictions(): Promise<void>;
  releasePredictions(): Promise<void>;
  /** Builds a fault into the worker's engines (null: none); forgets passed checks. */
  injectFault(program: string | null): Promise<void>;
  /** TensorFlow.js's tensors in the worker, and their bytes. */
  memory(): Promise<Reply<'devMemory'>>;
  /** What the last WebGL start-up check measured, or null before one ran. */
  lastCheck(): Promise<Reply<'devLastCheck'>>;
}

declare global {
  interface Window {
    mnistClient?: TrainingClient;
    mnistDev?: DevHooks;
  }
}

export function installPageHooks(client: TrainingClient): void {
  const call = <K extends keyof DevRequests & string>(msg: RequestBody<DevRequests, K>) =>
    client.request<K, DevRequests>(msg);
  window.mnistClient = client;
  window.mnistDev = {
    conformance: (args) => call({ type: 'devConformance', ...args }),
    benchSteps: (impl, batchSize, model) => call({ type: 'devBenchSteps', impl, batchSize, model }),
    loseContext: async () => (await call({ type: 'devLoseContext' })).lost,
    closeWorker: async () => void (await call({ type: 'devClose' })),
    throwInWorker: async () => void (await call({ type: 'devThrow' })),
    blockWorker: async (ms) => void (await call({ type: 'devBlock', ms })),
    holdPredictions: async () => void (await call({ type: 'devHoldPredictions' })),
    releasePredictions: async () => void (await call({ type: 'devReleasePredictions' })),
    injectFault: async (program) => void (await call({ type: 'devInjectFault', program })),
    lastCheck: () => call({ type: 'devLastCheck' }),
    memory: () => call({ type: 'devMemory' }),
  };
}
