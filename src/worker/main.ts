/**
 * The worker proper (loaded by the entry, training.worker.ts): a thin adapter between the page's
 * messages and the session, the trainer and the backend. Every command is handled in its own
 * wrapper, so a failure becomes an `error` message instead of a dead worker. Test and benchmark
 * commands live in src/dev/worker/, loaded only in dev and test builds.
 */
import type { EngineState } from '../engines/engine';
import { DataNotReady } from '../engines/data';
import { fromNamed, netLayout, toNamed, type NetLayout } from '../engines/layout';
import { describeModel, sameModel, specFromTensors, type ModelSpec } from '../shared/modelSpec';
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_FILE_BYTES,
  SafetensorsError,
  type Tensor,
} from '../shared/safetensors';
import { TUTORIAL_PRESET, validateConfig, type TrainConfig } from '../shared/config';
import { CURRENT_MODEL, type ErrorCode, type FromWorker, type ToWorker } from '../shared/protocol';
import type * as LayersFormat from '../engines/tfjs/layersModel';
import { BackendManager } from './backend';
import { CommandError, type ExtraHandler, type WorkerContext } from './context';
import { takeEarlyLoad } from './data/earlyLoad';
import { DataError, loadMnist, type LoadProgress } from './data/loadMnist';
import type { MistakesAnswer, MistakesQuery } from './evaluation/evaluator';
import { createEvaluator, type EvaluatorPort } from './evaluation/port';
import { recover } from './run/recovery';
import { RunControl, train, type RunOutcome } from './run/trainer';
import { initialState, Session } from './session';

declare const self: DedicatedWorkerGlobalScope;

/** dataProgress is posted at most this often (~10 a second). */
const PROGRESS_MS = 100;
export const DATA_URL = `${import.meta.env.BASE_URL}data/`;

const backend = new BackendManager();
let session: Session | null = null;
let initDone: Promise<Session> | null = null;
let dataLoad: Promise<void> | null = null;
let run: { runId: number; control: RunControl; done: Promise<RunOutcome> } | null = null;
let lastRunId = 0;
/** Measures the runs' models on its own thread (evaluation/); started once the data has arrived. */
let evaluator: EvaluatorPort | null = null;
/** What follows the data's arrival (the engine's form of it, the evaluator): a run waits for it. */
let afterData: Promise<void> = Promise.resolve();
/** The model after the last run or reset, on the CPU, to rebuild it if the context is lost while idle. */
interface KeptModel {
  config: Pick<TrainConfig, 'model' | 'optimizer'>;
  state: EngineState;
}
let lastModel: KeptModel | null = null;
/** lastModel's measurement on the test set for its mistakes, once asked for (currentMistakes). */
let currentMeasured: { model: KeptModel; done: Promise<unknown> } | null = null;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(msg, transfer);
}

function ready(): Promise<Session> {
  if (!initDone) return Promise.reject(new CommandError('internal', 'Send init before any other command.'));
  return initDone;
}

/** The TF.js layers format, on TensorFlow.js, loaded and started when a model goes in or out in it. */
async function layersFormat(): Promise<typeof LayersFormat> {
  await backend.tfjs();
  return import('../engines/tfjs/layersModel');
}

