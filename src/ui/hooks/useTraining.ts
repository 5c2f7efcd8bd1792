/**
 * App-level training state: backend, data, run state, errors. Only rare events (ready, data
 * progress, state changes, epoch ends, errors) reach React here; per-batch losses go straight to
 * the metrics store, which charts read on their own.
 */
import { startTransition, useEffect, useReducer } from 'react';
import { TrainingClient } from '../../client/trainingClient';
import { createMetricsStore } from '../../client/metricsStore';
import { RunLedger, saveFailure, type RunData, type RunSummary } from '../../client/runLedger';
import { TUTORIAL_PRESET } from '../../shared/config';
import { describeModel } from '../../shared/modelSpec';
import { MAX_FILE_BYTES } from '../../shared/safetensors';
import { RunRecorder } from '../../client/runRecorder';
import { runCsv } from '../charts/csv';
import { fileName } from '../download';
import type { TrainConfig } from '../../shared/config';
import type {
  BackendChoice,
  BackendInfo,
  DataSummary,
  EngineInfo,
  ErrorCode,
  FromWorker,
  RunState,
} from '../../shared/protocol';

export type DataStatus =
  | { status: 'loading'; loadedBytes: number; totalBytes: number; imagesLoaded: number; imagesTotal: number }
  | ({ status: 'ready' } & DataSummary)
  | { status: 'error'; message: string };

export interface RunInfo {
  /** The worker's run id; 0 for a run loaded from the ledger (no worker run behind it). */
  runId: number;
  /** Its name in the run ledger ("Run 3"). */
  name: string;
  state: RunState;
  config: TrainConfig;
  /** performance.now() when the run started, and ms spent paused so far. */
  startedAt: number;
  pausedMs: number;
  pausedAt: number | null;
  endedAt: number | null;
}

export interface AppError {
  id: number;
  code: ErrorCode;
  message: string;
}

export interface TrainingState {
  backend: BackendInfo | null;
  /** The engine the worker's model runs on, and why. */
  engine: EngineInfo | null;
  data: DataStatus;
  run: RunInfo | null;
  /** True once any batch was trained since the last reset. */
  trained: boolean;
  /** Bumped at each epoch end and reset, so views that depend on the model refresh. */
  modelVersion: number;
  errors: AppError[];
  /** Bumped whenever the run ledger changed (a save, a rename, a delete), so its list refreshes. */
  ledgerVersion: number;
}

export type Action =
  | { type: 'event'; msg: FromWorker }
  /** A run started; `continued` when from the current model rather than fresh weights. */
  | { type: 'started'; runId: number; config: TrainConfig; name: string; continued: boolean }
  /** A run from the ledger is shown and its model loaded (on reload, or by Load). */
  | { type: 'loaded'; summary: RunSummary; hasWeights: boolean }
  | { type: 'ledgerChanged' }
  /** The current run was renamed (its number known, or the user's name). */
  | { type: 'renamedCurrent'; name: string }
  | { type: 'notice'; code: ErrorCode; message: string }
  | { type: 'reset' }
  | { type: 'restarted' }
  | { type: 'retryData' }
  /** The client replaced a silent worker; `restored` when the new one took the trained weights. */
  | { type: 'workerReplaced'; restored: boolean }
  | { type: 'dismiss'; id: number };

export const INITIAL: TrainingState = {
  backend: null,
  engine: null,
  data: { status: 'loading', loadedBytes: 0, totalBytes: 0, imagesLoaded: 0, imagesTotal: 0 },
  run: null,
  trained: false,
  modelVersion: 0,
  errors: [],
  ledgerVersion: 0,
};

let nextErrorId = 1;

