/**
 * What the worker keeps between commands: the data set (CPU copy and device copy), the current
 * model and whether it has been trained. predict, evaluate and samples read it; the trainer
 * replaces its model. Backend-agnostic: the device copy is rebuilt after a backend switch.
 *
 * Two engines: 'tf' keeps the model in a tfjs variable and the data on the tfjs device; 'js'
 * (cpuMlp.ts) keeps the model in a Float32Array and the images as sparse CPU arrays, and never
 * touches tfjs (except for the benchmark's stock model).
 */
import * as tf from '@tensorflow/tfjs';
import type { MnistData } from '../data/loadMnist';
import { bytesToUnit, IMAGE_SIZE, NUM_CLASSES } from '../data/mnistSprite';
import type { SampleDigit } from '../protocol/messages';
import { CpuMlp } from './cpuMlp';
import { sparseFromBytes, type SparseImages } from './sparseImages';
import { disposeDeviceData, trainEvalSubset, uploadData, type DeviceData } from './dataset';
import { createMlp, disposeMlp, initialParams, mlpLayout, type Mlp, type MlpLayout } from './mlp';
import { mulberry32 } from './random';
import { evaluateSplit, predictProbabilities, type Evaluation } from './step';

/** The most sample digits one request returns. */
export const MAX_SAMPLES = 100;

/** tfjs kernels ('tf') or plain loops on Float32Arrays ('js'). */
export type Engine = 'tf' | 'js';

/** The data set as the js engine reads it. */
export interface CpuData {
  train: SparseImages;
  test: SparseImages;
  /** Which training images measure in-sample accuracy (the same ones as on the device). */
  trainEvalIndices: Int32Array;
}

export class Session {
  readonly engine: Engine;
  /** The data set on the CPU, once loaded (kept to re-upload after a backend switch). */
  mnist: MnistData | null = null;
  /** The data set on the current backend; uploaded on first use. */
  device: DeviceData | null = null;
  /** The data set for the js engine; built on first use. */
  private cpuData: CpuData | null = null;
  private tfModel: Mlp | null = null;
  /** The js engine's model: its params are the live weights while a run trains them. */
  cpuModel: CpuMlp | null = null;
  /** False until a run has taken a step since the last reset. */
  trained = false;
  private sampleRandom = mulberry32(1);

  constructor(hiddenLayers: readonly number[], seed: number, engine: Engine = 'tf') {
    this.engine = engine;
    const layout = mlpLayout(hiddenLayers);
    this.setWeights(layout, initialParams(layout, seed));
  }

  /** The tfjs model (engine 'tf' only). */
  get model(): Mlp {
    if (!this.tfModel) throw new Error('the js engine has no tfjs model');
    return this.tfModel;
  }

  /** Fresh seeded weights (the `reset` command). */
  reset(hiddenLayers: readonly number[], seed: number): void {
    const layout = mlpLayout(hiddenLayers);
    this.setWeights(layout, initialParams(layout, seed));
    this.trained = false;
  }

  /** Makes a model with `values` (taken, not copied) current, on the session's engine. */
  setWeights(layout: MlpLayout, values: Float32Array): void {
    if (this.engine === 'js') this.cpuModel = new CpuMlp(layout, values);
    else this.replaceModel(createMlp(layout, values));
  }

  /** A copy of the current weights, flat (mlp.ts layout). */
  async weights(): Promise<Float32Array> {
    if (this.cpuModel) return this.cpuModel.params.slice();
    return Float32Array.from(await this.model.params.data());
  }

  /** Makes `model` current and releases the previous one (engine 'tf'). */
  replaceModel(model: Mlp): void {
    if (this.tfModel && model !== this.tfModel) disposeMlp(this.tfModel);
    this.tfModel = model;
  }

  setData(mnist: MnistData): void {
    this.dropDevice();
    this.cpuData = null;
    this.mnist = mnist;
  }