function withData(s: Session): Session {
  if (!s.data.loaded) throw new DataNotReady();
  return s;
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init':
      initDone ??= backend.init(msg.backend).then(
        async (info) => {
          post({ type: 'ready', ...info });
          const s = new Session(
            () => backend.info!.backend,
            post,
            () => backend.tfjs(),
          );
          await s.reset(TUTORIAL_PRESET.model, TUTORIAL_PRESET.seed);
          session = s;
          return s;
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
      await afterData;
      if (run) throw new CommandError('busy', 'A run is already in progress; stop it first.');
      lastRunId = msg.runId;
      const initial = msg.from === 'current' ? currentState(msg.config) : undefined;
      const control = new RunControl();
      const done = train({
        runId: msg.runId,
        config: msg.config,
        initial,
        session: s,
        control,
        guard: backend,
        emit: post,
        evaluator: evaluator ?? undefined,
      });
      run = { runId: msg.runId, control, done };
      // The run is over for the page as soon as `done` settles: a Train or Reset right after Stop
      // must not meet a stale `busy`, so the CPU copy of the weights is taken after.
      const outcome = await done.finally(() => (run = null));
      if (outcome !== 'invalid') await keepModel(s, msg.runId, msg.config);
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
      const problems = validateConfig({ ...TUTORIAL_PRESET, model: msg.model, seed: msg.seed });
      if (problems.length)
        throw new CommandError('invalid-config', problems.map((p) => p.message).join('; '));
      await s.reset(msg.model, msg.seed);
      lastModel = {
        config: { model: msg.model, optimizer: 'adam' },
        state: initialState(netLayout(msg.model), msg.seed),
      };
      post({ type: 'state', runId: lastRunId, state: 'idle' });
      return;
    }
    case 'restore': {
      const s = await ready();
      if (run) throw new CommandError('busy', 'Stop the run before restoring weights.');
      const layout = checkedLayout(msg.model, msg.params);
      const state = { params: msg.params, slots: new Float32Array(0), steps: 0 };
      await s.prepare(layout);
      s.install(layout, 'adam', state);
      s.trained = true;
      lastModel = { config: { model: msg.model, optimizer: 'adam' }, state };
      return;
    }
    case 'ping':
      post({ type: 'pong' });
      return;
    case 'predict': {
      const s = await ready();
      const probabilities = await s.predict(msg.pixels);
      post({ type: 'prediction', requestId: msg.requestId, probabilities, trained: s.trained }, [
        probabilities.buffer,
      ]);
      return;
    }
    case 'evaluate': {
      const s = withData(await ready());
      const { accuracy, loss, confusion } = await s.evaluate('test');
      post({
        type: 'evaluation',
        requestId: msg.requestId,
        accuracy,
        loss,
        confusion: Array.from(confusion),
      });
      return;
    }
    case 'samples': {
      const s = withData(await ready());
      const digits = await s.samples(msg.split, msg.count, msg.indices);
      post(
        { type: 'samples', requestId: msg.requestId, digits },
        digits.map((d) => d.pixels.buffer),
      );
      return;
    }
    case 'exportSafetensors': {
      const layout = checkedLayout(msg.model, msg.params);
      const bytes = encodeSafetensors(toNamed(layout, msg.params), {
        format: 'pt',
        model: describeModel(msg.model),
        ...msg.metadata,
      });
      post({ type: 'exported', requestId: msg.requestId, bytes }, [bytes.buffer]);
      return;
    }
    case 'exportLayers': {
      await ready();
      const layout = checkedLayout(msg.model, msg.params);
      const { toLayersModel } = await layersFormat();
      const { modelJson, weights } = await toLayersModel(layout, msg.params, msg.weightsPath);
      post({ type: 'exportedLayers', requestId: msg.requestId, modelJson, weights }, [weights]);
      return;
    }
    case 'importSafetensors': {
      const s = withData(await ready());
      if (run) throw new CommandError('busy', 'Stop the run before importing a model.');
      const model = modelFromFile(msg.bytes);
      await installImported(s, msg.requestId, model.spec, fromNamed(netLayout(model.spec), model.tensors));
      return;
    }
    case 'importLayers': {
      const s = withData(await ready());
      if (run) throw new CommandError('busy', 'Stop the run before importing a model.');
      const { fromLayersModel, LayersImportError } = await layersFormat();
      const { spec, params } = await fromLayersModel(msg.files, MAX_FILE_BYTES).catch((e: unknown) => {
        throw e instanceof LayersImportError ? new CommandError('invalid-model', e.message) : e;
      });
      await installImported(s, msg.requestId, spec, params);
      return;
    }
    case 'mistakes': {
      await ready();
      if (!evaluator) throw new CommandError('internal', 'No evaluator yet.');
      const { requestId, runId, truth, predicted, limit } = msg;
      const answer =
        runId === CURRENT_MODEL
          ? await currentMistakes(evaluator, { runId, truth, predicted, limit })
          : await evaluator.mistakes({ runId, truth, predicted, limit });
      post(
        { type: 'mistakes', requestId, runId, ...answer },
        answer.digits.map((d) => d.pixels.buffer),
      );
      return;
    }
    default: {
      const _exhaustive: never = msg;
      throw new CommandError('internal', `Unknown command ${JSON.stringify(_exhaustive)}`);
    }
  }
}