/** The page's training state machine (exported for its unit test). */
export function reduce(s: TrainingState, action: Action): TrainingState {
  switch (action.type) {
    case 'started':
      return {
        ...s,
        // A run starts from freshly seeded weights, unless it trains the current model further.
        trained: action.continued && s.trained,
        run: {
          runId: action.runId,
          name: action.name,
          state: 'training',
          config: action.config,
          startedAt: performance.now(),
          pausedMs: 0,
          pausedAt: null,
          endedAt: null,
        },
      };
    case 'loaded': {
      const { summary } = action;
      const now = performance.now();
      return {
        ...s,
        trained: action.hasWeights,
        modelVersion: s.modelVersion + 1,
        run: {
          runId: 0,
          name: summary.name,
          // A run saved while it trained was cut short by the reload.
          state: summary.state === 'training' || summary.state === 'paused' ? 'stopped' : summary.state,
          config: summary.config,
          startedAt: now - summary.trainingSeconds * 1000,
          pausedMs: 0,
          pausedAt: null,
          endedAt: now,
        },
      };
    }
    case 'ledgerChanged':
      return { ...s, ledgerVersion: s.ledgerVersion + 1 };
    case 'renamedCurrent':
      return s.run ? { ...s, run: { ...s.run, name: action.name } } : s;
    case 'notice':
      return {
        ...s,
        errors: [...s.errors, { id: nextErrorId++, code: action.code, message: action.message }].slice(-4),
      };
    case 'reset':
      return { ...s, run: null, trained: false, modelVersion: s.modelVersion + 1 };
    case 'restarted':
      return { ...INITIAL, errors: s.errors, modelVersion: s.modelVersion + 1 };
    case 'retryData':
      return { ...s, data: INITIAL.data };
    case 'workerReplaced': {
      // The new worker reloads the data, holds no run, and holds the trained model only if restored.
      const active = s.run?.state === 'training' || s.run?.state === 'paused';
      const run = active
        ? { ...s.run!, state: 'stopped' as const, endedAt: performance.now(), pausedAt: null }
        : s.run;
      return {
        ...s,
        run,
        data: INITIAL.data,
        trained: action.restored && s.trained,
        modelVersion: s.modelVersion + 1,
      };
    }
    case 'dismiss':
      return { ...s, errors: s.errors.filter((e) => e.id !== action.id) };
    case 'event':
      return reduceEvent(s, action.msg);
    default: {
      const _exhaustive: never = action;
      return _exhaustive;
    }
  }
}

function reduceEvent(s: TrainingState, msg: FromWorker): TrainingState {
  const ofRun = (runId: number) => s.run !== null && s.run.runId === runId;
  switch (msg.type) {
    case 'ready': {
      const { type: _type, ...info } = msg;
      return { ...s, backend: info };
    }
    case 'backendChanged': {
      // The user must hear of it: the run goes on, but elsewhere and from earlier weights.
      const { type: _type, ...info } = msg;
      const notice: AppError = { id: nextErrorId++, code: 'context-lost', message: info.reason };
      return { ...s, backend: info, errors: [...s.errors, notice].slice(-4) };
    }
    case 'engine': {
      const { type: _type, ...info } = msg;
      return { ...s, engine: info };
    }
    case 'dataProgress':
      // Shards still in flight after one failed report progress too; the error stands.
      if (s.data.status === 'error') return s;
      return { ...s, data: { status: 'loading', ...msg } };
    case 'dataReady': {
      const { type: _type, ...summary } = msg;
      return { ...s, data: { status: 'ready', ...summary } };
    }
    case 'metrics':
      if (!ofRun(msg.runId) || s.trained) return s;
      return { ...s, trained: true };
    case 'epochEnd':
      if (!ofRun(msg.runId)) return s;
      return { ...s, modelVersion: s.modelVersion + 1 };
    case 'state': {
      if (!ofRun(msg.runId)) return s;
      const run = { ...s.run!, state: msg.state };
      const now = performance.now();
      if (msg.state === 'paused' && run.pausedAt === null) run.pausedAt = now;
      if (msg.state !== 'paused' && run.pausedAt !== null) {
        run.pausedMs += now - run.pausedAt;
        run.pausedAt = null;
      }
      if (msg.state === 'stopped' || msg.state === 'done') run.endedAt = now;
      // idle: fresh weights (after a reset or a restarted worker), so nothing is trained any more.
      const trained = msg.state === 'idle' ? false : s.trained;
      return {
        ...s,
        run,
        trained,
        modelVersion: msg.state === 'training' ? s.modelVersion : s.modelVersion + 1,
      };
    }
    case 'error': {
      const errors = [...s.errors, { id: nextErrorId++, code: msg.code, message: msg.message }].slice(-4);
      // An error about the current run (invalid settings, busy, diverged) ends it for the page.
      const active = s.run?.state === 'training' || s.run?.state === 'paused';
      const run =
        msg.runId !== undefined && ofRun(msg.runId) && active
          ? { ...s.run!, state: 'stopped' as const, endedAt: performance.now(), pausedAt: null }
          : s.run;
      const data: DataStatus =
        msg.code === 'data-missing' || msg.code === 'data-corrupt'
          ? { status: 'error', message: msg.message }
          : s.data;
      return { ...s, errors, data, run };
    }
    case 'prediction':
    case 'evaluation':
    case 'measurement':
    case 'mistakes':
    case 'exported':
    case 'exportedLayers':
    case 'imported':
    case 'samples':
    case 'pong':
    case 'checkpoint':
      return s;
    default: {
      const _exhaustive: never = msg;
      return _exhaustive;
    }
  }
}

