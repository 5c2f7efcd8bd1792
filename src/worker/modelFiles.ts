/**
 * Models in and out of files, in the ecosystem's formats: safetensors with PyTorch's names and
 * shapes, and TF.js's layers model. What comes in is untrusted: each problem is a CommandError
 * naming it, and nothing changes until the whole file has been checked.
 */
import { fromNamed, netLayout, toNamed, type NetLayout } from '../engines/layout';
import type * as LayersFormat from '../engines/tfjs/layersModel';
import { configProblem, TUTORIAL_PRESET } from '../shared/config';
import { describeModel, specFromTensors, type ModelSpec } from '../shared/modelSpec';
import {
  decodeSafetensors,
  encodeSafetensors,
  MAX_FILE_BYTES,
  SafetensorsError,
  type Tensor,
} from '../shared/safetensors';
import type { BackendManager } from './backend';
import { CommandError } from './emit';

/** A model read from a file: its architecture and its weights in layout.ts's order. */
export interface ModelFromFile {
  spec: ModelSpec;
  params: Float32Array;
}

/**
 * `model` checked as a model this app can build: a CommandError naming each problem otherwise.
 * `seed` too, when it comes with it (a reset's).
 */
export function checkModel(model: ModelSpec, seed = TUTORIAL_PRESET.seed): NetLayout {
  const problem = configProblem({ ...TUTORIAL_PRESET, model, seed });
  if (problem) throw new CommandError('invalid-config', problem);
  return netLayout(model);
}

/**
 * The layout of `model` once the model is checked, and `params` with it: each problem a
 * CommandError naming it (weights come from the page: a checkpoint, a saved run).
 */
export function checkedLayout(model: ModelSpec, params: Float32Array): NetLayout {
  const layout = checkModel(model);
  if (params.length !== layout.paramCount || !params.every(Number.isFinite))
    throw new CommandError('internal', 'The weights do not fit the model or are not finite.');
  return layout;
}

/** `params` of `model` as a safetensors file with PyTorch's state_dict names and shapes. */
export function toSafetensors(
  model: ModelSpec,
  params: Float32Array,
  metadata: Record<string, string>,
): Uint8Array {
  const layout = checkedLayout(model, params);
  return encodeSafetensors(toNamed(layout, params), {
    format: 'pt',
    model: describeModel(model),
    ...metadata,
  });
}

/**
 * The model a safetensors file holds, checked as untrusted input: the format, the tutorial's
 * names and consistent shapes, finite weights.
 */
export function fromSafetensors(bytes: Uint8Array): ModelFromFile {
  let tensors: Tensor[];
  try {
    tensors = decodeSafetensors(bytes).tensors;
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CommandError('invalid-model', e.message);
    throw e;
  }
  const found = specFromTensors(tensors);
  if ('problem' in found) throw new CommandError('invalid-model', found.problem);
  for (const t of tensors) {
    const bad = t.data.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
    if (bad > 0)
      throw new CommandError(
        'invalid-model',
        `Tensor ${t.name} holds ${bad} NaN or infinite value${bad === 1 ? '' : 's'}: these weights cannot read a digit.`,
      );
  }
  return { spec: found.spec, params: fromNamed(netLayout(found.spec), tensors) };
}

/** The TF.js layers format, on TensorFlow.js, loaded and started when a model goes in or out in it. */
async function layersFormat(backend: BackendManager): Promise<typeof LayersFormat> {
  await backend.tfjs();
  return import('../engines/tfjs/layersModel');
}

/** `params` of `model` as a TF.js layers model: model.json's text (naming `weightsPath`) and the weights. */
export async function toLayers(
  backend: BackendManager,
  model: ModelSpec,
  params: Float32Array,
  weightsPath: string,
): Promise<{ modelJson: string; weights: ArrayBuffer }> {
  const layout = checkedLayout(model, params);
  const { toLayersModel } = await layersFormat(backend);
  return toLayersModel(layout, params, weightsPath);
}

/** The model of a TF.js layers model (model.json and the weights files it names), checked. */
export async function fromLayers(backend: BackendManager, files: File[]): Promise<ModelFromFile> {
  const { fromLayersModel, LayersImportError } = await layersFormat(backend);
  return fromLayersModel(files, MAX_FILE_BYTES).catch((e: unknown) => {
    throw e instanceof LayersImportError ? new CommandError('invalid-model', e.message) : e;
  });
}