  /** The sparse CPU copy of the data (js engine), built once per data set. Throws if none is loaded. */
  ensureCpuData(): CpuData {
    if (!this.mnist) throw new Error('no data loaded');
    const { train, test } = this.mnist;
    this.cpuData ??= {
      train: sparseFromBytes(train.images, train.count),
      test: sparseFromBytes(test.images, test.count),
      trainEvalIndices: trainEvalSubset(train.count),
    };
    return this.cpuData;
  }

  /** The device copy of the data, uploading it first if needed. Throws if no data is loaded. */
  ensureDevice(): DeviceData {
    if (!this.mnist) throw new Error('no data loaded');
    this.device ??= uploadData(this.mnist.train, this.mnist.test);
    return this.device;
  }

  /** Releases the device copy of the data (after a backend switch, or before new data). */
  dropDevice(): void {
    if (this.device) disposeDeviceData(this.device);
    this.device = null;
  }

  /** Releases every tensor the session holds. */
  dispose(): void {
    this.dropDevice();
    if (this.tfModel) disposeMlp(this.tfModel);
    this.tfModel = null;
  }

  /** Probabilities of the 10 digits for one image: 784 floats 0..1. Reads back asynchronously. */
  async predict(pixels: Float32Array): Promise<Float32Array> {
    if (pixels.length !== IMAGE_SIZE)
      throw new Error(`predict needs ${IMAGE_SIZE} pixels, got ${pixels.length}`);
    if (this.cpuModel) return this.cpuModel.probabilities(pixels, 1);
    const probs = tf.tidy(() => predictProbabilities(this.model, tf.tensor2d(pixels, [1, IMAGE_SIZE])));
    try {
      // A copy: the caller transfers it, and a backend may hand out its own storage.
      return Float32Array.from(await probs.data());
    } finally {
      probs.dispose();
    }
  }

  /** Accuracy and loss on all test images. */
  async evaluateTest(): Promise<Evaluation> {
    if (this.cpuModel) {
      const { test } = this.ensureCpuData();
      return this.cpuModel.evaluate(test, this.mnist!.test.labels);
    }
    return evaluateSplit(this.model, this.ensureDevice().test);
  }

  /** Labelled images with the model's guesses: `indices`, or `count` random ones. */
  async samples(split: 'train' | 'test', count: number, indices?: number[]): Promise<SampleDigit[]> {
    if (!this.mnist) throw new Error('no data loaded');
    const data = this.mnist[split];
    const chosen = (
      indices ??
      Array.from({ length: Math.max(0, Math.min(count, MAX_SAMPLES)) }, () =>
        Math.floor(this.sampleRandom() * data.count),
      )
    )
      .slice(0, MAX_SAMPLES)
      .filter((i) => Number.isInteger(i) && i >= 0 && i < data.count);
    if (chosen.length === 0) return [];
    const pixels = chosen.map((i) => data.images.slice(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE));
    const input = new Float32Array(chosen.length * IMAGE_SIZE);
    pixels.forEach((p, k) => bytesToUnit(p, input.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE)));
    const predicted = await this.guesses(input, chosen.length);
    return chosen.map((index, k) => ({
      index,
      label: data.labels[index],
      predicted: predicted[k],
      pixels: pixels[k],
    }));
  }

  /** The most likely digit of each of k images (784 floats 0..1 each, in input). */
  private async guesses(input: Float32Array, k: number): Promise<ArrayLike<number>> {
    if (this.cpuModel) {
      const probs = this.cpuModel.probabilities(input, k);
      return Array.from({ length: k }, (_, i) => {
        let best = 0;
        for (let j = 1; j < NUM_CLASSES; j++)
          if (probs[i * NUM_CLASSES + j] > probs[i * NUM_CLASSES + best]) best = j;
        return best;
      });
    }
    const guesses = tf.tidy(() =>
      tf.argMax(predictProbabilities(this.model, tf.tensor2d(input, [k, IMAGE_SIZE])), 1),
    );
    try {
      return await guesses.data();
    } finally {
      guesses.dispose();
    }
  }
}