/** Every batch loss and epoch summary of the current run; the charts read it directly. */
export const metricsStore = createMetricsStore();
/**
 * The run whose measurements the store takes: a stopped run's last ones still arrive (they are
 * measured on their own thread), but not into a newer run's charts or after a reset.
 */
let storeRunId = 0;

let sharedClient: TrainingClient | null = null;

/**
 * The one training client of the page, made on first use. A module-level singleton rather than
 * React state, so StrictMode's double mount does not start (and load the data in) two workers.
 */
export function getClient(): TrainingClient {
  sharedClient ??= new TrainingClient(initialBackend());
  return sharedClient;
}

/** `?backend=wasm` (webgl, wasm, cpu, js, auto) in the address picks the backend at load. */
export function initialBackend(): BackendChoice {
  const asked = new URLSearchParams(location.search).get('backend');
  return asked === 'webgl' || asked === 'wasm' || asked === 'cpu' || asked === 'js' ? asked : 'auto';
}

let ledger: RunLedger | null = null;
/** The run ledger (IndexedDB), opened on first use: the page's only one. */
export function getLedger(): RunLedger {
  ledger ??= new RunLedger();
  return ledger;
}

/** Where the recorder reports to: the mounted page's dispatch. */
let report: (action: Action) => void = () => {};
let recorder: RunRecorder | null = null;
function getRecorder(): RunRecorder {
  recorder ??= new RunRecorder(
    getLedger(),
    metricsStore,
    (message) => report({ type: 'notice', code: 'storage', message }),
    () => report({ type: 'ledgerChanged' }),
  );
  return recorder;
}

/** The next run's number: one past the highest saved. */
function nextRunNumber(runs: readonly RunSummary[]): number {
  return runs.reduce((n, r) => Math.max(n, r.number ?? 0), 0) + 1;
}

/** Puts a saved run on the charts and, when it has weights, into the worker as the model. */
function showRun(
  client: TrainingClient,
  dispatch: (a: Action) => void,
  summary: RunSummary,
  data: RunData,
): void {
  metricsStore.load({ ...data, totalBatches: summary.totalBatches });
  storeRunId = 0;
  getRecorder().forget();
  if (data.weights) client.restore(data.weights.model, data.weights.params);
  dispatch({ type: 'loaded', summary, hasWeights: data.weights !== null });
}

/**
 * Sends the picked files to the worker as the format they are: one .safetensors (PyTorch), or a
 * model.json and its weights files (TF.js); `name` names the import.
 */
async function importFiles(
  client: TrainingClient,
  files: File[],
): Promise<{ name: string; imported: Awaited<ReturnType<TrainingClient['importSafetensors']>> }> {
  const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
  if (json) return { name: json.name, imported: await client.importLayers(files) };
  if (files.length !== 1)
    throw new Error(
      `${files.length} files were picked without a model.json: pick one .safetensors file, or a TF.js model.json with its weights file.`,
    );
  const [file] = files;
  if (file.size > MAX_FILE_BYTES)
    throw new Error(
      `${file.name} is ${(file.size / 1e6).toFixed(0)} MB; a model file here is at most ${MAX_FILE_BYTES / 1e6} MB.`,
    );
  const bytes = new Uint8Array(await file.arrayBuffer());
  return { name: file.name, imported: await client.importSafetensors(bytes) };
}

/** What a run can be exported as: PyTorch's safetensors, TF.js's layers model, the CSV log. */
export type ExportKind = 'safetensors' | 'tfjs' | 'csv';

export interface ExportFile {
  name: string;
  type: string;
  data: BlobPart;
}

