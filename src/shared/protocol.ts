/**
 * Every message between the page and the training worker (test and benchmark hooks have their own,
 * in src/dev/). Commands (page -> worker) read as verbs, events (worker -> page) as things that
 * happened. Payloads are plain data and typed arrays; typed-array buffers are transferred, not copied.
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

export interface EpochSummary {
  runId: number;
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** Global index of the last batch of this epoch (0-based). */
  lastBatch: number;
  trainLoss: number;
  /** In-sample accuracy, measured on `trainAccuracySamples` training images (a fixed random subset). */
  trainAccuracy: number;
  trainAccuracySamples: number;
  /** Out-of-sample accuracy and loss on all test images. */
  testAccuracy: number;
  testLoss: number;
  learningRate: number;
  /** Wall time of the epoch's training steps, without the evaluation. */
  seconds: number;
  samplesPerSecond: number;
}

/** A labelled image with the model's guess, for the strip of test digits. */
export interface SampleDigit {
  index: number;
  label: number;
  predicted: number;
  /** 784 bytes, row-major, 0 black .. 255 white. */
  pixels: Uint8Array;
}

export type ToWorker =
  | { type: 'init'; backend: BackendChoice }
  | { type: 'loadData' }
  | { type: 'train'; runId: number; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Fresh weights for `model`, drawn from `seed`. */
  | { type: 'reset'; model: ModelSpec; seed: number }
  /** The weights of a checkpoint (a new worker taking over from one that died). */
  | { type: 'restore'; model: ModelSpec; params: Float32Array }
  /** Are you there? Answered by `pong`, within a batch even while training. */
  | { type: 'ping' }
  /** pixels: 784 floats 0..1, row-major, white digit on black. */
  | { type: 'predict'; requestId: number; pixels: Float32Array }
  | { type: 'evaluate'; requestId: number }
  /** Images with the model's guesses: the given indices, or `count` random ones. */
  | { type: 'samples'; requestId: number; split: 'train' | 'test'; count: number; indices?: number[] };

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
    }
  | ({ type: 'epochEnd' } & EpochSummary)
  | { type: 'state'; runId: number; state: RunState; message?: string }
  | { type: 'prediction'; requestId: number; probabilities: Float32Array; trained: boolean }
  /** confusion: 100 counts, row = true digit, column = predicted digit. */
  | { type: 'evaluation'; requestId: number; accuracy: number; loss: number; confusion: number[] }
  | { type: 'samples'; requestId: number; digits: SampleDigit[] }
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
