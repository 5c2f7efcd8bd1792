/**
 * Models in TensorFlow.js's layers format (the format `tf.loadLayersModel` reads and
 * `tensorflowjs_converter` turns into Keras and back), both ways through tf.io.
 * - Export: a `tf.sequential` of the same layers gets the weights (layout.ts's layouts are
 *   TF.js's: conv kernels [kh, kw, in, out], dense [in, out], features flattened h-w-c) and saves
 *   through a save handler that hands the artifacts back. The last layer's activation is softmax:
 *   the model outputs the 10 probabilities.
 * - Import: `tf.loadLayersModel` reads the files a user picked (model.json and its weights files,
 *   through tf.io.browserFiles), and its layers are read back into a ModelSpec and the flat
 *   vector: Dense, Conv2D + MaxPooling2D(2) and Flatten, ReLU between, as this app trains them.
 *   Anything else is refused with a message naming the layer: the files are untrusted input.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIDE, IMAGE_SIZE, NUM_CLASSES } from '../../shared/mnist';
import { describeModel, validateModel, type ConvSpec, type ModelSpec } from '../../shared/modelSpec';
import { netLayout, type NetLayout } from '../layout';
import { LayersImportError } from './layersImportError';
import { checkLayersManifest } from './layersManifest';

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

export { LayersImportError };

/** The largest model.json taken: a topology is a few kB; the weights go in their own files. */
export const MAX_MODEL_JSON_BYTES = 1_000_000;

/** One layer's config as tf.layers reports it (getConfig), the fields read here. */
interface LayerConfig {
  filters?: number;
  units?: number;
  kernelSize?: number | number[];
  poolSize?: number | number[];
  strides?: number | number[];
  dilationRate?: number | number[];
  padding?: string;
  activation?: string;
  useBias?: boolean;
  dataFormat?: string;
}

const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];

/**
 * The model and its weights (layout.ts's flat order) in the TF.js layers files `files`: one
 * model.json and the weights files its manifest names. Throws LayersImportError naming the
 * problem: no or several model.json, a file that is not one, a layer or an activation this app
 * does not train, shapes that disagree, NaN or infinite weights.
 */
export async function fromLayersModel(
  files: readonly File[],
  maxWeightBytes: number,
): Promise<{ spec: ModelSpec; params: Float32Array }> {
  const jsons = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const others = files.filter((f) => !jsons.includes(f));
  if (jsons.length !== 1)
    throw new LayersImportError(
      `A TensorFlow.js model is one model.json and its weights file; ${jsons.length} .json files were picked.`,
    );
  const [json] = jsons;
  if (json.size > MAX_MODEL_JSON_BYTES)
    throw new LayersImportError(
      `${json.name} is ${(json.size / 1e6).toFixed(1)} MB; a model.json is at most ${MAX_MODEL_JSON_BYTES / 1e6} MB (its weights belong in the weights file).`,
    );
  const weightBytes = others.reduce((n, f) => n + f.size, 0);
  if (weightBytes > maxWeightBytes)
    throw new LayersImportError(
      `The weights files are ${(weightBytes / 1e6).toFixed(0)} MB; a model here is at most ${maxWeightBytes / 1e6} MB.`,
    );
  checkLayersManifest(json.name, await json.text(), others, maxWeightBytes);
  return readLayersModel(tf.io.browserFiles([json, ...others]), json.name);
}

/** The model `handler` loads (see fromLayersModel; `name` names it in messages). */
export async function readLayersModel(
  handler: tf.io.IOHandler,
  name: string,
): Promise<{ spec: ModelSpec; params: Float32Array }> {
  let model: tf.LayersModel;
  try {
    const artifacts = await handler.load!();
    if (!artifacts.weightSpecs?.length || !artifacts.weightData)
      throw new Error('it holds no weights (a model.json must be picked with its weights file)');
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new LayersImportError(
      `${name} could not be read as a TensorFlow.js layers model: ${(e as Error).message}`,
    );
  }
  try {
    return readLayers(model);
  } finally {
    model.dispose();
  }
}