export interface TrainingApi {
  state: TrainingState;
  client: TrainingClient;
  /**
   * Starts a run of `config`: from fresh weights, or, given `continueFrom` (the current run's
   * name), from the current model, whose architecture `config.model` must be.
   */
  train: (config: TrainConfig, continueFrom?: string) => void;
  reset: (config: TrainConfig) => void;
  /** Restarts the worker on another backend: the model and the charts start over. */
  switchBackend: (backend: BackendChoice) => void;
  /** Loads the data again after it failed to. */
  retryData: () => void;
  dismissError: (id: number) => void;
  /** Shows a saved run and makes its model the current one. */
  loadRun: (id: string) => Promise<void>;
  renameRun: (id: string, name: string) => Promise<void>;
  deleteRun: (id: string) => Promise<void>;
  deleteAllRuns: () => Promise<void>;
  /**
   * Makes the model in the files a user picked (one .safetensors, or a TF.js model.json with its
   * weights files) the current one, measured on the test set and kept in the ledger; rejects with
   * a message naming the problem (the current model stays).
   */
  importModel: (files: File[]) => Promise<{ name: string; model: string; accuracy: number }>;
  /** A saved run as a file: its weights for PyTorch (safetensors), or its log (CSV). */
  exportRun: (id: string, as: ExportKind) => Promise<ExportFile[]>;
}

