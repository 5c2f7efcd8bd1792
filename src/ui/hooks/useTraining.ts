/**
 * App-level training state: backend, data, run state, errors. Only rare events (ready, data
 * progress, state changes, epoch ends, errors) reach React here; per-batch losses go straight to
 * the metrics store, which charts read on their own.
 */
import { useEffect, useReducer } from 'react';
import { TrainingClient } from '../../client/trainingClient';
import { createMetricsStore } from '../../client/metricsStore';
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
  runId: number;
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
}

export type Action =
  | { type: 'event'; msg: FromWorker }
  | { type: 'started'; runId: number; config: TrainConfig }
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
};

let nextErrorId = 1;

/** The page's training state machine (exported for its unit test). */
export function reduce(s: TrainingState, action: Action): TrainingState {
  switch (action.type) {
    case 'started':
      return {
        ...s,
        // Every run starts from freshly seeded weights.
        trained: false,
        run: {
          runId: action.runId,
          state: 'training',
          config: action.config,
          startedAt: performance.now(),
          pausedMs: 0,
          pausedAt: null,
          endedAt: null,
        },
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

export interface TrainingApi {
  state: TrainingState;
  client: TrainingClient;
  train: (config: TrainConfig) => void;
  reset: (config: TrainConfig) => void;
  /** Restarts the worker on another backend: the model and the charts start over. */
  switchBackend: (backend: BackendChoice) => void;
  /** Loads the data again after it failed to. */
  retryData: () => void;
  dismissError: (id: number) => void;
}

/** Subscribes the page to the worker's events; see the module comment for what goes where. */
export function useTraining(): TrainingApi {
  const client = getClient();
  const [state, dispatch] = useReducer(reduce, INITIAL);

  useEffect(() => client.onRestart((restored) => dispatch({ type: 'workerReplaced', restored })), [client]);

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
        dispatch({ type: 'event', msg });
      }),
    [client],
  );

  return {
    state,
    client,
    train: (config) => {
      metricsStore.reset();
      const runId = client.train(config);
      storeRunId = runId;
      dispatch({ type: 'started', runId, config });
    },
    reset: (config) => {
      metricsStore.reset();
      storeRunId = 0;
      client.reset(config.model, config.seed);
      dispatch({ type: 'reset' });
    },
    switchBackend: (backend) => {
      metricsStore.reset();
      storeRunId = 0;
      client.setBackend(backend);
      dispatch({ type: 'restarted' });
    },
    retryData: () => {
      dispatch({ type: 'retryData' });
      client.loadData();
    },
    dismissError: (id) => dispatch({ type: 'dismiss', id }),
  };
}
