/**
 * The page's training state, as React shows it: backend, engine, data, the current run, errors,
 * and counters that tell views to refresh. Changed only by `reduce`, a pure function of the state
 * and an action; the training session (trainingSession.ts) decides which worker events are the
 * current run's before any reaches it.
 */
import type { TrainConfig } from '../shared/config';
import type {
  BackendChoice,
  BackendInfo,
  DataSummary,
  EngineInfo,
  ErrorCode,
  FromWorker,
  RunState,
} from '../shared/protocol';
import { collapseMessage, collapseOf } from './collapse';
import type { RunSummary } from './runLedger';

export type DataStatus =
  | { status: 'loading'; loadedBytes: number; totalBytes: number; imagesLoaded: number; imagesTotal: number }
  | ({ status: 'ready' } & DataSummary)
  | { status: 'error'; message: string };

export interface RunInfo {
  /** The worker's run id; 0 for a run loaded from the ledger (no worker run behind it). */
  runId: number;
  /** Its record's id in the run ledger: the run's identity (names can repeat). */
  id: string;
  /** Its name in the run ledger ("Run 3"). */
  name: string;
  state: RunState;
  config: TrainConfig;
  /** performance.now() when the run started, and ms spent paused so far. */
  startedAt: number;
  pausedMs: number;
  pausedAt: number | null;
  endedAt: number | null;
  /**
   * A saved run whose page went away while it trained (reloaded, closed): the batch its curves
   * reach, and the batch of its last saved weights (null: none were saved).
   */
  interrupted: { batch: number; weightsAt: number | null } | null;
  /** An epoch's end found the model collapsed to one digit (collapse.ts); said once a run. */
  collapsed: boolean;
}

export interface AppError {
  id: number;
  code: ErrorCode;
  message: string;
}

export interface TrainingState {
  /** The backend asked for (in the address, or the settings); `backend` is what runs. */
  backendChoice: BackendChoice;
  backend: BackendInfo | null;
  /** The engine the worker's model runs on, and why. */
  engine: EngineInfo | null;
  data: DataStatus;
  run: RunInfo | null;
  /** True once any batch was trained since the last reset. */
  trained: boolean;
  /** Bumped at each epoch end and reset, so views that depend on the model refresh. */
  modelVersion: number;
  /** The latest errors, MAX_ERRORS at most, oldest first. */
  errors: AppError[];
  /** Errors shown so far: the next one's id. */
  errorCount: number;
  /** Bumped whenever the run ledger changed (a save, a rename, a delete), so its list refreshes. */
  ledgerVersion: number;
  /**
   * The model change under way ("Importing net.safetensors"), or null: while one runs, nothing
   * else may change the model (train, reset, load, import).
   */
  modelChange: string | null;
}

/** The worker's events that change what the page shows (the session routes the others). */
export type StateEvent = Extract<
  FromWorker,
  {
    type:
      'ready' | 'backendChanged' | 'engine' | 'dataProgress' | 'dataReady' | 'metrics' | 'epochEnd' | 'state';
  }
>;

export type Action =
  /** An event of the worker: of the current run, or of no run. */
  | { type: 'event'; msg: StateEvent }
  /** A run started; `continued` when from the current model rather than fresh weights. */
  | { type: 'started'; runId: number; id: string; config: TrainConfig; name: string; continued: boolean }
  /** A run from the ledger is shown and its model loaded (on reload, by Load, by an import). */
  | { type: 'loaded'; summary: RunSummary; weightsAt: number | null }
  | { type: 'ledgerChanged' }
  /** The current run was renamed (its number known, or the user's name). */
  | { type: 'renamedCurrent'; name: string }
  /** Something the user must read; `endsRun` when it is about the current run (which it stops). */
  | { type: 'notice'; code: ErrorCode; message: string; endsRun?: boolean }
  | { type: 'reset' }
  /** The current run's record was deleted: no run is shown; the model stays as it is. */
  | { type: 'forgotten' }
  /** The worker restarts on the backend `backend` asks for. */
  | { type: 'restarted'; backend: BackendChoice }
  | { type: 'retryData' }
  /** The client replaced a silent worker; `restored` when the new one took the trained weights. */
  | { type: 'workerReplaced'; restored: boolean }
  | { type: 'dismiss'; id: number }
  /** A model change began (`what` says which), or ended (null). */
  | { type: 'modelChange'; what: string | null };

/** Errors shown at once: older ones make room for newer. */
const MAX_ERRORS = 4;

export const INITIAL: TrainingState = {
  backendChoice: 'auto',
  backend: null,
  engine: null,
  data: { status: 'loading', loadedBytes: 0, totalBytes: 0, imagesLoaded: 0, imagesTotal: 0 },
  run: null,
  trained: false,
  modelVersion: 0,
  errors: [],
  errorCount: 0,
  ledgerVersion: 0,
  modelChange: null,
};

/** Whether a run in `state` is under way (training, or paused). */
export function isRunning(state: RunState | undefined): boolean {
  return state === 'training' || state === 'paused';
}

