/**
 * The page's handle on the training worker: it owns the Worker, sends commands, fans events out
 * to listeners and turns request/reply pairs (predict, samples, evaluate) into promises.
 * It keeps the model's last checkpoint (the worker sends its weights now and then), and watches
 * the worker: one that stops answering (dead, or stuck in a step) is terminated, a fresh one is
 * started, and the checkpoint is restored into it, so no trained weights are lost.
 */
import type { TrainConfig } from '../shared/config';
import type { ModelSpec } from '../shared/modelSpec';
import type { AnalysedDigit, BackendChoice, FromWorker, SampleDigit, ToWorker } from '../shared/protocol';

export type Listener = (msg: FromWorker) => void;

/** How long a stop may take before the worker is presumed stuck and replaced. */
const STOP_TIMEOUT_MS = 5_000;

export interface Watchdog {
  /** How often the worker is pinged (it answers within a batch, even while training). */
  pingMs: number;
  /** How long a ping may go unanswered before the worker is presumed dead and replaced. */
  silentMs: number;
  /**
   * The same on the WebGL backend, where the worker's thread waits while the GPU driver compiles
   * each program at its first use (and, on a slow GPU, runs a long batch of draws).
   */
  gpuSilentMs: number;
  /** How long a new worker may take to say anything at all (it loads TensorFlow.js first). */
  startupMs: number;
}

/**
 * On a CPU backend a worker answers a ping within ~10 ms, and a ping unanswered for 4 s is a dead
 * or stuck worker. On WebGL a worker's first steps of a model can hold its thread for seconds:
 * the CNN's first TensorFlow.js steps held it 4.5-4.9 s on SwiftShader here (2 cores, 3 runs, the
 * worker pinged every 100 ms), compiling ~60 programs, and the 4 s limit replaced a healthy worker
 * in 1 of those 3 runs (and in e2e/engine.spec's CNN on WebGL). There it is judged over 20 s.
 */
