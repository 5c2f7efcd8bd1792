/**
 * The one flat parameter vector every engine trains, as llm.c keeps its parameters: layer after
 * layer, kernel then bias, in TensorFlow.js's layouts (a dense kernel [inputs, outputs], a conv
 * kernel [kh, kw, inputs, filters]); activations are channels-last, so a conv stage's output
 * flattens in [h, w, c] order. One layout means one optimizer update over the whole vector, one
 * snapshot copy, and one place (`toNamed` / `fromNamed`) that turns it into PyTorch's state_dict
 * names, shapes and orders. Pure.
 */
import {
  layersOf,
  parameterShapes,
  type ConvShape,
  type DenseShape,
  type ModelSpec,
} from '../shared/modelSpec';
import { mulberry32 } from '../shared/random';

/** Where one layer's parameters sit in the flat vector. */
interface Offsets {
  /** The kernel, in the layout the module comment gives. */
  weightOffset: number;
  /** The bias ([outputs] or [filters]), right after the kernel. */
  biasOffset: number;
}

export type ConvLayout = ConvShape & Offsets;

/** A dense layer: [inputs, outputs] kernel then bias. */
export interface LayerLayout extends Offsets {
  inputs: number;
  outputs: number;
}

/** The dense layers of a model: the whole of an MLP, the head of a CNN. */
export interface MlpLayout {
  /** [inputs of the first dense layer, ...hidden, 10]: [784, ...hidden, 10] for an MLP. */
  sizes: number[];
  layers: LayerLayout[];
  /** Length of the flat vector the offsets index into (the whole model's). */
  paramCount: number;
}

export interface NetLayout {
  spec: ModelSpec;
  /** The conv stages, first to last (none for an MLP). */
  convs: ConvLayout[];
  /** The dense layers after them. */
  dense: MlpLayout;
  paramCount: number;
}

/** The flat layout of `spec` (a valid one). */
export function netLayout(spec: ModelSpec): NetLayout {
  const convs: ConvLayout[] = [];
  const dense: DenseShape[] = [];
  const layers: LayerLayout[] = [];
  let offset = 0;
  for (const l of layersOf(spec)) {
    const kernel = l.kind === 'conv' ? l.kernel * l.kernel * l.input[2] * l.filters : l.inputs * l.outputs;
    const at = { weightOffset: offset, biasOffset: offset + kernel };
    offset += kernel + (l.kind === 'conv' ? l.filters : l.outputs);
    if (l.kind === 'conv') convs.push({ ...l, ...at });
    else {
      dense.push(l);
      layers.push({ inputs: l.inputs, outputs: l.outputs, ...at });
    }
  }
  const sizes = [dense[0].inputs, ...dense.map((l) => l.outputs)];
  return { spec, convs, dense: { sizes, layers, paramCount: offset }, paramCount: offset };
}

/** The layout of the MLP 784 -> hiddenLayers... -> 10. */
export function mlpLayout(hiddenLayers: readonly number[]): MlpLayout {
  return netLayout({ kind: 'mlp', hidden: [...hiddenLayers] }).dense;
}

/**
 * Initial parameters as PyTorch's nn.Linear and nn.Conv2d draw them (kaiming-uniform with
 * a = sqrt(5), which comes to U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weights and the biases
 * alike; fan_in = inputs, or in_channels * kh * kw), from a seeded generator: same seed, same
 * weights, on every engine.
 */
export function initialParams(layout: NetLayout, seed: number): Float32Array {
  const random = mulberry32(seed);
  const values = new Float32Array(layout.paramCount);
  const fill = (from: number, to: number, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = from; i < to; i++) values[i] = (2 * random() - 1) * bound;
  };
  for (const c of layout.convs)
    fill(c.weightOffset, c.biasOffset + c.filters, c.input[2] * c.kernel * c.kernel);
  for (const l of layout.dense.layers) fill(l.weightOffset, l.biasOffset + l.outputs, l.inputs);
  return values;
}

/** A parameter tensor as PyTorch names and shapes it, its values row-major (C order). */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * For each PyTorch tensor, the flat index of each of its elements (in its own row-major order):
 * the one place the two layouts meet. Linear.weight [out, in] is the dense kernel transposed;
 * Conv2d.weight [out, in, kh, kw] is the conv kernel [kh, kw, in, out] permuted; the first dense
 * layer after a conv stage reads its input in PyTorch's flatten order (c, h, w) where ours is
 * (h, w, c).
 */
function namedIndex(layout: NetLayout): { name: string; shape: number[]; index: Int32Array }[] {
  // Weight then bias of each layer, convs first: the order of parameterShapes and of the layout.
  const indexes: Int32Array[] = [];
  for (const c of layout.convs) {
    const [k, cin, f] = [c.kernel, c.input[2], c.filters];
    const index = new Int32Array(f * cin * k * k);
    let n = 0;
    for (let o = 0; o < f; o++)
      for (let i = 0; i < cin; i++)
        for (let y = 0; y < k; y++)
          for (let x = 0; x < k; x++) index[n++] = c.weightOffset + ((y * k + x) * cin + i) * f + o;
    indexes.push(index, range(c.biasOffset, f));
  }
  const last = layout.convs.at(-1);
  layout.dense.layers.forEach((l, j) => {
    // Where PyTorch's input feature q sits in ours.
    const feature = (q: number) => {
      if (j > 0 || !last) return q;
      const [h, w, c] = last.output;
      const ch = Math.floor(q / (h * w));
      const yx = q - ch * h * w;
      return yx * c + ch;
    };
    const index = new Int32Array(l.outputs * l.inputs);
    let n = 0;
    for (let o = 0; o < l.outputs; o++)
      for (let q = 0; q < l.inputs; q++) index[n++] = l.weightOffset + feature(q) * l.outputs + o;
    indexes.push(index, range(l.biasOffset, l.outputs));
  });
  return parameterShapes(layout.spec).map((p, i) => ({ ...p, index: indexes[i] }));
}

function range(from: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => from + i);
}

/** The flat parameters as PyTorch's state_dict holds them: names, shapes, orders. */
export function toNamed(layout: NetLayout, flat: Float32Array): NamedTensor[] {
  return namedIndex(layout).map(({ name, shape, index }) => ({
    name,
    shape,
    data: Float32Array.from(index, (i) => flat[i]),
  }));
}

/**
 * The flat parameters from PyTorch-named tensors. Throws, naming the tensor, when one is missing,
 * unexpected or of the wrong shape; returns a new vector (nothing is changed on failure).
 */
export function fromNamed(layout: NetLayout, named: readonly NamedTensor[]): Float32Array {
  const byName = new Map(named.map((t) => [t.name, t]));
  const expected = namedIndex(layout);
  const flat = new Float32Array(layout.paramCount);
  for (const { name, shape, index } of expected) {
    const t = byName.get(name);
    if (!t) throw new Error(`missing tensor ${name} [${shape.join(', ')}]`);
    if (t.shape.join() !== shape.join() || t.data.length !== index.length)
      throw new Error(`${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    for (let i = 0; i < index.length; i++) flat[index[i]] = t.data[i];
    byName.delete(name);
  }
  const extra = [...byName.keys()];
  if (extra.length) throw new Error(`unexpected tensor${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`);
  return flat;
}