/** The spec and flat weights of a loaded model, or LayersImportError (see fromLayersModel). */
function readLayers(model: tf.LayersModel): { spec: ModelSpec; params: Float32Array } {
  const fail = (message: string): never => {
    throw new LayersImportError(message);
  };
  const input = model.inputs[0]?.shape.slice(1) ?? [];
  const conv: ConvSpec[] = [];
  const units: number[] = [];
  const activations: string[] = [];
  const kernels: { layer: string; values: tf.Tensor[] }[] = [];
  let flattened = false;
  let pooled = true; // each Conv2D must be followed by its 2x2 max-pool
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const c = layer.getConfig() as LayerConfig;
    const named = `Layer ${layer.name} (${kind})`;
    if (kind === 'InputLayer' || kind === 'Dropout') continue; // no weights, no effect when reading
    if (kind === 'Conv2D') {
      if (flattened || units.length) fail(`${named} comes after the dense layers; convolutions come first.`);
      if (!pooled) fail(`${named} follows a Conv2D without its MaxPooling2D.`);
      const [kh, kw] = pair(c.kernelSize, 1);
      if (kh !== kw) fail(`${named} has a ${kh}x${kw} kernel; this app trains square kernels.`);
      if (pair(c.strides, 1).some((s) => s !== 1) || pair(c.dilationRate, 1).some((d) => d !== 1))
        fail(`${named} has strides or dilation other than 1; this app trains stride 1.`);
      if (c.padding !== 'valid') fail(`${named} has padding "${c.padding}"; this app trains "valid".`);
      if (c.dataFormat && c.dataFormat !== 'channelsLast') fail(`${named} is not channels-last.`);
      if (c.activation !== 'relu') fail(`${named} has activation "${c.activation}"; this app trains ReLU.`);
      if (c.useBias === false) fail(`${named} has no bias; this app trains layers with one.`);
      conv.push({ filters: c.filters ?? 0, kernel: kh });
      kernels.push({ layer: named, values: layer.getWeights() });
      pooled = false;
    } else if (kind === 'MaxPooling2D') {
      if (pooled) fail(`${named} does not follow a Conv2D; this app pools once after each.`);
      const size = pair(c.poolSize, 2);
      const strides = pair(c.strides ?? c.poolSize, 2);
      if ([...size, ...strides].some((v) => v !== 2) || c.padding !== 'valid')
        fail(`${named} is not a 2x2 pool of stride 2 with "valid" padding, the one this app trains.`);
      pooled = true;
    } else if (kind === 'Flatten') {
      if (flattened || units.length) fail(`${named} is not the one flatten before the dense layers.`);
      flattened = true;
    } else if (kind === 'Dense') {
      if (!pooled) fail(`${named} follows a Conv2D without its MaxPooling2D.`);
      if (conv.length && !flattened) fail(`${named} follows the convolutions without a Flatten.`);
      if (c.useBias === false) fail(`${named} has no bias; this app trains layers with one.`);
      units.push(c.units ?? 0);
      activations.push(c.activation ?? 'linear');
      kernels.push({ layer: named, values: layer.getWeights() });
    } else {
      fail(
        `${named}: this app trains Dense, Conv2D with MaxPooling2D, and Flatten layers (Dropout and InputLayer are passed over).`,
      );
    }
  }
  if (!units.length) fail('The model has no Dense layer; its last layer must be a Dense of 10 units.');
  const wantInput = conv.length ? [IMAGE_SIDE, IMAGE_SIDE, 1] : null;
  const inputOk = wantInput
    ? input.join() === wantInput.join()
    : input.join() === String(IMAGE_SIZE) ||
      (flattened && [IMAGE_SIDE, IMAGE_SIDE].join() === input.slice(0, 2).join() && (input[2] ?? 1) === 1);
  if (!inputOk)
    fail(
      `The model takes input of shape [${input.join(', ')}]; an MNIST model here takes ${wantInput ? '[28, 28, 1]' : '[784] (or [28, 28] flattened)'}.`,
    );
  if (units.at(-1) !== NUM_CLASSES)
    fail(`The last Dense layer has ${units.at(-1)} units; a model of the 10 digits has 10.`);
  const hiddenAct = activations.slice(0, -1).findIndex((a) => a !== 'relu');
  if (hiddenAct >= 0)
    fail(
      `Dense layer ${hiddenAct + 1} has activation "${activations[hiddenAct]}"; this app trains ReLU between layers.`,
    );
  const lastAct = activations.at(-1)!;
  if (lastAct !== 'softmax' && lastAct !== 'linear')
    fail(`The last Dense layer has activation "${lastAct}"; it must be softmax or linear (logits).`);
  const hidden = units.slice(0, -1);
  const spec: ModelSpec = conv.length ? { kind: 'cnn', conv, hidden } : { kind: 'mlp', hidden };
  const invalid = validateModel(spec);
  if (invalid.length) fail(`The model is not one this app trains: ${invalid[0].message}.`);
  const layout = netLayout(spec);
  const params = new Float32Array(layout.paramCount);
  const slots = [
    ...layout.convs.map((l) => ({
      at: l,
      shapes: [[l.kernel, l.kernel, l.input[2], l.filters], [l.filters]],
    })),
    ...layout.dense.layers.map((l) => ({ at: l, shapes: [[l.inputs, l.outputs], [l.outputs]] })),
  ];
  slots.forEach(({ at, shapes }, i) => {
    const { layer, values } = kernels[i];
    const [kernel, bias] = values;
    shapes.forEach((shape, k) => {
      const got = [kernel, bias][k]?.shape ?? [];
      if (got.join() !== shape.join())
        fail(
          `${layer} holds a ${k === 0 ? 'kernel' : 'bias'} of shape [${got.join(', ')}]; ${describeModel(spec)} needs [${shape.join(', ')}].`,
        );
    });
    const w = kernel.dataSync() as Float32Array;
    const b = bias.dataSync() as Float32Array;
    const bad = [...w, ...b].filter((v) => !Number.isFinite(v)).length;
    if (bad)
      fail(
        `${layer} holds ${bad} NaN or infinite value${bad === 1 ? '' : 's'}: these weights cannot read a digit.`,
      );
    params.set(w, at.weightOffset);
    params.set(b, at.biasOffset);
  });
  return { spec, params };
}
