/**
 * The page's handle on the training worker: it owns the Worker, sends commands, fans events out
 * to listeners and turns requests into promises of their replies (requests.ts). It keeps what a
 * new worker must take over (modelCustody.ts) and asks the watchdog (watchdog.ts) whether the
 * worker lives: one that stops answering (dead, or stuck in a step) is terminated, a fresh one is
 * started, and the model is restored into it, so no trained weights are lost.
 */
import type { TrainConfig } from '../shared/config';
import type { ModelSpec } from '../shared/modelSpec';
import type {
  BackendChoice,
  FromWorker,
  ReplyOf,
  Requests,
  RequestTable,
  ToWorker,
} from '../shared/protocol';
import { ModelCustody } from './modelCustody';
import { PendingRequests, type RequestBody } from './requests';
import { Watchdog, WATCHDOG_LIMITS, type WatchdogLimits } from './watchdog';

export type Listener = (msg: FromWorker) => void;

/** Told when the worker was replaced: `restored` when the new one took over the trained weights. */
export type RestartListener = (restored: boolean) => void;

/** How long a stop may take before the worker is presumed stuck and replaced. */
const STOP_TIMEOUT_MS = 5_000;

/** `?backend=wasm` (webgl, wasm, cpu, js, auto) in the address picks the backend at load. */
export function backendFromSearch(search: string): BackendChoice {
  const asked = new URLSearchParams(search).get('backend');
  return asked === 'webgl' || asked === 'wasm' || asked === 'cpu' || asked === 'js' ? asked : 'auto';
}

function createTrainingWorker(): Worker {
  return new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module' });
}

export class TrainingClient {
  private worker: Worker;
  private readonly listeners = new Set<Listener>();
  /** Events that arrive before anyone listens (the worker starts at once) wait here. */
  private backlog: FromWorker[] | null = [];
  private readonly requests = new PendingRequests();
  private readonly custody = new ModelCustody();
  private readonly restartListeners = new Set<RestartListener>();
  private readonly watchdog: Watchdog | null;
  private readonly timer: ReturnType<typeof setInterval> | null;
  private nextRunId = 1;
  private backend: BackendChoice;
  private readonly createWorker: () => Worker;

  constructor(
    backend: BackendChoice = 'auto',
    createWorker: () => Worker = createTrainingWorker,
    limits: WatchdogLimits | null = WATCHDOG_LIMITS,
  ) {
    this.backend = backend;
    this.createWorker = createWorker;
    this.watchdog = limits && new Watchdog(limits, performance.now());
    this.worker = this.start();
    this.timer = limits && setInterval(() => this.check(), limits.pingMs);
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
   * Sends a request of the page's protocol (or, naming its table, of another: the dev hooks') and
   * resolves with its reply; rejects with the worker's error message, or the signal's reason once
   * it aborts. Buffers in `transfer` go to the worker: send copies of what the caller keeps.
   */
  request<K extends keyof T & string, T extends RequestTable<T> = Requests>(
    msg: RequestBody<T, K>,
    transfer: Transferable[] = [],
    signal?: AbortSignal,
  ): Promise<ReplyOf<T, K>> {
    return this.requests.request<T, K>((m, t) => this.worker.postMessage(m, t), msg, transfer, signal);
  }

  /**
   * Starts a run, from fresh weights or from the current model (`from`); returns its runId (events
   * of older runs carry older ids).
   */
  train(config: TrainConfig, from?: 'current'): number {
    const runId = this.nextRunId++;
    this.custody.runStarted(runId);
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
   * in time is replaced by a new one, which takes over the model (the data reloads).
   */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        offRestart();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        this.restart('The training worker did not answer Stop in time, so it was replaced by a new one.');
      }, STOP_TIMEOUT_MS);
      const off = this.on((msg) => {
        if (msg.type === 'state' && (msg.state === 'stopped' || msg.state === 'done' || msg.state === 'idle'))
          done();
      });
      // Replaced meanwhile (by the watchdog): the run is over, and the new worker has nothing to stop.
      const offRestart = this.onRestart(done);
      this.send({ type: 'stop' });
    });
  }

  /** Loads the data set (again, after a failure; the worker starts loading it by itself). */
  loadData(): void {
    this.send({ type: 'loadData' });
  }

  /** Makes `params` (layout.ts's order) the weights of a `model`: a saved run's, loaded again. */
  restore(model: ModelSpec, params: Float32Array): void {
    this.custody.restored(model, params);
    const copy = params.slice(); // the page keeps its own for a restart
    this.send({ type: 'restore', model, params: copy }, [copy.buffer]);
  }

  /** The worker made `params` of `model` its current model (an import): a new worker takes it over. */
  adopted(model: ModelSpec, params: Float32Array): void {
    this.custody.restored(model, params);
  }

  /** Fresh weights for `model`, drawn from `seed`. */
  reset(model: ModelSpec, seed: number): void {
    this.custody.reset(model, seed);
    this.send({ type: 'reset', model, seed });
  }

  /** Switches backend: a new worker starts on it and reloads the data; the model starts over. */
  setBackend(backend: BackendChoice): void {
    this.backend = backend;
    this.custody.forget();
    this.restart();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.worker.terminate();
    this.requests.rejectAll('The training worker was closed.');
    this.listeners.clear();
  }

  private send(msg: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(msg, transfer);
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
    // The model it takes over, after init: messages are handled in order.
    const takeover = this.custody.takeover();
    if (takeover) worker.postMessage(takeover.msg, takeover.transfer);
    this.watchdog?.started(performance.now());
    return worker;
  }

  /**
   * Replaces the worker with a new one that takes over the model, and tells the page: the run,
   * if one was going, is stopped.
   */
  private restart(reason?: string): void {
    this.worker.terminate();
    this.requests.rejectAll('The training worker was restarted.');
    const restored = this.custody.holdsWeights;
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

  /** The watchdog's verdict, carried out. */
  private check(): void {
    const verdict = this.watchdog!.check(performance.now());
    if (verdict.action === 'ping') this.send({ type: 'ping' });
    else if (verdict.action === 'replace') this.restart(verdict.reason);
    else if (verdict.action === 'giveUp')
      this.dispatch({ type: 'error', code: 'internal', message: verdict.message });
  }

  /** Every message from the worker: proof of life, replies settled, checkpoints kept, the rest dispatched. */
  private receive(msg: FromWorker): void {
    const backend = msg.type === 'ready' || msg.type === 'backendChanged' ? msg.backend : undefined;
    this.watchdog?.heard(backend === undefined ? undefined : backend === 'webgl');
    if (msg.type === 'pong' || this.requests.settle(msg)) return;
    if (msg.type === 'checkpoint') this.custody.checkpoint(msg);
    this.dispatch(msg);
  }

  private dispatch(msg: FromWorker): void {
    if (this.backlog) this.backlog.push(msg);
    else for (const listener of this.listeners) listener(msg);
  }
}
