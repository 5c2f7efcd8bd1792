/**
 * What the worker keeps between commands: the data set (CPU copy and device copy), the current
 * model and whether it has been trained. predict, evaluate and samples read it; the trainer
 * replaces its model. Backend-agnostic: the device copy is rebuilt after a backend switch.
 */
import * as tf from '@tensorflow/tfjs';
import type { MnistData } from '../data/loadMnist';
import { IMAGE_SIZE } from '../data/mnistSprite';
import type { SampleDigit } from '../protocol/messages';
import { disposeDeviceData, uploadData, type DeviceData } from './dataset';
import { createMlp, disposeMlp, initialParams, mlpLayout, type Mlp } from './mlp';
import { mulberry32 } from './random';
import { evaluateSplit, predictProbabilities, type Evaluation } from './step';

/** The most sample digits one request returns. */
export const MAX_SAMPLES = 100;

export class Session {
  /** The data set on the CPU, once loaded (kept to re-upload after a backend switch). */
  mnist: MnistData | null = null;
  /** The data set on the current backend; uploaded on first use. */
  device: DeviceData | null = null;
  model: Mlp;
  /** False until a run has taken a step since the last reset. */
  trained = false;
  private sampleRandom = mulberry32(1);

  constructor(hiddenLayers: readonly number[], seed: number) {
    this.model = freshModel(hiddenLayers, seed);
  }

  /** Fresh seeded weights (the `reset` command). */
  reset(hiddenLayers: readonly number[], seed: number): void {
    this.replaceModel(freshModel(hiddenLayers, seed));
    this.trained = false;
  }

  /** Makes `model` current and releases the previous one. */
  replaceModel(model: Mlp): void {
    if (model !== this.model) disposeMlp(this.model);
    this.model = model;
  }

  setData(mnist: MnistData): void {
    this.dropDevice();
    this.mnist = mnist;
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
    disposeMlp(this.model);
  }

  /** Probabilities of the 10 digits for one image: 784 floats 0..1. Reads back asynchronously. */
  async predict(pixels: Float32Array): Promise<Float32Array> {
    if (pixels.length !== IMAGE_SIZE)
      throw new Error(`predict needs ${IMAGE_SIZE} pixels, got ${pixels.length}`);
    const probs = tf.tidy(() => predictProbabilities(this.model, tf.tensor2d(pixels, [1, IMAGE_SIZE])));
    try {
      // A copy: the caller transfers it, and a backend may hand out its own storage.
      return Float32Array.from(await probs.data());
    } finally {
      probs.dispose();
    }
  }

  /** Accuracy and loss on all test images. */
  evaluateTest(): Promise<Evaluation> {
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
    pixels.forEach((p, k) => {
      for (let j = 0; j < IMAGE_SIZE; j++) input[k * IMAGE_SIZE + j] = p[j] / 255;
    });
    const guesses = tf.tidy(() =>
      tf.argMax(predictProbabilities(this.model, tf.tensor2d(input, [chosen.length, IMAGE_SIZE])), 1),
    );
    const predicted = await guesses.data();
    guesses.dispose();
    return chosen.map((index, k) => ({
      index,
      label: data.labels[index],
      predicted: predicted[k],
      pixels: pixels[k],
    }));
  }
}

function freshModel(hiddenLayers: readonly number[], seed: number): Mlp {
  const layout = mlpLayout(hiddenLayers);
  return createMlp(layout, initialParams(layout, seed));
}
