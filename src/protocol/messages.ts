/**
 * The only module both threads import: every message between the page and the training worker.
 * Commands (page -> worker) read as verbs, events (worker -> page) as things that happened.
 * Payloads are plain data and typed arrays; typed-array buffers are transferred, not copied.
 */

/**
 * Which backend to run on. `auto` picks the fastest one for this device. webgl, wasm and cpu are
 * TensorFlow.js backends; js is the project's own CPU path (model/cpuMlp.ts), no tfjs kernels.
 */
export type BackendChoice = 'auto' | 'webgl' | 'wasm' | 'cpu' | 'js';
export type BackendName = Exclude<BackendChoice, 'auto'>;

export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop';
/** The optimizers tf.train has with PyTorch's exact formulas (its RMSprop puts epsilon elsewhere). */
export type ComparableOptimizer = Exclude<OptimizerName, 'rmsprop'>;
export type DecayKind = 'none' | 'step' | 'exponential';

/** Everything that defines a training run. `validateConfig` (model/config.ts) checks it. */
export interface TrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** none; step: multiply the rate by decayRate every decaySteps epochs; exponential: by decayRate each epoch. */
  decay: DecayKind;
  decayRate: number;
  decaySteps: number;
  /** Sizes of the hidden layers, input 784 and output 10 implied. The tutorial: [64, 64, 64]. */
  hiddenLayers: number[];
  /** Same seed and backend: same initial weights and same shuffles. */
  seed: number;
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
  /** Fresh weights; hidden layers and seed as given. */
  | { type: 'reset'; hiddenLayers: number[]; seed: number }
  /** pixels: 784 floats 0..1, row-major, white digit on black. */
  | { type: 'predict'; requestId: number; pixels: Float32Array }
  | { type: 'evaluate'; requestId: number }
  /** Images with the model's guesses: the given indices, or `count` random ones. */
  | { type: 'samples'; requestId: number; split: 'train' | 'test'; count: number; indices?: number[] }
  /** Test hook: loses the WebGL context on purpose (WEBGL_lose_context), as a GPU reset would. */
  | { type: 'simulateContextLoss' }
  /** Benchmark hook: times `impl`'s training step at `batchSize` on scratch weights. */
  | { type: 'benchSteps'; requestId: number; impl: 'fast' | 'stock'; batchSize: number }
  /**
   * Test hook: trains the project's step and the stock layers model side by side from the same
   * weights on the same batches (scratch models) and returns both.
   */
  | {
      type: 'compareSteps';
      requestId: number;
      optimizer: ComparableOptimizer;
      batchSize: number;
      steps: number;
    };

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
  | { type: 'evaluation'; requestId: number; accuracy: number; loss: number }
  | { type: 'samples'; requestId: number; digits: SampleDigit[] }
  | {
      type: 'benchResult';
      requestId: number;
      backend: BackendName;
      msPerStep: number;
      steps: number;
      warmupMs: number;
    }
  | {
      type: 'stepComparison';
      requestId: number;
      backend: BackendName;
      impl: 'programs' | 'core-ops';
      losses: number[];
      stockLosses: number[];
      maxWeightDifference: number;
      maxWeightChange: number;
    }
  /** The backend changed under a run (e.g. WebGL context lost -> WASM). */
  | ({ type: 'backendChanged' } & BackendInfo)
  | { type: 'error'; code: ErrorCode; message: string; runId?: number; requestId?: number };
