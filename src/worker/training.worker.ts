/**
 * The worker entry: a thin adapter between `self` and the trainer. Every command is handled in its
 * own wrapper, so a failure becomes an `error` message instead of a dead worker.
 */
import { DataError, loadMnist, type LoadProgress } from '../data/loadMnist';
import { TUTORIAL_PRESET, validateConfig } from '../model/config';
import { benchSteps, compareWithStock } from '../model/bench';
import { mlpLayout } from '../model/mlp';
import { Session } from '../model/session';
import type { ErrorCode, FromWorker, ToWorker } from '../protocol/messages';
import { BackendManager } from './backend';
import { RunControl, train, type RunOutcome } from './trainer';

declare const self: DedicatedWorkerGlobalScope;

/** dataProgress is posted at most this often (~10 a second). */
const PROGRESS_MS = 100;
const DATA_URL = `${import.meta.env.BASE_URL}data/`;

const backend = new BackendManager();
let session: Session | null = null;
let initDone: Promise<Session> | null = null;
let dataLoad: Promise<void> | null = null;
let run: { runId: number; control: RunControl; done: Promise<RunOutcome> } | null = null;
let lastRunId = 0;
/** The last run's final weights on the CPU, to rebuild the model if the context is lost while idle. */
let lastWeights: { hiddenLayers: number[]; values: Float32Array } | null = null;

class CommandError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

function ready(): Promise<Session> {
  if (!initDone) return Promise.reject(new CommandError('internal', 'Send init before any other command.'));
  return initDone;
}

