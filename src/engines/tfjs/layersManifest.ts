/**
 * A picked TF.js model.json checked before TensorFlow.js reads it: that it is JSON, that its
 * weights manifest names files that were picked, and that those files hold as many bytes as the
 * manifest's weights take. tf.io reads what it is given as it is: malformed JSON made it hang with
 * no answer, and a mismatched file failed deep inside it ("offset is out of bounds", "Invalid
 * typed array length"), naming nothing a user could act on.
 */
import { LayersImportError } from './layersImportError';

/** Bytes an element of each weight dtype takes (a quantized weight: its quantized dtype's). */
const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  uint8: 1,
  uint16: 2,
  float16: 2,
  bool: 1,
};

interface WeightEntry {
  name?: unknown;
  shape?: unknown;
  dtype?: unknown;
  quantization?: { dtype?: unknown };
}

/** A picked file, as far as this check reads it. */
export interface PickedFile {
  name: string;
  size: number;
}

/** The last part of a manifest path: tf.io.browserFiles matches picked files by it. */
const basename = (path: string) => path.split('/').pop() ?? path;

/**
 * Checks model.json's `text` (named `name`) against the `weights` files picked with it; throws
 * LayersImportError naming the first problem. `maxWeightBytes`: the most weights read at all.
 */
export function checkLayersManifest(
  name: string,
  text: string,
  weights: readonly PickedFile[],
  maxWeightBytes: number,
): void {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LayersImportError(
      `${name} is not valid JSON (${(e as Error).message}): it is not a model.json.`,
    );
  }
  const model = json as { modelTopology?: unknown; weightsManifest?: unknown };
  if (typeof json !== 'object' || json === null || !model.modelTopology)
    throw new LayersImportError(
      `${name} holds no modelTopology: it is not a TensorFlow.js layers model.json.`,
    );
  const groups = model.weightsManifest;
  if (!Array.isArray(groups))
    throw new LayersImportError(
      `${name} has no weightsManifest: it names no weights file to read the weights from.`,
    );
  let expected = 0;
  const paths: string[] = [];
  for (const group of groups as { paths?: unknown; weights?: unknown }[]) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights))
      throw new LayersImportError(
        `${name}'s weightsManifest is malformed: each group needs "paths" and "weights".`,
      );
    paths.push(...group.paths.map((p) => basename(String(p))));
    for (const w of group.weights as WeightEntry[]) expected += weightBytes(name, w, maxWeightBytes);
  }
  if (expected === 0)
    throw new LayersImportError(`${name}'s weightsManifest lists no weights: the model has nothing to read.`);
  const missing = paths.filter((p) => !weights.some((f) => f.name === p));
  if (missing.length)
    throw new LayersImportError(
      `${name} reads its weights from ${missing.map((p) => `"${p}"`).join(', ')}, which ${missing.length > 1 ? 'were' : 'was'} not picked: pick ${missing.length > 1 ? 'them' : 'it'} together with ${name}.`,
    );
  const picked = paths.reduce((n, p) => n + (weights.find((f) => f.name === p)?.size ?? 0), 0);
  if (picked !== expected)
    throw new LayersImportError(
      `The weights file${paths.length > 1 ? 's' : ''} ${paths.map((p) => `"${p}"`).join(', ')} hold${paths.length > 1 ? '' : 's'} ${picked} bytes, but ${name} describes weights of ${expected} bytes: they are not of the same model.`,
    );
}

/** The bytes weight `w` takes, checked: a name, a shape of whole numbers, a known dtype. */
function weightBytes(file: string, w: WeightEntry, maxBytes: number): number {
  const shape = w?.shape;
  const named = `${file}'s weight ${typeof w?.name === 'string' ? `"${w.name}"` : '(unnamed)'}`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new LayersImportError(`${named} has no valid shape.`);
  const dtype = String(w.quantization?.dtype ?? w.dtype);
  const size = DTYPE_BYTES[dtype];
  if (size === undefined)
    throw new LayersImportError(`${named} has dtype "${dtype}", which this app cannot read.`);
  const bytes = (shape as number[]).reduce((a, b) => a * b, 1) * size;
  if (bytes > maxBytes)
    throw new LayersImportError(
      `${named} of shape [${shape.join(', ')}] would take ${(bytes / 1e6).toFixed(0)} MB; a model here is at most ${maxBytes / 1e6} MB.`,
    );
  return bytes;
}
