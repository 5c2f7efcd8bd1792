/**
 * Every message between the page and the training worker (test and benchmark hooks have their own,
 * in src/dev/). Commands (page -> worker) read as verbs, events (worker -> page) as things that
 * happened; requests are paired with their replies in one table (`Requests`). Payloads are plain
 * data and typed arrays; typed-array buffers are transferred, not copied.
 */
import type { TrainConfig } from './config';
import type { ModelSpec } from './modelSpec';

/**
 * Which backend to run on. `auto` picks the fastest one for this device. webgl, wasm and cpu are
 * TensorFlow.js backends; js is the project's own CPU engine (engines/cpu/), no tfjs kernels.
 */
export type BackendChoice = 'auto' | 'webgl' | 'wasm' | 'cpu' | 'js';
export type BackendName = Exclude<BackendChoice, 'auto'>;

/**
 * The engines that train a model (src/engines/): tfjs, TensorFlow.js ops on its backend (any
 * model); webgl, the project's hand-written WebGL programs; cpu, the project's own CPU loops.
 */
export type EngineName = 'tfjs' | 'webgl' | 'cpu';

/** The engine the worker's model runs on, and why it was chosen. */
export interface EngineInfo {
  engine: EngineName;
  /** e.g. "CPU loops". */
  label: string;
  /** Why this engine, in a sentence a user understands. */
  reason: string;
  /** The model it holds, e.g. "MLP 784-64-64-64-10". */
  model: string;
}

export type RunState = 'idle' | 'training' | 'paused' | 'stopped' | 'done';

export type ErrorCode =
  | 'invalid-config'
  | 'data-missing'
  | 'data-corrupt'
  | 'data-not-ready'
  | 'backend-failed'
  | 'context-lost'
  | 'diverged'
  | 'busy'
  /** The page could not keep a run in the browser's storage (a full disk, a refused quota). */
  | 'storage'
  /** A model file that is not one this app can read; the message names the problem. */
  | 'invalid-model'
  /** The model predicts one digit for nearly every image (the page's judgement at an epoch's end). */
  | 'collapsed'
  /** The saved runs changed under the page: another tab deleted its run, the browser cleared them. */
  | 'ledger'
  | 'internal';

export interface DataSummary {
  trainCount: number;
  testCount: number;
  /** Bytes fetched for all shards and labels. */
  bytes: number;
  seconds: number;
}

export interface BackendInfo {
  backend: BackendName;
  /** Why this backend, in a sentence a user understands. */
  reason: string;
  /** 0 when WebGL could not be created at all. */
  webglVersion: 0 | 1 | 2;
  /** The unmasked renderer string, e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device ...))". */
  renderer: string;
  /** True for CPU-emulated WebGL (SwiftShader, llvmpipe): slow, so auto avoids it. */
  softwareRenderer: boolean;
  /** WASM with SIMD / threads, when that backend is in use. */
  wasmSimd?: boolean;
  wasmThreads?: number;
}

/**
 * Loss and accuracy in-sample (training images) and out-of-sample (test images) at one moment of a
 * run, as the series' analysis lesson logs them: every few batches on fixed random slices of each
 * set (`full` false), and at each epoch's end on all of both (`full` true, an EpochSummary).
 */
export interface Measurement {
  runId: number;
  /** Batches trained when measured (a count: the first batch is 1). */
  batch: number;
  /** Epochs trained when measured: batch / batches per epoch (an epoch's end: a whole number). */
  epoch: number;
  /** Seconds of training when measured: pauses and evaluations left out. */
  trainingSeconds: number;
  /** Seconds this measurement took to compute (on its own thread when the device allows). */
  evalSeconds: number;
  trainLoss: number;
  trainAccuracy: number;
  /** Training images measured. */
  trainCount: number;
  testLoss: number;
  testAccuracy: number;
  /** Test images measured. */
  testCount: number;
  /** True: all training and test images, at an epoch's end. */
  full: boolean;
}

/** An epoch's end: the full-set measurement, where the model errs, and the epoch's pace. */
export interface EpochSummary extends Measurement {
  /** 1-based (Measurement's `epoch`, a whole number here). */
  epoch: number;
  epochs: number;
  /** Global index of the last batch of this epoch (0-based). */
  lastBatch: number;
  /** Mean loss of the epoch's batches as they trained. */
  meanBatchLoss: number;
  learningRate: number;
  /** Wall time of the epoch's training steps, without pauses and evaluation. */
  seconds: number;
  samplesPerSecond: number;
  /** 100 counts on the test set: confusion[true * 10 + predicted]. */
  confusion: number[];
}

/** A test image the model got wrong (or any, for a diagonal cell), with what it thought. */
export interface AnalysedDigit {
  index: number;
  label: number;
  predicted: number;
  /** The 10 probabilities. */
  probabilities: number[];
  /** 784 bytes, row-major, 0 black .. 255 white. */
  pixels: Uint8Array;
}

/** A labelled image with the model's guess, for the strip of test digits. */
export interface SampleDigit {
  index: number;
  label: number;
  predicted: number;
  /** 784 bytes, row-major, 0 black .. 255 white. */
  pixels: Uint8Array;
}

/**
 * The runId that stands for the current model outside any run (loaded from the ledger, imported):
 * the worker runs are numbered from 1.
 */
export const CURRENT_MODEL = 0;

/**
 * Test images of a full measurement, most confident first: those with true digit `truth` read as
 * `predicted` (a confusion matrix cell), or, with neither, every mistake. runId CURRENT_MODEL: of
 * the current model measured now (a loaded or an imported one, not a run's).
 */
export interface MistakesQuery {
  runId: number;
  truth?: number;
  predicted?: number;
  limit: number;
}

