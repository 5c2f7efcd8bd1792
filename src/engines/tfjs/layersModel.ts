/**
 * A model's weights as a TensorFlow.js layers model (the format `tf.loadLayersModel` reads and
 * `tensorflowjs_converter` turns into Keras), written by tf.io: a `tf.sequential` of the same
 * layers gets the weights (layout.ts's layouts are TF.js's: conv kernels [kh, kw, in, out], dense
 * [in, out], features flattened h-w-c) and saves through a save handler that hands the artifacts
 * back. The last layer's activation is softmax: the model outputs the 10 probabilities.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIDE, IMAGE_SIZE } from '../../shared/mnist';
import type { NetLayout } from '../layout';

export interface LayersFiles {
  /** model.json's text, its weights manifest pointing at `weightsPath`. */
  modelJson: string;
  /** The weights file's bytes. */
  weights: ArrayBuffer;
}

export async function toLayersModel(
  layout: NetLayout,
  params: Float32Array,
  weightsPath: string,
): Promise<LayersFiles> {
  const model = tf.sequential();
  const weights: tf.Tensor[] = [];
  const slice = (offset: number, shape: number[]) =>
    tf.tensor(params.subarray(offset, offset + shape.reduce((a, b) => a * b, 1)), shape);
  try {
    layout.convs.forEach((c, i) => {
      model.add(
        tf.layers.conv2d({
          filters: c.filters,
          kernelSize: c.kernel,
          activation: 'relu',
          padding: 'valid',
          ...(i === 0 ? { inputShape: [IMAGE_SIDE, IMAGE_SIDE, 1] } : {}),
        }),
      );
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
      weights.push(
        slice(c.weightOffset, [c.kernel, c.kernel, c.input[2], c.filters]),
        slice(c.biasOffset, [c.filters]),
      );
    });
    if (layout.convs.length) model.add(tf.layers.flatten());
    const last = layout.dense.layers.length - 1;
    layout.dense.layers.forEach((l, i) => {
      model.add(
        tf.layers.dense({
          units: l.outputs,
          activation: i === last ? 'softmax' : 'relu',
          ...(i === 0 && !layout.convs.length ? { inputShape: [IMAGE_SIZE] } : {}),
        }),
      );
      weights.push(slice(l.weightOffset, [l.inputs, l.outputs]), slice(l.biasOffset, [l.outputs]));
    });
    model.setWeights(weights);
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const saved = artifacts as tf.io.ModelArtifacts | null;
    if (!saved?.weightData || !saved.weightSpecs) throw new Error('tf.io saved no weights');
    const data = saved.weightData;
    const buffer = Array.isArray(data) ? concat(data) : (data as ArrayBuffer);
    const modelJson = JSON.stringify({
      modelTopology: saved.modelTopology,
      format: saved.format ?? 'layers-model',
      generatedBy: saved.generatedBy,
      convertedBy: null,
      weightsManifest: [{ paths: [weightsPath], weights: saved.weightSpecs }],
    });
    return { modelJson, weights: buffer };
  } finally {
    for (const w of weights) w.dispose();
    model.dispose();
  }
}

function concat(parts: ArrayBuffer[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), at);
    at += p.byteLength;
  }
  return out.buffer;
}