function dataSession(s: Session): Session {
  if (!s.mnist) throw new CommandError('data-not-ready', 'The MNIST data has not finished loading yet.');
  return s;
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init':
      initDone ??= backend.init(msg.backend).then(
        (info) => {
          session = new Session(
            TUTORIAL_PRESET.hiddenLayers,
            TUTORIAL_PRESET.seed,
            info.backend === 'js' ? 'js' : 'tf',
          );
          post({ type: 'ready', ...info });
          return session;
        },
        (e: Error) => {
          throw new CommandError('backend-failed', `No TensorFlow.js backend could start: ${e.message}`);
        },
      );
      await initDone;
      return;
    case 'loadData':
      dataLoad ??= loadData().catch((e) => {
        dataLoad = null; // a later loadData may retry
        throw e;
      });
      return dataLoad;
    case 'train': {
      const s = await ready();
      if (run) throw new CommandError('busy', 'A run is already in progress; stop it first.');
      lastRunId = msg.runId;
      const control = new RunControl();
      const done = train({
        runId: msg.runId,
        config: msg.config,
        session: s,
        control,
        guard: backend,
        emit: post,
      });
      run = { runId: msg.runId, control, done };
      // The run is over for the page as soon as `done` settles: a Train or Reset right after Stop
      // must not meet a stale `busy`, so the CPU copy of the weights is taken after.
      const outcome = await done.finally(() => (run = null));
      if (outcome !== 'invalid') await keepWeights(s, msg.config.hiddenLayers);
      return;
    }
    case 'pause':
      run?.control.pause();
      return;
    case 'resume':
      run?.control.resume();
      return;
    case 'stop':
      // No run (it just ended): still answer, or the page would take the silence for a hung worker.
      if (run) run.control.stop();
      else post({ type: 'state', runId: lastRunId, state: 'stopped' });
      return;
    case 'reset': {
      const s = await ready();
      if (run) throw new CommandError('busy', 'Stop the run before resetting the weights.');
      const problems = validateConfig({ ...TUTORIAL_PRESET, hiddenLayers: msg.hiddenLayers, seed: msg.seed });
      if (problems.length)
        throw new CommandError('invalid-config', problems.map((p) => p.message).join('; '));
      s.reset(msg.hiddenLayers, msg.seed);
      lastWeights = null;
      post({ type: 'state', runId: lastRunId, state: 'idle' });
      return;
    }
    case 'predict': {
      const s = await ready();
      const probabilities = await s.predict(msg.pixels);
      post({ type: 'prediction', requestId: msg.requestId, probabilities, trained: s.trained }, [
        probabilities.buffer,
      ]);
      return;
    }
    case 'evaluate': {
      const s = dataSession(await ready());
      const { accuracy, loss } = await s.evaluateTest();
      post({ type: 'evaluation', requestId: msg.requestId, accuracy, loss });
      return;
    }
    case 'samples': {
      const s = dataSession(await ready());
      const digits = await s.samples(msg.split, msg.count, msg.indices);
      post(
        { type: 'samples', requestId: msg.requestId, digits },
        digits.map((d) => d.pixels.buffer),
      );
      return;
    }
    case 'benchSteps': {
      const s = dataSession(await ready());
      if (run) throw new CommandError('busy', 'Stop the run before benchmarking.');
      const timing = await benchSteps(s, msg.impl, msg.batchSize);
      post({ type: 'benchResult', requestId: msg.requestId, backend: backend.info!.backend, ...timing });
      return;
    }
    case 'compareSteps': {
      const s = dataSession(await ready());
      if (run) throw new CommandError('busy', 'Stop the run before comparing steps.');
      const result = await compareWithStock(s, msg.optimizer, msg.batchSize, msg.steps);
      post({ type: 'stepComparison', requestId: msg.requestId, backend: backend.info!.backend, ...result });
      return;
    }
    case 'simulateContextLoss':
      await ready();
      if (!backend.simulateContextLoss())
        throw new CommandError(
          'internal',
          `Not on WebGL (backend: ${backend.info?.backend}), nothing to lose.`,
        );
      return;
    default: {
      const _exhaustive: never = msg;
      throw new CommandError('internal', `Unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

async function loadData(): Promise<void> {
  const started = performance.now();
  let lastPost = 0;
  let posted = false;
  const onProgress = (p: LoadProgress) => {
    const now = performance.now();
    const last = p.loadedBytes === p.totalBytes && p.imagesLoaded === p.imagesTotal;
    // Nothing before `ready`: it must be the first message the page gets.
    if (!session || (!last && now - lastPost < PROGRESS_MS)) return;
    lastPost = now;
    posted = true;
    post({ type: 'dataProgress', ...p });
  };
  const mnist = await loadMnist(DATA_URL, onProgress);
  const s = await ready();
  if (!posted)
    post({
      type: 'dataProgress',
      loadedBytes: mnist.bytes,
      totalBytes: mnist.bytes,
      imagesLoaded: mnist.train.count + mnist.test.count,
      imagesTotal: mnist.train.count + mnist.test.count,
    });
  s.setData(mnist);
  // The js engine's sparse copy (~0.2 s), built now rather than on the clock of the first run.
  if (s.engine === 'js') s.ensureCpuData();
  post({
    type: 'dataReady',
    trainCount: mnist.train.count,
    testCount: mnist.test.count,
    bytes: mnist.bytes,
    seconds: (performance.now() - started) / 1000,
  });
}

async function keepWeights(s: Session, hiddenLayers: number[]): Promise<void> {
  lastWeights = { hiddenLayers, values: await backend.unlessLost(s.weights()) };
}

/** A context lost between runs: move to the fallback and rebuild the model from the CPU copy. */
backend.onContextLost = () => {
  if (run || !session) return; // a run recovers by itself
  const s = session;
  void (async () => {
    try {
      try {
        s.dropDevice();
      } catch {
        // The textures went with the context.
      }
      const info = await backend.fallback();
      if (!info)
        throw new CommandError('context-lost', 'The GPU context was lost and no other backend could start.');
      if (lastWeights) s.setWeights(mlpLayout(lastWeights.hiddenLayers), lastWeights.values);
      else s.reset(TUTORIAL_PRESET.hiddenLayers, TUTORIAL_PRESET.seed);
      post({ type: 'backendChanged', ...info });
    } catch (e) {
      post(toError(e));
    }
  })();
};

function toError(e: unknown, ids: { runId?: number; requestId?: number } = {}): FromWorker {
  const code: ErrorCode = e instanceof CommandError || e instanceof DataError ? e.code : 'internal';
  const message = e instanceof Error ? e.message : String(e);
  return { type: 'error', code, message, ...ids };
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  const ids = {
    ...('runId' in msg ? { runId: msg.runId } : {}),
    ...('requestId' in msg ? { requestId: msg.requestId } : {}),
  };
  handle(msg).catch((e: unknown) => post(toError(e, ids)));
};