export interface MistakesAnswer {
  /** The epoch whose end measured them. */
  epoch: number;
  /** Images matching the query; `digits` holds the first `limit`, most confident first. */
  total: number;
  digits: AnalysedDigit[];
  /** The measurement's test confusion counts, [true * 10 + predicted]. */
  confusion: number[];
}

/** A model read from a file and made the current one: its weights (layout order) and test figures. */
export interface ImportedModel {
  model: ModelSpec;
  params: Float32Array;
  accuracy: number;
  loss: number;
  /** 100 counts, row = true digit, column = predicted digit. */
  confusion: number[];
}

/** The 10 digits' probabilities for one image, and whether the model that gave them was trained. */
export interface Prediction {
  probabilities: Float32Array;
  trained: boolean;
}

/**
 * Every request the page makes of the worker: what it sends and what it gets back, the one place
 * a request meets its reply. On the wire a request is `{ type, requestId, ...args }`, answered by
 * one `reply` with its requestId, or by an `error` with it.
 */
export interface Requests {
  /** pixels: 784 floats 0..1, row-major, white digit on black. */
  predict: { args: { pixels: Float32Array }; reply: Prediction };
  /** The current model on all test images; confusion: [true * 10 + predicted]. */
  evaluate: { args: NoArgs; reply: { accuracy: number; loss: number; confusion: number[] } };
  /** Images with the model's guesses: the given indices, or `count` random ones. */
  samples: {
    args: { split: 'train' | 'test'; count: number; indices?: number[] };
    reply: SampleDigit[];
  };
  /** The weights `params` (layout order) of `model` as a safetensors file with PyTorch's names. */
  exportSafetensors: {
    args: { model: ModelSpec; params: Float32Array; metadata: Record<string, string> };
    reply: Uint8Array;
  };
  /** The weights `params` of `model` as a TF.js layers model, its manifest naming `weightsPath`. */
  exportLayers: {
    args: { model: ModelSpec; params: Float32Array; weightsPath: string };
    reply: { modelJson: string; weights: ArrayBuffer };
  };
  /**
   * A model from a safetensors file with the tutorial's names (a PyTorch-trained one): checked,
   * made the current model and measured on the test set; the current model stays on any problem.
   */
  importSafetensors: { args: { bytes: Uint8Array }; reply: ImportedModel };
  /** The same for a TF.js layers model: one model.json and the weights files it names. */
  importLayers: { args: { files: File[] }; reply: ImportedModel };
  mistakes: { args: MistakesQuery; reply: MistakesAnswer };
}

/** A request that carries nothing but its name. */
export type NoArgs = Record<never, never>;

/** A table of requests like `Requests` (the dev hooks have their own): each one's args and reply. */
export type RequestTable<T> = { [K in keyof T]: { args: object; reply: unknown } };

/** A request of table `T` as sent: its name, its id and its arguments. */
export type RequestMessage<T extends RequestTable<T>, K extends keyof T & string = keyof T & string> = {
  [N in K]: { type: N; requestId: number } & T[N]['args'];
}[K];

/** What a request of `T` named `K` is answered with. */
export type ReplyOf<T extends RequestTable<T>, K extends keyof T> = T[K]['reply'];

export type RequestName = keyof Requests;

/** Commands, answered by events (or nothing) rather than a reply. */
export type Command =
  | { type: 'init'; backend: BackendChoice }
  | { type: 'loadData' }
  /**
   * A run of `config`: from fresh weights drawn from its seed, or with `from: 'current'` from the
   * current model (a run's, a loaded or an imported one), which must be `config.model`.
   */
  | { type: 'train'; runId: number; config: TrainConfig; from?: 'current' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Fresh weights for `model`, drawn from `seed`. */
  | { type: 'reset'; model: ModelSpec; seed: number }
  /** The weights of a checkpoint (a new worker taking over from one that died), or a saved run's. */
  | { type: 'restore'; model: ModelSpec; params: Float32Array }
  /** Are you there? Answered by `pong`, within a batch even while training. */
  | { type: 'ping' };

export type ToWorker = Command | RequestMessage<Requests>;

/** The answer to the request `requestId` (its type: the request table's reply for it). */
export interface ReplyMessage {
  type: 'reply';
  requestId: number;
  reply: unknown;
}

export type FromWorker =
  | ({ type: 'ready' } & BackendInfo)
  | {
      type: 'dataProgress';
      loadedBytes: number;
      totalBytes: number;
      imagesLoaded: number;
      imagesTotal: number;
    }
  | ({ type: 'dataReady' } & DataSummary)
  /** Losses of batches firstBatch, firstBatch+1, ... in order, none skipped. */
  | {
      type: 'metrics';
      runId: number;
      epoch: number;
      firstBatch: number;
      losses: Float32Array;
      totalBatches: number;
      /** Seconds of training at the end of this chunk (pauses and evaluations left out). */
      trainingSeconds: number;
    }
  /** A measurement on slices of both sets (every "Evaluate every" batches). */
  | ({ type: 'measurement' } & Measurement)
  | ({ type: 'epochEnd' } & EpochSummary)
  | { type: 'state'; runId: number; state: RunState; message?: string }
  | ReplyMessage
  /** The backend changed under a run (e.g. WebGL context lost -> WASM). */
  | ({ type: 'backendChanged' } & BackendInfo)
  | { type: 'pong' }
  /**
   * The model's weights (layout: engines/layout.ts), now and then while training and when a run
   * ends: what the page restores into a new worker if this one dies.
   */
  | { type: 'checkpoint'; runId: number; model: ModelSpec; params: Float32Array }
  /** The engine of the worker's model, at start and whenever a run or reset changes it. */
  | ({ type: 'engine' } & EngineInfo)
  | { type: 'error'; code: ErrorCode; message: string; runId?: number; requestId?: number };
