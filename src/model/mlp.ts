/**
 * The tutorial's MLP (784 -> hidden... -> 10, ReLU, softmax cross-entropy on the logits) written
 * with core ops rather than a layers model, so that a training step is a few dozen kernels:
 * - every parameter lives in ONE flat float32 variable, so the optimizer update is a handful of
 *   element-wise ops for all of them (optimizers.ts) instead of a handful per weight tensor;
 * - each layer's forward pass is one fused matMul + bias (+ ReLU) kernel;
 * - the backward pass is written out by hand (it is short for an MLP), which skips the tape and
 *   the per-slice pad/add that autodiff would emit for gradients of a flat variable.
 * reference.ts holds the stock layers model the tests and the benchmark compare it with.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, NUM_CLASSES } from '../data/mnistSprite';
import { mulberry32 } from './random';

/** Where one dense layer's parameters sit in the flat vector. */
export interface LayerLayout {
  inputs: number;
  outputs: number;
  /** Offset of the [inputs, outputs] row-major kernel (the layout tf dense layers use). */
  weightOffset: number;
  /** Offset of the [outputs] bias, right after the kernel. */
  biasOffset: number;
}

export interface MlpLayout {
  /** [784, ...hidden, 10]. */
  sizes: number[];
  layers: LayerLayout[];
  /** Length of the flat parameter vector. */
  paramCount: number;
}

/** A model: its layout and its parameters, one flat float32 variable of shape [paramCount]. */
export interface Mlp {
  layout: MlpLayout;
  /** Owned by the Mlp; disposeMlp releases it. */
  params: tf.Variable<tf.Rank.R1>;
}

/** The layout of 784 -> hiddenLayers... -> 10: layer after layer, kernel then bias. */
export function mlpLayout(hiddenLayers: readonly number[]): MlpLayout {
  const sizes = [IMAGE_SIZE, ...hiddenLayers, NUM_CLASSES];
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const inputs = sizes[i];
    const outputs = sizes[i + 1];
    layers.push({ inputs, outputs, weightOffset: offset, biasOffset: offset + inputs * outputs });
    offset += inputs * outputs + outputs;
  }
  return { sizes, layers, paramCount: offset };
}

/**
 * Initial parameters as PyTorch's nn.Linear draws them (kaiming-uniform with a = sqrt(5), which
 * comes to U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weights and the biases alike), from a
 * seeded generator: same seed, same weights, on every backend.
 */
export function initialParams(layout: MlpLayout, seed: number): Float32Array {
  const random = mulberry32(seed);
  const values = new Float32Array(layout.paramCount);
  for (const layer of layout.layers) {
    const bound = 1 / Math.sqrt(layer.inputs);
    const end = layer.biasOffset + layer.outputs;
    for (let i = layer.weightOffset; i < end; i++) values[i] = (2 * random() - 1) * bound;
  }
  return values;
}

/** A model with `values` (length layout.paramCount) as its parameters, on the current backend. */
export function createMlp(layout: MlpLayout, values: Float32Array): Mlp {
  if (values.length !== layout.paramCount)
    throw new Error(`expected ${layout.paramCount} parameters, got ${values.length}`);
  const initial = tf.tensor1d(values, 'float32');
  // The variable shares the tensor's data, so dropping the tensor leaves exactly one tensor.
  const params = tf.variable(initial, true) as tf.Variable<tf.Rank.R1>;
  initial.dispose();
  return { layout, params };
}

/** Releases the model's variable (one tensor). */
export function disposeMlp(model: Mlp): void {
  model.params.dispose();
}

interface LayerTensors {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/** Per-layer views of the flat vector. Tensors are new (slices); call inside a tidy. */
function unpack(params: tf.Tensor1D, layout: MlpLayout): LayerTensors[] {
  return layout.layers.map((l) => ({
    kernel: tf.reshape(tf.slice(params, l.weightOffset, l.inputs * l.outputs), [l.inputs, l.outputs]),
    bias: tf.slice(params, l.biasOffset, l.outputs),
  }));
}

/**
 * Activations of every layer for a batch: [x, h1, ..., logits]. x: [B, 784] float32 (0..1).
 * Call inside a tidy; every returned tensor except x is new.
 */
function forwardAll(layers: LayerTensors[], x: tf.Tensor2D): tf.Tensor2D[] {
  const acts = [x];
  layers.forEach(({ kernel, bias }, i) => {
    const last = i === layers.length - 1;
    acts.push(
      tf.fused.matMul({ a: acts[i], b: kernel, bias, activation: last ? 'linear' : 'relu' }) as tf.Tensor2D,
    );
  });
  return acts;
}

/**
 * Logits [B, 10] float32 of x [B, 784] float32. The caller disposes the result (or calls this
 * inside a tidy); x and params are untouched.
 */
export function mlpLogits(params: tf.Tensor1D, layout: MlpLayout, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const acts = forwardAll(unpack(params, layout), x);
    return acts[acts.length - 1];
  });
}

/**
 * Mean softmax cross-entropy over the batch and its gradient with respect to the flat parameters.
 * x: [B, 784] float32; oneHot: [B, 10] float32. Returns loss: scalar float32, gradient:
 * [paramCount] float32, both new: call inside a tidy (the training step does).
 */
export function lossAndGradient(
  params: tf.Tensor1D,
  layout: MlpLayout,
  x: tf.Tensor2D,
  oneHot: tf.Tensor2D,
): { loss: tf.Scalar; gradient: tf.Tensor1D } {
  const layers = unpack(params, layout);
  const acts = forwardAll(layers, x);
  const logProbs = tf.logSoftmax(acts[acts.length - 1]);
  const invBatch = 1 / x.shape[0];
  const loss = tf.mul(tf.sum(tf.mul(logProbs, oneHot)), -invBatch) as tf.Scalar;
  // d(loss)/d(logits) = (softmax - onehot) / B.
  let delta: tf.Tensor2D = tf.mul(tf.sub(tf.exp(logProbs), oneHot), invBatch);
  const grads: tf.Tensor1D[] = new Array(layers.length * 2);
  for (let i = layers.length - 1; i >= 0; i--) {
    grads[2 * i] = tf.reshape(tf.matMul(acts[i], delta, true, false), [-1]);
    grads[2 * i + 1] = tf.sum(delta, 0);
    // ReLU's derivative is 1 where the activation is positive: step(h) masks the back-propagated error.
    if (i > 0)
      delta = tf.mul(tf.matMul(delta, layers[i].kernel, false, true), tf.step(acts[i])) as tf.Tensor2D;
  }
  return { loss, gradient: tf.concat(grads) };
}
