/**
 * The page's test and benchmark hooks, loaded by main.tsx only in dev and test builds: the
 * training client as window.mnistClient, and window.mnistDev for the worker's dev commands
 * (src/dev/protocol.ts). The production bundle holds neither (npm test checks it).
 */
import type { TrainingClient } from '../../client/trainingClient';
import type { ModelSpec } from '../../shared/modelSpec';
import type { DevCommand, DevReply, DevResults } from '../protocol';

type Args<T extends DevCommand['type']> = Omit<Extract<DevCommand, { type: T }>, 'type' | 'requestId'>;

export interface DevHooks {
  /** Trains an engine and the plain reference side by side in the worker. */
  conformance(args: Args<'devConformance'>): Promise<DevResults['devConformance']>;
  /** Times the training step of the engine the worker would pick, or of a stock layers model. */
  benchSteps(
    impl: 'fast' | 'stock',
    batchSize: number,
    model?: ModelSpec,
  ): Promise<DevResults['devBenchSteps']>;
  /** Loses the worker's WebGL context on purpose; false when not on WebGL. */
  loseContext(): Promise<boolean>;
  /** Makes the worker close itself, silently. */
  closeWorker(): Promise<void>;
  /** Makes the worker throw an error nothing catches. */
  throwInWorker(): Promise<void>;
  /** Keeps the worker busy for `ms`, answering nothing. */
  blockWorker(ms: number): Promise<void>;
  /** Makes WebGL program `program` compute wrong outputs (null: none); forgets passed checks. */
  injectFault(program: string | null): Promise<void>;
  /** TensorFlow.js's tensors in the worker, and their bytes. */
  memory(): Promise<DevResults['devMemory']>;
  /** What the last WebGL start-up check measured, or null before one ran. */
  lastCheck(): Promise<DevResults['devLastCheck']>;
}

declare global {
  interface Window {
    mnistClient?: TrainingClient;
    mnistDev?: DevHooks;
  }
}

export function installPageHooks(client: TrainingClient): void {
  const call = async <T extends DevCommand['type']>(type: T, args: Args<T>): Promise<DevResults[T]> => {
    const reply = (await client.call((requestId) => ({ type, requestId, ...args }))) as DevReply;
    return reply.result as DevResults[T];
  };
  window.mnistClient = client;
  window.mnistDev = {
    conformance: (args) => call('devConformance', args),
    benchSteps: (impl, batchSize, model) => call('devBenchSteps', { impl, batchSize, model }),
    loseContext: async () => (await call('devLoseContext', {})).lost,
    closeWorker: async () => void (await call('devClose', {})),
    throwInWorker: async () => void (await call('devThrow', {})),
    blockWorker: async (ms) => void (await call('devBlock', { ms })),
    injectFault: async (program) => void (await call('devInjectFault', { program })),
    lastCheck: () => call('devLastCheck', {}),
    memory: () => call('devMemory', {}),
  };
}
