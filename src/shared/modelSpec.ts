/**
 * What network a run trains, as both threads see it: one spec per model kind, validated here and
 * nowhere else, with the layer shapes and PyTorch's parameter names and shapes derived from it.
 * A new model kind is a new member of ModelSpec, its case in `layersOf` and `validateModel`, an
 * engine that supports it (the tfjs engine supports any) and its fields in the settings form.
 * Pure.
 */
import { IMAGE_SIDE, NUM_CLASSES } from './mnist';
import { formatCount } from './format';

/** One convolution: `filters` output channels, a `kernel` x `kernel` window, stride 1, no padding. */
export interface ConvSpec {
  filters: number;
  kernel: number;
}

/**
 * mlp: 784 -> hidden... -> 10, ReLU between (the tutorial: hidden [64, 64, 64]).
 * cnn: each conv followed by ReLU and a 2x2 max-pool, then flattened into hidden... -> 10, ReLU
 * between (the series' CNN: conv [32x5, 64x5], hidden [512]). Both end in log-softmax + NLL.
 */
export type ModelSpec =
  { kind: 'mlp'; hidden: number[] } | { kind: 'cnn'; conv: ConvSpec[]; hidden: number[] };

export type ModelKind = ModelSpec['kind'];

export const MODEL_KINDS: Record<ModelKind, string> = { mlp: 'MLP', cnn: 'CNN' };

export const MODEL_LIMITS = {
  hidden: { count: { max: 5 }, size: { min: 1, max: 1024 } },
  conv: { count: { min: 1, max: 3 }, filters: { min: 1, max: 128 }, kernel: { min: 1, max: 9 } },
  /** Weights and biases: a larger model would not train at a usable speed in a browser. */
  parameters: { max: 8_000_000 },
} as const;

/** The tutorial's MLP. */
export const TUTORIAL_MODEL: ModelSpec = { kind: 'mlp', hidden: [64, 64, 64] };
/** The series' CNN (p.5-6) on 28x28: Conv2d(1,32,5), Conv2d(32,64,5), Linear(1024,512), Linear(512,10). */
export const SERIES_CNN: ModelSpec = {
  kind: 'cnn',
  conv: [
    { filters: 32, kernel: 5 },
    { filters: 64, kernel: 5 },
  ],
  hidden: [512],
};
/** tfjs-examples' in-browser MNIST size: Conv2d(1,8,5), Conv2d(8,16,5), Linear(256,10). */
export const SMALL_CNN: ModelSpec = {
  kind: 'cnn',
  conv: [
    { filters: 8, kernel: 5 },
    { filters: 16, kernel: 5 },
  ],
  hidden: [],
};

/**
 * A conv stage: `input` [height, width, channels] -> convolution (valid, stride 1) -> `conv`
 * [h, w, filters] -> ReLU -> 2x2 max-pool (floor) -> `output` [h / 2, w / 2, filters].
 */
export interface ConvShape {
  kind: 'conv';
  /** PyTorch's attribute name: conv1, conv2, ... */
  name: string;
  input: [number, number, number];
  kernel: number;
  filters: number;
  conv: [number, number, number];
  output: [number, number, number];
}

/** A fully connected layer, ReLU after it unless it is the last. */
export interface DenseShape {
  kind: 'dense';
  /** PyTorch's attribute name: fc1, fc2, ... */
  name: string;
  inputs: number;
  outputs: number;
  relu: boolean;
}

export type LayerShape = ConvShape | DenseShape;

/** The network's layers in order, with their shapes. Assumes a valid spec (validateModel). */
export function layersOf(spec: ModelSpec): LayerShape[] {
  const layers: LayerShape[] = [];
  let features = IMAGE_SIDE * IMAGE_SIDE;
  if (spec.kind === 'cnn') {
    let [h, w, c] = [IMAGE_SIDE, IMAGE_SIDE, 1];
    spec.conv.forEach(({ filters, kernel }, i) => {
      const ch = h - kernel + 1;
      const cw = w - kernel + 1;
      const output: [number, number, number] = [Math.floor(ch / 2), Math.floor(cw / 2), filters];
      layers.push({
        kind: 'conv',
        name: `conv${i + 1}`,
        input: [h, w, c],
        kernel,
        filters,
        conv: [ch, cw, filters],
        output,
      });
      [h, w, c] = output;
    });
    features = h * w * c;
  }
  const sizes = [features, ...spec.hidden, NUM_CLASSES];
  for (let i = 0; i + 1 < sizes.length; i++)
    layers.push({
      kind: 'dense',
      name: `fc${i + 1}`,
      inputs: sizes[i],
      outputs: sizes[i + 1],
      relu: i + 2 < sizes.length,
    });
  return layers;
}

