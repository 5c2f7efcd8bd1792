/**
 * The page's handle on the training worker: it owns the Worker, sends commands, fans events out
 * to listeners and turns request/reply pairs (predict, samples, evaluate) into promises.
 * If the worker stops answering, it is terminated and a fresh one started.
 */
import type { TrainConfig } from '../shared/config';
import type { ModelSpec } from '../shared/modelSpec';
import type { BackendChoice, FromWorker, SampleDigit, ToWorker } from '../shared/protocol';

export type Listener = (msg: FromWorker) => void;

/** How long a stop may take before the worker is presumed stuck and replaced. */
const STOP_TIMEOUT_MS = 5_000;

export interface Prediction {
  probabilities: Float32Array;
  trained: boolean;
}

function createTrainingWorker(): Worker {
  return new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module' });
}

interface Pending {
  resolve: (msg: FromWorker) => void;
  reject: (e: Error) => void;
}

export class TrainingClient {
  private worker: Worker;
  private readonly listeners = new Set<Listener>();
  /** Events that arrive before anyone listens (the worker starts at once) wait here. */
  private backlog: FromWorker[] | null = [];
  private readonly pending = new Map<number, Pending>();
  private nextRequestId = 1;
  private nextRunId = 1;
  private backend: BackendChoice;
  private readonly createWorker: () => Worker;

  constructor(backend: BackendChoice = 'auto', createWorker: () => Worker = createTrainingWorker) {
    this.backend = backend;
    this.createWorker = createWorker;
    this.worker = this.start();
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    const backlog = this.backlog;
    this.backlog = null;
    backlog?.forEach((msg) => this.dispatch(msg));
    return () => this.listeners.delete(listener);
  }

  /** Starts a run; returns its runId (events of older runs carry older ids). */
  train(config: TrainConfig): number {
    const runId = this.nextRunId++;
    this.send({ type: 'train', runId, config });
    return runId;
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  resume(): void {
    this.send({ type: 'resume' });
  }

  /**
   * Asks the run to stop; resolves when the worker says it stopped. A worker that does not answer
   * in time is replaced by a new one (its model is lost, the data reloads).
   */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        this.restart('The training worker did not answer Stop in time, so it was restarted.');
        resolve();
      }, STOP_TIMEOUT_MS);
      const off = this.on((msg) => {
        if (
          msg.type === 'state' &&
          (msg.state === 'stopped' || msg.state === 'done' || msg.state === 'idle')
        ) {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
      this.send({ type: 'stop' });
    });
  }

  /** Loads the data set (again, after a failure; the worker starts loading it by itself). */
  loadData(): void {
    this.send({ type: 'loadData' });
  }

  /** Fresh weights for `model`, drawn from `seed`. */
  reset(model: ModelSpec, seed: number): void {
    this.send({ type: 'reset', model, seed });
  }

  /** Classifies a 28x28 image (784 floats 0..1, white on black). */
  async predict(pixels: Float32Array): Promise<Prediction> {
    const copy = pixels.slice(); // the caller keeps its array; the copy's buffer is transferred
    const msg = await this.request(
      (requestId) => ({ type: 'predict', requestId, pixels: copy }),
      [copy.buffer],
    );
    if (msg.type !== 'prediction') throw new Error(`unexpected reply ${msg.type}`);
    return { probabilities: msg.probabilities, trained: msg.trained };
  }

  /** Images with the model's guesses: `indices` if given, else `count` random ones. */
  async samples(split: 'train' | 'test', count: number, indices?: number[]): Promise<SampleDigit[]> {
    const msg = await this.request((requestId) => ({ type: 'samples', requestId, split, count, indices }));
    if (msg.type !== 'samples') throw new Error(`unexpected reply ${msg.type}`);
    return msg.digits;
  }

  /** Accuracy, loss and the confusion counts (row true, column predicted) on all test images. */
  async evaluate(): Promise<{ accuracy: number; loss: number; confusion: number[] }> {
    const msg = await this.request((requestId) => ({ type: 'evaluate', requestId }));
    if (msg.type !== 'evaluation') throw new Error(`unexpected reply ${msg.type}`);
    return { accuracy: msg.accuracy, loss: msg.loss, confusion: msg.confusion };
  }

  /**
   * Sends a command outside the protocol (the dev hooks' own, src/dev/protocol.ts) and resolves
   * with the reply that carries its requestId.
   */
  call(build: (requestId: number) => { type: string }): Promise<unknown> {
    return this.request(build as unknown as (requestId: number) => ToWorker);
  }

  /** Switches backend: a new worker starts on it and reloads the data. */
  setBackend(backend: BackendChoice): void {
    this.backend = backend;
    this.restart();
  }

  dispose(): void {
    this.worker.terminate();
    this.rejectPending('The training worker was closed.');
    this.listeners.clear();
  }

  private send(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
  }

  private request(
    build: (requestId: number) => ToWorker,
    transfer: Transferable[] = [],
  ): Promise<FromWorker> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject });
      this.send(build(requestId), transfer);
    });
  }

  private start(): Worker {
    const worker = this.createWorker();
    worker.addEventListener('message', (e: MessageEvent<FromWorker>) => this.dispatch(e.data));
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.dispatch({
        type: 'error',
        code: 'internal',
        message: `The training worker crashed: ${e.message || 'unknown error'}`,
      });
    });
    worker.addEventListener('messageerror', () => {
      this.dispatch({
        type: 'error',
        code: 'internal',
        message: 'A message from the training worker could not be read.',
      });
    });
    worker.postMessage({ type: 'init', backend: this.backend } satisfies ToWorker);
    worker.postMessage({ type: 'loadData' } satisfies ToWorker);
    return worker;
  }

  private restart(reason?: string): void {
    this.worker.terminate();
    this.rejectPending('The training worker was restarted.');
    if (reason) this.dispatch({ type: 'error', code: 'internal', message: reason });
    // The new worker has fresh weights and no run: say so, as the old one can no longer.
    this.dispatch({ type: 'state', runId: this.nextRunId - 1, state: 'idle' });
    this.worker = this.start();
  }

  private rejectPending(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  private dispatch(msg: FromWorker): void {
    const requestId = 'requestId' in msg ? msg.requestId : undefined;
    if (requestId !== undefined && this.pending.has(requestId)) {
      const p = this.pending.get(requestId)!;
      this.pending.delete(requestId);
      if (msg.type === 'error') p.reject(new Error(msg.message));
      else p.resolve(msg);
      return;
    }
    if (this.backlog) this.backlog.push(msg);
    else for (const listener of this.listeners) listener(msg);
  }
}