/** `run` ended now (for the page: the worker may have said nothing). */
const ended = (run: RunInfo): RunInfo => ({
  ...run,
  state: 'stopped',
  endedAt: performance.now(),
  pausedAt: null,
});

/** A run's clock before it has run. */
const RUN_CLOCK = { pausedMs: 0, pausedAt: null, endedAt: null, interrupted: null, collapsed: false };

/**
 * A saved run, shown as the current run: over, its training time as it was. One saved while it
 * trained was cut short (the page shows no run another tab trains).
 */
function loadedRun(summary: RunSummary, weightsAt: number | null): RunInfo {
  const now = performance.now();
  const cut = isRunning(summary.state);
  return {
    ...RUN_CLOCK,
    runId: 0,
    id: summary.id,
    name: summary.name,
    state: cut ? 'stopped' : summary.state,
    config: summary.config,
    startedAt: now - summary.trainingSeconds * 1000,
    endedAt: now,
    interrupted: cut ? { batch: summary.batches, weightsAt } : null,
  };
}

/**
 * `s` with a notice shown. One about the current run (invalid settings, busy, diverged) ends it
 * for the page; one about the data marks it failed.
 */
function withNotice(s: TrainingState, notice: Extract<Action, { type: 'notice' }>): TrainingState {
  const next = withError(s, notice.code, notice.message);
  const run = notice.endsRun && s.run && isRunning(s.run.state) ? ended(s.run) : s.run;
  const data: DataStatus =
    notice.code === 'data-missing' || notice.code === 'data-corrupt'
      ? { status: 'error', message: notice.message }
      : s.data;
  return { ...next, run, data };
}

/** `s` with one more error shown. */
function withError(s: TrainingState, code: ErrorCode, message: string): TrainingState {
  const errors = [...s.errors, { id: s.errorCount + 1, code, message }].slice(-MAX_ERRORS);
  return { ...s, errors, errorCount: s.errorCount + 1 };
}

/** The page's training state machine. */
export function reduce(s: TrainingState, action: Action): TrainingState {
  switch (action.type) {
    case 'started': {
      const { runId, id, name, config } = action;
      const run: RunInfo = {
        ...RUN_CLOCK,
        runId,
        id,
        name,
        config,
        state: 'training',
        startedAt: performance.now(),
      };
      // A run starts from freshly seeded weights, unless it trains the current model further.
      return { ...s, trained: action.continued && s.trained, run };
    }
    case 'loaded':
      return {
        ...s,
        trained: action.weightsAt !== null,
        modelVersion: s.modelVersion + 1,
        run: loadedRun(action.summary, action.weightsAt),
      };
    case 'ledgerChanged':
      return { ...s, ledgerVersion: s.ledgerVersion + 1 };
    case 'renamedCurrent':
      return s.run ? { ...s, run: { ...s.run, name: action.name } } : s;
    case 'notice':
      return withNotice(s, action);
    case 'reset':
      return { ...s, run: null, trained: false, modelVersion: s.modelVersion + 1 };
    case 'forgotten':
      return { ...s, run: null };
    case 'restarted':
      return {
        ...INITIAL,
        backendChoice: action.backend,
        errors: s.errors,
        errorCount: s.errorCount,
        modelVersion: s.modelVersion + 1,
      };
    case 'retryData':
      return { ...s, data: INITIAL.data };
    case 'workerReplaced':
      // The new worker reloads the data, holds no run, and holds the trained model only if restored.
      return {
        ...s,
        run: s.run && isRunning(s.run.state) ? ended(s.run) : s.run,
        data: INITIAL.data,
        trained: action.restored && s.trained,
        modelVersion: s.modelVersion + 1,
      };
    case 'dismiss':
      return { ...s, errors: s.errors.filter((e) => e.id !== action.id) };
    case 'modelChange':
      return { ...s, modelChange: action.what };
    case 'event':
      return reduceEvent(s, action.msg);
    default: {
      const _exhaustive: never = action;
      return _exhaustive;
    }
  }
}

function reduceEvent(s: TrainingState, msg: StateEvent): TrainingState {
  switch (msg.type) {
    case 'ready': {
      const { type: _type, ...info } = msg;
      return { ...s, backend: info };
    }
    case 'backendChanged': {
      // The user must hear of it: the run goes on, but elsewhere and from earlier weights.
      const { type: _type, ...info } = msg;
      return { ...withError(s, 'context-lost', info.reason), backend: info };
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
      return s.trained ? s : { ...s, trained: true };
    case 'epochEnd': {
      const next = { ...s, modelVersion: s.modelVersion + 1 };
      const collapse = s.run && !s.run.collapsed ? collapseOf(msg) : null;
      if (!s.run || !collapse) return next;
      const message = collapseMessage(collapse, msg, s.run.config.optimizer);
      return { ...withError(next, 'collapsed', message), run: { ...s.run, collapsed: true } };
    }
    case 'state': {
      if (!s.run) return s;
      const run = { ...s.run, state: msg.state };
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
    default: {
      const _exhaustive: never = msg;
      return _exhaustive;
    }
  }
}