/** A named parameter tensor as PyTorch's state_dict holds it. */
export interface ParameterShape {
  /** e.g. fc1.weight, conv2.bias. */
  name: string;
  /** Linear.weight [out, in]; Conv2d.weight [out, in, kh, kw]; biases [out]. */
  shape: number[];
}

/** The model's parameters in state_dict order, with PyTorch's names and shapes. */
export function parameterShapes(spec: ModelSpec): ParameterShape[] {
  return layersOf(spec).flatMap((l) =>
    l.kind === 'conv'
      ? [
          { name: `${l.name}.weight`, shape: [l.filters, l.input[2], l.kernel, l.kernel] },
          { name: `${l.name}.bias`, shape: [l.filters] },
        ]
      : [
          { name: `${l.name}.weight`, shape: [l.outputs, l.inputs] },
          { name: `${l.name}.bias`, shape: [l.outputs] },
        ],
  );
}

export function parameterCount(spec: ModelSpec): number {
  return parameterShapes(spec).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** e.g. "MLP 784-64-64-64-10", "CNN 32x5, 64x5 -> 1024-512-10". */
export function describeModel(spec: ModelSpec): string {
  const dense = layersOf(spec).filter((l): l is DenseShape => l.kind === 'dense');
  const sizes = [dense[0].inputs, ...dense.map((l) => l.outputs)].join('-');
  if (spec.kind === 'mlp') return `MLP ${sizes}`;
  return `CNN ${spec.conv.map(formatConv).join(', ')} -> ${sizes}`;
}

/** "32x5": 32 filters of 5x5, as the settings form writes a conv layer. */
export function formatConv(c: ConvSpec): string {
  return `${c.filters}x${c.kernel}`;
}

export interface ModelError {
  /** The settings field at fault. */
  field: 'model' | 'hiddenLayers' | 'convLayers';
  message: string;
}

const isWhole = (n: unknown, min: number, max: number): boolean =>
  typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

/** Every problem with `spec`, each naming the field and the allowed range. */
export function validateModel(spec: ModelSpec): ModelError[] {
  const errors: ModelError[] = [];
  if (!spec || (spec.kind !== 'mlp' && spec.kind !== 'cnn'))
    return [{ field: 'model', message: `Model must be one of ${Object.values(MODEL_KINDS).join(', ')}` }];
  const { hidden, conv } = MODEL_LIMITS;
  const minHidden = spec.kind === 'mlp' ? 1 : 0;
  const layers = spec.hidden;
  if (
    !Array.isArray(layers) ||
    layers.length < minHidden ||
    layers.length > hidden.count.max ||
    !layers.every((n) => isWhole(n, hidden.size.min, hidden.size.max))
  ) {
    errors.push({
      field: 'hiddenLayers',
      message: `Hidden layers must be ${minHidden} to ${hidden.count.max} sizes, each a whole number from ${hidden.size.min} to ${hidden.size.max}`,
    });
  }
  if (spec.kind === 'cnn') {
    const convs = spec.conv;
    if (
      !Array.isArray(convs) ||
      convs.length < conv.count.min ||
      convs.length > conv.count.max ||
      !convs.every(
        (c) =>
          isWhole(c?.filters, conv.filters.min, conv.filters.max) &&
          isWhole(c?.kernel, conv.kernel.min, conv.kernel.max),
      )
    ) {
      errors.push({
        field: 'convLayers',
        message: `Conv layers must be ${conv.count.min} to ${conv.count.max} layers written filters x kernel (e.g. 32x5, 64x5), filters from ${conv.filters.min} to ${conv.filters.max}, kernel from ${conv.kernel.min} to ${conv.kernel.max}`,
      });
      return errors;
    }
    // Each stage needs a 2x2 window left to pool.
    let side = IMAGE_SIDE;
    for (const c of convs) {
      const after = side - c.kernel + 1;
      if (after < 2) {
        errors.push({
          field: 'convLayers',
          message: `Conv layers shrink the image to nothing: a ${c.kernel}x${c.kernel} kernel does not fit a ${side}x${side} input with a 2x2 pool after it`,
        });
        return errors;
      }
      side = Math.floor(after / 2);
    }
  }
  if (errors.length === 0 && parameterCount(spec) > MODEL_LIMITS.parameters.max) {
    errors.push({
      field: spec.kind === 'cnn' ? 'convLayers' : 'hiddenLayers',
      message: `The model would have ${formatCount(parameterCount(spec))} parameters; at most ${formatCount(MODEL_LIMITS.parameters.max)} train in a browser`,
    });
  }
  return errors;
}

/** Whether two specs describe the same network. */
export function sameModel(a: ModelSpec, b: ModelSpec): boolean {
  return describeModel(a) === describeModel(b);
}

/**
 * The model a file's tensors describe, by PyTorch's names (conv1.weight [f, c, k, k], fc1.weight
 * [out, in], ...), or why they describe none this app trains: a message naming the tensor at
 * fault. What it returns has exactly the file's names and shapes (parameterShapes).
 */
export function specFromTensors(
  tensors: readonly { name: string; shape: readonly number[] }[],
): { spec: ModelSpec } | { problem: string } {
  const byName = new Map(tensors.map((t) => [t.name, t.shape]));
  const numbered = (prefix: string) => {
    const out: (readonly number[])[] = [];
    for (let i = 1; byName.has(`${prefix}${i}.weight`); i++) out.push(byName.get(`${prefix}${i}.weight`)!);
    return out;
  };
  const convs = numbered('conv');
  const fcs = numbered('fc');
  if (fcs.length === 0) {
    const names = tensors.slice(0, 4).map((t) => t.name);
    return {
      problem: `The file has no tensor fc1.weight: it does not use the tutorial's names (fc1.weight, fc1.bias, ...; conv1.weight first for a CNN). Its tensors: ${names.join(', ') || 'none'}${tensors.length > 4 ? ', ...' : ''}.`,
    };
  }
  const badRank = [
    ...convs.map((s, i) => [`conv${i + 1}.weight`, s, 4] as const),
    ...fcs.map((s, i) => [`fc${i + 1}.weight`, s, 2] as const),
  ].find(([, s, rank]) => s.length !== rank);
  if (badRank)
    return {
      problem: `Tensor ${badRank[0]} has shape [${badRank[1].join(', ')}]; it should have ${badRank[2]} dimensions.`,
    };
  const hidden = fcs.slice(0, -1).map((s) => s[0]);
  const spec: ModelSpec = convs.length
    ? { kind: 'cnn', conv: convs.map((s) => ({ filters: s[0], kernel: s[2] })), hidden }
    : { kind: 'mlp', hidden };
  const last = fcs[fcs.length - 1];
  if (last[0] !== NUM_CLASSES)
    return {
      problem: `The last layer, fc${fcs.length}, has ${last[0]} outputs; a model of the 10 digits has 10.`,
    };
  const invalid = validateModel(spec);
  if (invalid.length)
    return { problem: `The file's model is not one this app trains: ${invalid[0].message}.` };
  const expected = parameterShapes(spec);
  for (const p of expected) {
    const got = byName.get(p.name);
    if (!got) return { problem: `The file has no tensor ${p.name} [${p.shape.join(', ')}].` };
    if (got.length !== p.shape.length || got.some((d, i) => d !== p.shape[i]))
      return {
        problem: `Tensor ${p.name} has shape [${got.join(', ')}]; ${describeModel(spec)} needs [${p.shape.join(', ')}].`,
      };
  }
  const extra = tensors.find((t) => !expected.some((p) => p.name === t.name));
  if (extra) return { problem: `The file has a tensor this model does not: ${extra.name}.` };
  return { spec };
}
