/**
 * The TF.js layers format both ways: what Export for TensorFlow.js writes reads back to the same
 * model and weights, a Keras-style model of a supported shape reads too, and each model this app
 * cannot train is refused with a message naming the layer at fault.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERIES_CNN, SMALL_CNN, TUTORIAL_MODEL, type ModelSpec } from '../../shared/modelSpec';
import { initialParams, netLayout } from '../layout';
import { LayersImportError, readLayersModel, toLayersModel } from './layersModel';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The artifacts `model` saves, as a load handler. */
async function saved(model: tf.LayersModel): Promise<tf.io.IOHandler> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return tf.io.fromMemory(artifacts!);
}

function fromExported(modelJson: string, weights: ArrayBuffer): tf.io.IOHandler {
  const json = JSON.parse(modelJson);
  return tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: weights,
  });
}

describe('readLayersModel', () => {
  it.each<[string, ModelSpec]>([
    ['tutorial MLP', TUTORIAL_MODEL],
    ['Small CNN', SMALL_CNN],
    ['series CNN', SERIES_CNN],
  ])('reads back what toLayersModel wrote: the %s, weight for weight', async (_, spec) => {
    const layout = netLayout(spec);
    const params = initialParams(layout, 7);
    const before = tf.memory().numTensors;
    const { modelJson, weights } = await toLayersModel(layout, params, './w.bin');
    const back = await readLayersModel(fromExported(modelJson, weights), 'model.json');
    expect(back.spec).toEqual(spec);
    expect(back.params).toEqual(params);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reads a Keras-style MLP: Flatten of a 28x28 input, Dropout, logits out', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28] }),
        tf.layers.dense({ units: 32, activation: 'relu' }),
        tf.layers.dropout({ rate: 0.2 }),
        tf.layers.dense({ units: 10 }),
      ],
    });
    const kernel = (model.layers[1].getWeights()[0].dataSync() as Float32Array).slice();
    const back = await readLayersModel(await saved(model), 'keras.json');
    expect(back.spec).toEqual({ kind: 'mlp', hidden: [32] });
    expect(back.params.subarray(0, kernel.length)).toEqual(kernel);
  });

  it.each<[string, () => tf.LayersModel, RegExp]>([
    [
      'a BatchNormalization layer',
      () =>
        tf.sequential({
          layers: [
            tf.layers.dense({ units: 16, activation: 'relu', inputShape: [784] }),
            tf.layers.batchNormalization(),
            tf.layers.dense({ units: 10, activation: 'softmax' }),
          ],
        }),
      /\(BatchNormalization\): this app trains Dense, Conv2D/,
    ],
    [
      'a sigmoid between layers',
      () =>
        tf.sequential({
          layers: [
            tf.layers.dense({ units: 16, activation: 'sigmoid', inputShape: [784] }),
            tf.layers.dense({ units: 10, activation: 'softmax' }),
          ],
        }),
      /Dense layer 1 has activation "sigmoid"/,
    ],
    [
      'a last layer of 5 units',
      () => tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [784] })] }),
      /has 5 units; a model of the 10 digits has 10/,
    ],
    [
      'a conv without its pool',
      () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: 4, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 1] }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 10 }),
          ],
        }),
      /follows a Conv2D without its MaxPooling2D/,
    ],
    [
      '"same" padding',
      () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({
              filters: 4,
              kernelSize: 3,
              padding: 'same',
              activation: 'relu',
              inputShape: [28, 28, 1],
            }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 10 }),
          ],
        }),
      /has padding "same"; this app trains "valid"/,
    ],
    [
      'an input of 3 colour channels',
      () =>
        tf.sequential({
          layers: [
            tf.layers.conv2d({ filters: 4, kernelSize: 5, activation: 'relu', inputShape: [28, 28, 3] }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 10 }),
          ],
        }),
      /input of shape \[28, 28, 3\]/,
    ],
  ])('refuses %s, naming it', async (_, build, message) => {
    const handler = await saved(build());
    const before = tf.memory().numTensors;
    await expect(readLayersModel(handler, 'model.json')).rejects.toThrow(message);
    await expect(readLayersModel(handler, 'model.json')).rejects.toBeInstanceOf(LayersImportError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses NaN weights and a topology that is not one', async () => {
    const layout = netLayout(TUTORIAL_MODEL);
    const params = initialParams(layout, 1);
    const { modelJson, weights } = await toLayersModel(layout, params, './w.bin');
    const poisoned = new Float32Array(weights.slice(0));
    poisoned[3] = NaN;
    await expect(readLayersModel(fromExported(modelJson, poisoned.buffer), 'model.json')).rejects.toThrow(
      /holds 1 NaN or infinite value/,
    );
    const broken = tf.io.fromMemory({ modelTopology: { class_name: 'Nonsense' }, weightSpecs: [] });
    await expect(readLayersModel(broken, 'x.json')).rejects.toThrow(
      /x.json could not be read as a TensorFlow.js layers model/,
    );
  });
});

describe('a model.json without weights', () => {
  it('is refused, not read with random weights', async () => {
    const layout = netLayout(TUTORIAL_MODEL);
    const { modelJson } = await toLayersModel(layout, initialParams(layout, 1), './w.bin');
    const topologyOnly = tf.io.fromMemory({ modelTopology: JSON.parse(modelJson).modelTopology });
    await expect(readLayersModel(topologyOnly, 'model.json')).rejects.toThrow(/holds no weights/);
  });
});