async function loadData(): Promise<void> {
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
  // The entry started the first load before this module had loaded; a retry starts its own.
  const early = takeEarlyLoad(onProgress);
  const started = early?.started ?? performance.now();
  const mnist = await (early?.done ?? loadMnist(DATA_URL, onProgress)).catch((e: unknown) => {
    // Whatever went wrong, the page must hear it as a data fault, not wait on "Loading" forever.
    throw e instanceof DataError
      ? e
      : new DataError('data-corrupt', `The data could not be read: ${(e as Error).message}`);
  });
  const s = await ready();
  if (!posted)
    post({
      type: 'dataProgress',
      loadedBytes: mnist.bytes,
      totalBytes: mnist.bytes,
      imagesLoaded: mnist.train.count + mnist.test.count,
      imagesTotal: mnist.train.count + mnist.test.count,
    });
  s.data.set(mnist);
  post({
    type: 'dataReady',
    trainCount: mnist.train.count,
    testCount: mnist.test.count,
    bytes: mnist.bytes,
    seconds: (performance.now() - started) / 1000,
  });
  // After dataReady, in a task of their own: the engine's own form of the data (the CPU engine's
  // sparse copy, ~0.1 s alone, 0.55-0.64 s as the page starts a run) and the evaluator's thread
  // with its copy are not the data's loading, and would only compete with it for the cores. A
  // Train waits for them (afterData). The evaluator's worker starts first, to load while the engine
  // builds its form, which it then takes as it is where that is in shared memory.
  afterData = new Promise<void>((r) => setTimeout(r, 0)).then(() => {
    evaluator ??= createEvaluator(s.data);
    s.engine.prepare();
    evaluator.setData(mnist);
  });
  await afterData;
}

/**
 * Keeps the model after a run on the CPU, and hands its weights to the page as a checkpoint. A
 * Reset or a new run may come first (the run slot is free as soon as it ends): then the model is
 * no longer the run's, and nothing is kept.
 */
async function keepModel(s: Session, runId: number, config: TrainConfig): Promise<void> {
  const engine = s.engine;
  const state = await backend.unlessLost(engine.readState()).catch(() => null);
  if (!state || s.engine !== engine) return;
  lastModel = { config, state };
  const params = state.params.slice(); // a copy: lastModel keeps its own
  post({ type: 'checkpoint', runId, model: config.model, params }, [params.buffer]);
}

/**
 * The mistakes of the current model outside a run (loaded or imported): it is measured on the
 * whole test set once, on the evaluator's thread, when first asked; again if a run's epoch-end
 * measurement took the evaluator's place meanwhile.
 */
async function currentMistakes(e: EvaluatorPort, query: MistakesQuery): Promise<MistakesAnswer> {
  const model = lastModel;
  if (!model || !session?.trained)
    throw new CommandError('internal', 'There is no trained model to analyse: train, load or import one.');
  const measure = () =>
    e.measure({
      runId: CURRENT_MODEL,
      model: model.config.model,
      params: model.state.params.slice(),
      batch: 0,
      epoch: 0,
      trainingSeconds: 0,
      trainRows: new Int32Array(0),
      testRows: null,
    });
  if (currentMeasured?.model !== model) currentMeasured = { model, done: measure() };
  await currentMeasured.done;
  try {
    return await e.mistakes(query);
  } catch {
    currentMeasured = { model, done: measure() };
    await currentMeasured.done;
    return e.mistakes(query);
  }
}

/**
 * The current model's state, for a run that trains it further with `config`, which must name the
 * same model; a CommandError saying what differs otherwise.
 */
function currentState(config: TrainConfig): EngineState {
  if (!lastModel)
    throw new CommandError(
      'invalid-config',
      'There is no trained model to continue from: press Train alone.',
    );
  if (!sameModel(lastModel.config.model, config.model))
    throw new CommandError(
      'invalid-config',
      `The current model is ${describeModel(lastModel.config.model)}; these settings describe ${describeModel(config.model)}, so training cannot continue from it.`,
    );
  return lastModel.state;
}