const WATCHDOG: Watchdog = { pingMs: 1000, silentMs: 4000, gpuSilentMs: 20_000, startupMs: 30_000 };
/** Replacements within RESTART_WINDOW_MS after which the page stops trying: it cannot run here. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 120_000;

/** Told when the worker was replaced: `restored` when the new one took over the trained weights. */
export type RestartListener = (restored: boolean) => void;

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
  /** What rebuilds the current model in a new worker: its last checkpoint, or its reset. */
  private model: ToWorker | null = null;
  /** Checkpoints of runs from this id on are kept (a reset makes older ones stale). */
  private checkpointsFrom = 0;
  /** When the ping now unanswered was sent, or null; whether the worker has said anything yet. */
  private pingSentAt: number | null = null;
  private heard = false;
  /** Whether the worker said it runs on WebGL (judged with Watchdog.gpuSilentMs). */
  private onGpu = false;
  private startedAt = performance.now();
  private lastCheck = performance.now();
  /** When recent replacements happened, to stop trying after MAX_RESTARTS in RESTART_WINDOW_MS. */
  private restarts: number[] = [];
  private readonly restartListeners = new Set<RestartListener>();
  private readonly watchdog: ReturnType<typeof setInterval> | null;

  constructor(
    backend: BackendChoice = 'auto',
    createWorker: () => Worker = createTrainingWorker,
    watchdog: Watchdog | null = WATCHDOG,
  ) {
    this.backend = backend;
    this.createWorker = createWorker;
    this.worker = this.start();
    this.watchdog = watchdog && setInterval(() => this.check(watchdog), watchdog.pingMs);
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    const backlog = this.backlog;
    this.backlog = null;
    backlog?.forEach((msg) => this.dispatch(msg));
    return () => this.listeners.delete(listener);
  }

  /** Subscribes to the worker being replaced; returns the unsubscribe function. */
  onRestart(listener: RestartListener): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /**
   * Starts a run, from fresh weights or from the current model (`from`); returns its runId (events
   * of older runs carry older ids).
   */
  train(config: TrainConfig, from?: 'current'): number {
    const runId = this.nextRunId++;
    this.checkpointsFrom = runId;
    this.send({ type: 'train', runId, config, ...(from ? { from } : {}) });
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
   * in time is replaced by a new one, which takes over the last checkpoint (the data reloads).
   */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        this.restart('The training worker did not answer Stop in time, so it was replaced by a new one.');
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

  /** Makes `params` (layout.ts's order) the weights of a `model`: a saved run's, loaded again. */
  restore(model: ModelSpec, params: Float32Array): void {
    this.model = { type: 'restore', model, params };
    this.checkpointsFrom = this.nextRunId;
    const copy = params.slice(); // the page keeps its own for a restart
    this.send({ type: 'restore', model, params: copy }, [copy.buffer]);
  }

  /** `params` of `model` as a safetensors file with PyTorch's state_dict names and shapes. */
  async exportSafetensors(
    model: ModelSpec,
    params: Float32Array,
    metadata: Record<string, string>,
  ): Promise<Uint8Array> {
    const copy = params.slice();
    const msg = await this.request(
      (requestId) => ({ type: 'exportSafetensors', requestId, model, params: copy, metadata }),
      [copy.buffer],
    );
    if (msg.type !== 'exported') throw new Error(`unexpected reply ${msg.type}`);
    return msg.bytes;
  }

  /** `params` of `model` as a TF.js layers model: model.json's text (naming `weightsPath`) and the weights. */
  async exportLayers(
    model: ModelSpec,
    params: Float32Array,
    weightsPath: string,
  ): Promise<{ modelJson: string; weights: ArrayBuffer }> {
    const copy = params.slice();
    const msg = await this.request(
      (requestId) => ({ type: 'exportLayers', requestId, model, params: copy, weightsPath }),
      [copy.buffer],
    );
    if (msg.type !== 'exportedLayers') throw new Error(`unexpected reply ${msg.type}`);
    return { modelJson: msg.modelJson, weights: msg.weights };
  }

  /**
   * Makes the model in a safetensors file the current one and measures it on the test set;
   * rejects, naming the problem, when the file is not one (the current model stays).
   */
  async importSafetensors(bytes: Uint8Array): Promise<Extract<FromWorker, { type: 'imported' }>> {
    const copy = bytes.slice();
    const msg = await this.request(
      (requestId) => ({ type: 'importSafetensors', requestId, bytes: copy }),
      [copy.buffer],
    );
    if (msg.type !== 'imported') throw new Error(`unexpected reply ${msg.type}`);
    // A replacement worker takes this model over.
    this.model = { type: 'restore', model: msg.model, params: msg.params.slice() };
    this.checkpointsFrom = this.nextRunId;
    return msg;
  }

  /** The same for a TF.js layers model: model.json and the weights files it names. */
  async importLayers(files: File[]): Promise<Extract<FromWorker, { type: 'imported' }>> {
    const msg = await this.request((requestId) => ({ type: 'importLayers', requestId, files }));
    if (msg.type !== 'imported') throw new Error(`unexpected reply ${msg.type}`);
    this.model = { type: 'restore', model: msg.model, params: msg.params.slice() };
    this.checkpointsFrom = this.nextRunId;
    return msg;
  }

  /** Fresh weights for `model`, drawn from `seed`. */
  reset(model: ModelSpec, seed: number): void {
    this.model = { type: 'reset', model, seed };
    // A checkpoint of an earlier run arriving after this is stale.
    this.checkpointsFrom = this.nextRunId;
    this.send(this.model);
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
   * Test images of the run's last full measurement, most confident first: true `truth` read as
   * `predicted` (a confusion matrix cell), or every mistake when neither is given.
   */
  async mistakes(query: {
    runId: number;
    truth?: number;
    predicted?: number;
    limit: number;
  }): Promise<{ epoch: number; total: number; digits: AnalysedDigit[]; confusion: number[] }> {
    const msg = await this.request((requestId) => ({ type: 'mistakes', requestId, ...query }));
    if (msg.type !== 'mistakes') throw new Error(`unexpected reply ${msg.type}`);
    return { epoch: msg.epoch, total: msg.total, digits: msg.digits, confusion: msg.confusion };
  }

  /**
   * Sends a command outside the protocol (the dev hooks' own, src/dev/protocol.ts) and resolves
   * with the reply that carries its requestId.
   */
  call(build: (requestId: number) => { type: string }): Promise<unknown> {
    return this.request(build as unknown as (requestId: number) => ToWorker);
  }

  /** Switches backend: a new worker starts on it and reloads the data; the model starts over. */
  setBackend(backend: BackendChoice): void {
    this.backend = backend;
    this.model = null;
    this.restart();
  }

  dispose(): void {
    if (this.watchdog) clearInterval(this.watchdog);
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
    worker.addEventListener('message', (e: MessageEvent<FromWorker>) => this.receive(e.data));
    worker.addEventListener('error', (e) => {
      // An error nothing in the worker caught: the worker goes on (a dead one falls silent, and
      // the watchdog replaces it), so this is reported as what it is.
      e.preventDefault();
      this.dispatch({
        type: 'error',
        code: 'internal',
        message: `The training worker hit an unexpected error (${e.message || 'no details'}); it carries on.`,
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
    // The model it takes over (after init: messages are handled in order). A copy of a checkpoint
    // is transferred: the page keeps its own for the next restart.
    if (this.model?.type === 'restore') {
      const params = this.model.params.slice();
      worker.postMessage({ ...this.model, params } satisfies ToWorker, [params.buffer]);
    } else if (this.model) worker.postMessage(this.model);
    this.heard = false;
    this.onGpu = false;
    this.pingSentAt = null;
    this.startedAt = performance.now();
    return worker;
  }

  /**
   * Replaces the worker with a new one that takes over the model (its last checkpoint, or its
   * reset), and tells the page: the run, if one was going, is stopped.
   */
  private restart(reason?: string): void {
    this.worker.terminate();
    this.rejectPending('The training worker was restarted.');
    const restored = this.model?.type === 'restore';
    if (reason)
      this.dispatch({
        type: 'error',
        code: 'internal',
        message: `${reason}${restored ? ' The weights it last saved are restored; the run is stopped.' : ''}`,
      });
    this.worker = this.start();
    // The old worker can no longer say how its run ended, nor the new one what it holds yet.
    for (const listener of this.restartListeners) listener(restored);
  }

  /**
   * Pings the worker, or replaces it when a ping has gone unanswered too long (or a new worker
   * has said nothing at all for too long). A page that was itself asleep (a background tab's
   * timers run once a minute) judges nothing on waking: it pings again.
   */
  private check(watchdog: Watchdog): void {
    const now = performance.now();
    const asleep = now - this.lastCheck > 2 * watchdog.pingMs;
    this.lastCheck = now;
    if (asleep) {
      // The page's own timers stalled: what looks late may only be unread; start the clocks again.
      if (!this.heard) this.startedAt = now;
      this.pingSentAt = null;
    }
    const silentMs = this.onGpu ? watchdog.gpuSilentMs : watchdog.silentMs;
    const late = this.heard
      ? this.pingSentAt !== null && now - this.pingSentAt > silentMs
      : now - this.startedAt > watchdog.startupMs;
    if (!late) {
      if (this.heard && this.pingSentAt === null) {
        this.pingSentAt = now;
        this.send({ type: 'ping' });
      }
      return;
    }
    this.restarts = [...this.restarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (this.restarts.length > MAX_RESTARTS) {
      if (this.restarts.length === MAX_RESTARTS + 1)
        this.dispatch({
          type: 'error',
          code: 'internal',
          message: `The training worker stopped answering ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60_000} minutes: it cannot run here. Reload the page to try again.`,
        });
      return;
    }
    const seconds = Math.round((this.heard ? silentMs : watchdog.startupMs) / 1000);
    this.restart(
      this.heard
        ? `The training worker stopped answering for ${seconds} s, so it was replaced by a new one.`
        : `The training worker said nothing for ${seconds} s after it started, so it was replaced by a new one.`,
    );
  }

  /** Every message from the worker: proof of life, checkpoints kept, the rest dispatched. */
  private receive(msg: FromWorker): void {
    this.heard = true;
    this.pingSentAt = null;
    if (msg.type === 'pong') return;
    if (msg.type === 'ready' || msg.type === 'backendChanged') this.onGpu = msg.backend === 'webgl';
    if (msg.type === 'checkpoint') {
      if (msg.runId < this.checkpointsFrom) return;
      this.model = { type: 'restore', model: msg.model, params: msg.params };
      // The run ledger keeps them too (it copies what it stores).
    }
    this.dispatch(msg);
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