/** Subscribes the page to the worker's events; see the module comment for what goes where. */
export function useTraining(): TrainingApi {
  const client = getClient();
  const [state, dispatch] = useReducer(reduce, INITIAL);

  useEffect(() => client.onRestart((restored) => dispatch({ type: 'workerReplaced', restored })), [client]);

  useEffect(() => {
    report = dispatch;
    return () => {
      report = () => {};
    };
  }, []);

  // On reload, the last run is back: its curves on the charts, its model in the worker.
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const [latest] = await getLedger().list();
        const data = latest && (await getLedger().data(latest.id));
        // Only if nothing started meanwhile.
        if (live && latest && data && !metricsStore.getLosses().length)
          showRun(client, dispatch, latest, data);
      } catch (e) {
        if (live)
          dispatch({
            type: 'notice',
            code: 'storage',
            message: `The saved runs could not be read: ${(e as Error).message ?? String(e)}. Training works; runs are not kept.`,
          });
      }
    })();
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(
    () =>
      client.on((msg) => {
        if (msg.type === 'metrics') {
          metricsStore.appendLosses(msg.firstBatch, msg.losses, msg.totalBatches, msg.trainingSeconds);
          // Only the run's first batch matters to React ("trained"); the rest is the store's.
          if (msg.firstBatch > 0) return;
        }
        if (msg.type === 'measurement') {
          // The store's alone: some 20 an epoch, and nothing in React's state depends on them.
          if (storeRunId === msg.runId) metricsStore.addMeasurement(msg);
          return;
        }
        if (msg.type === 'epochEnd' && storeRunId === msg.runId) metricsStore.addEpoch(msg);
        // After the store: a save reads the run's curves from it.
        getRecorder().receive(msg);
        if (msg.type === 'checkpoint') return;
        // As a transition: React renders it in slices of a few ms (see `started` below).
        startTransition(() => dispatch({ type: 'event', msg }));
      }),
    [client],
  );

  return {
    state,
    client,
    train: (config, continueFrom) => {
      metricsStore.reset();
      const runId = client.train(config, continueFrom !== undefined ? 'current' : undefined);
      storeRunId = runId;
      const engine = state.engine ? `${state.engine.label} on ${state.backend?.backend ?? '?'}` : '';
      // The name is known once the ledger answers; a run is "Run" until then, never unnamed.
      const recording = getRecorder().start(runId, config, engine, continueFrom);
      // As a transition, which React renders in slices of a few ms: rendered at once, the page's
      // update for a click on Train (and for the worker's first events of the run) took one task
      // of 46-58 ms (long-animation-frame entries of 3 Tutorial runs, 2026-12-05).
      startTransition(() =>
        dispatch({
          type: 'started',
          runId,
          config,
          name: recording.name,
          continued: continueFrom !== undefined,
        }),
      );
      void getLedger()
        .list()
        .then((runs) => {
          const number = nextRunNumber(runs);
          const name = `Run ${number}`;
          if (getRecorder().rename(recording.id, name, number)) dispatch({ type: 'renamedCurrent', name });
        })
        .catch(() => {});
    },
    reset: (config) => {
      metricsStore.reset();
      storeRunId = 0;
      getRecorder().forget();
      client.reset(config.model, config.seed);
      dispatch({ type: 'reset' });
    },
    switchBackend: (backend) => {
      metricsStore.reset();
      storeRunId = 0;
      getRecorder().forget();
      client.setBackend(backend);
      dispatch({ type: 'restarted' });
    },
    retryData: () => {
      dispatch({ type: 'retryData' });
      client.loadData();
    },
    dismissError: (id) => dispatch({ type: 'dismiss', id }),
    loadRun: async (id) => {
      const ledger = getLedger();
      const summary = (await ledger.list()).find((r) => r.id === id);
      const data = await ledger.data(id);
      if (!summary || !data) throw new Error('That run is no longer saved.');
      showRun(client, dispatch, summary, data);
    },
    renameRun: async (id, name) => {
      await getLedger().rename(id, name);
      if (getRecorder().rename(id, name)) dispatch({ type: 'renamedCurrent', name });
      dispatch({ type: 'ledgerChanged' });
    },
    deleteRun: async (id) => {
      if (getRecorder().recordingId === id) getRecorder().forget();
      await getLedger().remove(id);
      dispatch({ type: 'ledgerChanged' });
    },
    importModel: async (files) => {
      const { name, imported } = await importFiles(client, files);
      const ledger = getLedger();
      const number = nextRunNumber(await ledger.list().catch(() => []));
      const summary: RunSummary = {
        id: `${Date.now().toString(36)}-import`,
        number,
        name: `Imported ${name}`.slice(0, 80),
        createdAt: Date.now(),
        config: { ...TUTORIAL_PRESET, model: imported.model },
        model: describeModel(imported.model),
        engine: 'imported',
        state: 'done',
        trainingSeconds: 0,
        batches: 0,
        totalBatches: 0,
        testAccuracy: imported.accuracy,
        bytes: imported.params.byteLength,
        hasWeights: true,
      };
      metricsStore.reset();
      storeRunId = 0;
      getRecorder().forget();
      dispatch({ type: 'loaded', summary, hasWeights: true });
      try {
        await ledger.save(summary, {
          id: summary.id,
          losses: new Float32Array(0),
          times: [],
          measurements: [],
          epochs: [],
          weights: { model: imported.model, params: imported.params, batch: 0 },
        });
        dispatch({ type: 'ledgerChanged' });
      } catch (e) {
        dispatch({ type: 'notice', code: 'storage', message: saveFailure(e, summary.name) });
      }
      return { name, model: summary.model, accuracy: imported.accuracy };
    },
    exportRun: async (id, as) => {
      const ledger = getLedger();
      const summary = (await ledger.list()).find((r) => r.id === id);
      const data = await ledger.data(id);
      if (!summary || !data) throw new Error('That run is no longer saved.');
      const name = `${summary.name} ${summary.model}`;
      if (as === 'csv') {
        const perEpoch = summary.totalBatches / Math.max(1, summary.config.epochs);
        const csv = runCsv({ name, ...data, batchesPerEpoch: perEpoch });
        return [{ name: fileName(name, 'csv'), type: 'text/csv', data: csv }];
      }
      if (!data.weights) throw new Error(`"${summary.name}" has no saved weights yet.`);
      const { model, params } = data.weights;
      if (as === 'tfjs') {
        const weightsName = fileName(name, 'weights.bin');
        const files = await client.exportLayers(model, params, `./${weightsName}`);
        return [
          { name: fileName(name, 'json'), type: 'application/json', data: files.modelJson },
          { name: weightsName, type: 'application/octet-stream', data: files.weights },
        ];
      }
      const metadata: Record<string, string> = { run: summary.name };
      if (summary.testAccuracy !== null) metadata.test_accuracy = String(summary.testAccuracy);
      const bytes = await client.exportSafetensors(model, params, metadata);
      return [
        {
          name: fileName(name, 'safetensors'),
          type: 'application/octet-stream',
          data: bytes as Uint8Array<ArrayBuffer>,
        },
      ];
    },
    deleteAllRuns: async () => {
      getRecorder().forget();
      await getLedger().clear();
      dispatch({ type: 'ledgerChanged' });
    },
  };
}