/** Makes an imported model (checked) the current one, measures it and tells the page. */
async function installImported(s: Session, requestId: number, model: ModelSpec, params: Float32Array) {
  const state = { params, slots: new Float32Array(0), steps: 0 };
  const layout = netLayout(model);
  await s.prepare(layout);
  s.install(layout, 'adam', state);
  s.trained = true;
  lastModel = { config: { model, optimizer: 'adam' }, state };
  const { accuracy, loss, confusion } = await s.evaluate('test');
  const copy = params.slice();
  post(
    { type: 'imported', requestId, model, params: copy, accuracy, loss, confusion: Array.from(confusion) },
    [copy.buffer],
  );
}

/**
 * The layout of `model` once the model is checked, and `params` with it: each problem a
 * CommandError naming it (weights come from the page: a checkpoint, a saved run).
 */
function checkedLayout(model: ModelSpec, params: Float32Array): NetLayout {
  const problems = validateConfig({ ...TUTORIAL_PRESET, model });
  if (problems.length) throw new CommandError('invalid-config', problems.map((p) => p.message).join('; '));
  const layout = netLayout(model);
  if (params.length !== layout.paramCount || !params.every(Number.isFinite))
    throw new CommandError('internal', 'The weights do not fit the model or are not finite.');
  return layout;
}

/**
 * The model a safetensors file holds, checked as untrusted input: the format, the tutorial's
 * names and consistent shapes, finite weights. Each problem is a CommandError naming it.
 */
function modelFromFile(bytes: Uint8Array): { spec: ModelSpec; tensors: Tensor[] } {
  let tensors: Tensor[];
  try {
    tensors = decodeSafetensors(bytes).tensors;
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CommandError('invalid-model', e.message);
    throw e;
  }
  const found = specFromTensors(tensors);
  if ('problem' in found) throw new CommandError('invalid-model', found.problem);
  for (const t of tensors) {
    const bad = t.data.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
    if (bad > 0)
      throw new CommandError(
        'invalid-model',
        `Tensor ${t.name} holds ${bad} NaN or infinite value${bad === 1 ? '' : 's'}: these weights cannot read a digit.`,
      );
  }
  return { spec: found.spec, tensors };
}

/** A context lost between runs: move to the fallback and rebuild the model from the CPU copy. */
backend.onContextLost = () => {
  if (run || !session) return; // a run recovers by itself
  const s = session;
  const { model, optimizer } = lastModel?.config ?? TUTORIAL_PRESET;
  const layout = netLayout(model);
  const state = lastModel?.state ?? initialState(layout, TUTORIAL_PRESET.seed);
  void recover('device', new Error('context lost'), s, backend, post, { layout, optimizer, state })
    .then((engine) => {
      if (!engine)
        throw new CommandError('context-lost', 'The GPU context was lost and no other backend could start.');
    })
    .catch((e) => post(toError(e)));
};

function toError(e: unknown, ids: { runId?: number; requestId?: number } = {}): FromWorker {
  const code: ErrorCode =
    e instanceof CommandError || e instanceof DataError
      ? e.code
      : e instanceof DataNotReady
        ? 'data-not-ready'
        : 'internal';
  const message = e instanceof Error ? e.message : String(e);
  return { type: 'error', code, message, ...ids };
}

const context: WorkerContext = { backend, post, ready, busy: () => run !== null };
const extra: Promise<ExtraHandler | null> = __DEV_HOOKS__
  ? import('../dev/worker/hooks').then(
      (m) => m.workerHooks(context),
      // Without its hooks a test build still answers the protocol.
      () => null,
    )
  : Promise.resolve(null);

/** Handles one message of the page (training.worker.ts hands them over). */
export function onMessage(event: MessageEvent<ToWorker>): void {
  const msg = event.data;
  const ids = {
    ...('runId' in msg ? { runId: msg.runId } : {}),
    ...('requestId' in msg ? { requestId: msg.requestId } : {}),
  };
  // Only the test commands wait for the test hooks to load: the page's own do not.
  const handled = msg.type.startsWith('dev')
    ? extra.then((hooks) => hooks?.(msg) ?? false)
    : Promise.resolve(false);
  handled.then((done) => (done ? undefined : handle(msg))).catch((e: unknown) => post(toError(e, ids)));
}
