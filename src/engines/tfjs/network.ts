/**
 * Any model spec's network written with TensorFlow.js ops, on the flat parameter vector of
 * layout.ts: each conv stage one fused conv2d + bias + ReLU and a 2x2 max-pool (channels-last),
 * each dense layer one fused matMul + bias (+ ReLU). Gradients come from tfjs's own autodiff
 * (tf.valueAndGrads) with respect to the layers' slices of the vector, concatenated back into one
 * flat gradient; so this file holds the forward pass only.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIDE } from '../../shared/mnist';
import type { NetLayout } from '../layout';

/** A layer's kernel and bias, views of the flat vector: conv [k, k, in, filters], dense [in, out]. */
export interface LayerTensors {
  kernel: tf.Tensor;
  bias: tf.Tensor1D;
}

/** Conv stages first, then dense layers, each as kernel then bias: the flat vector's order. */
export function unpack(params: tf.Tensor1D, layout: NetLayout): LayerTensors[] {
  return [
    ...layout.convs.map((c) => ({
      kernel: tf.reshape(tf.slice(params, c.weightOffset, c.biasOffset - c.weightOffset), [
        c.kernel,
        c.kernel,
        c.input[2],
        c.filters,
      ]),
      bias: tf.slice(params, c.biasOffset, c.filters),
    })),
    ...layout.dense.layers.map((l) => ({
      kernel: tf.reshape(tf.slice(params, l.weightOffset, l.inputs * l.outputs), [l.inputs, l.outputs]),
      bias: tf.slice(params, l.biasOffset, l.outputs),
    })),
  ];
}

/**
 * Logits [B, 10] of x [B, 784] float32 (0..1) for the layers `layers` (unpack's order). Call
 * inside a tidy: every intermediate is new.
 */
export function forward(layout: NetLayout, layers: LayerTensors[], x: tf.Tensor2D): tf.Tensor2D {
  const batch = x.shape[0];
  let h: tf.Tensor = x;
  const convs = layout.convs.length;
  if (convs > 0) {
    h = tf.reshape(x, [batch, IMAGE_SIDE, IMAGE_SIDE, 1]);
    for (let i = 0; i < convs; i++) {
      const { kernel, bias } = layers[i];
      const z = tf.fused.conv2d({
        x: h as tf.Tensor4D,
        filter: kernel as tf.Tensor4D,
        strides: 1,
        pad: 'valid',
        bias,
        activation: 'relu',
      });
      h = tf.maxPool(z, 2, 2, 'valid');
    }
    h = tf.reshape(h, [batch, layout.dense.sizes[0]]);
  }
  const dense = layout.dense.layers.length;
  for (let i = 0; i < dense; i++) {
    const { kernel, bias } = layers[convs + i];
    h = tf.fused.matMul({
      a: h as tf.Tensor2D,
      b: kernel as tf.Tensor2D,
      bias,
      activation: i < dense - 1 ? 'relu' : 'linear',
    });
  }
  return h as tf.Tensor2D;
}

/** Mean negative log-likelihood of logits [B, 10] against oneHot [B, 10]: a scalar. */
export function meanLoss(logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot))), logits.shape[0]) as tf.Scalar;
}

/**
 * The batch's mean loss and its gradient with respect to the flat parameters, [paramCount]
 * float32 in layout.ts's order. x: [B, 784], oneHot: [B, 10]. Call inside a tidy.
 */
export function lossAndGradient(
  layout: NetLayout,
  params: tf.Tensor1D,
  x: tf.Tensor2D,
  oneHot: tf.Tensor2D,
): { loss: tf.Scalar; gradient: tf.Tensor1D } {
  const layers = unpack(params, layout);
  const flat = layers.flatMap((l) => [l.kernel, l.bias]);
  const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => {
    const relaid = layers.map((_, i) => ({ kernel: ts[2 * i], bias: ts[2 * i + 1] as tf.Tensor1D }));
    return meanLoss(forward(layout, relaid, x), oneHot);
  })(flat);
  return {
    loss: value as tf.Scalar,
    gradient: tf.concat(grads.map((g) => tf.reshape(g, [-1]))) as tf.Tensor1D,
  };
}

/**
 * Images evaluated per forward pass: as many as keep the activations near 4M floats (16 MB), at
 * most 2,000 (the MLP's), so a CNN's first stage does not ask a device for gigabytes.
 */
export function evalBatch(layout: NetLayout): number {
  const perImage =
    layout.convs.reduce((n, c) => n + c.conv[0] * c.conv[1] * c.conv[2], 0) +
    layout.dense.sizes.reduce((a, b) => a + b, 0);
  return Math.max(1, Math.min(2000, Math.floor(4_000_000 / perImage)));
}
