/**
 * The training step as hand-written WebGL programs, on tfjs's WebGL 2 backend.
 *
 * Why: the core-ops step (step.ts) is ~85 kernels (gathers, slices of the flat vector, packs and
 * unpacks, log-softmax pieces, a concat of the gradients, ~10 optimizer ops), a stock layers model
 * more. Measured in headless Chromium on SwiftShader (software WebGL): a draw costs ~0.05 ms even
 * when it does nothing, a shader loop ~2-3 ns per iteration and texel fetch, and a scalar
 * (one float per texel) product ~4x more than tfjs's packed one. So every program here works on
 * packed textures, tfjs's layout: a 2D [R, C] tensor holds the 2x2 block (r, c) (r, c+1)
 * (r+1, c) (r+1, c+1) in one texel; a 1D one holds elements (i, i+1). Each fragment computes a
 * whole texel, and since every tensor is packed, tfjs converts nothing between programs.
 *
 * A step of the tutorial net is 17 draws: the batch's images and one-hot labels gathered from the
 * resident set through the epoch's shuffle (2); each layer's matMul + bias (+ ReLU), the weights
 * read straight from the flat parameter vector at their offsets, no slices (4); the loss, written
 * into a device buffer (1); the output error (softmax - one-hot) / B (1); each hidden error,
 * back-propagated and ReLU-masked (3); x^T d1, the one big weight gradient, as tfjs's packed
 * matMul (1); the whole flat gradient (1); one program per optimizer vector (Adam: m, v, then
 * the weights; 3).
 *
 * Layers of even width only (pairs of weights then never straddle a texel); supports() says
 * whether a layout qualifies, the engine falls back to the core-ops step otherwise. Formulas are
 * those of mlp.ts and optimizers.ts; an e2e test holds losses and weights to the stock model's.
 */
import * as tf from '@tensorflow/tfjs';
import { webgl_util, type GPGPUProgram, type MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { OptimizerName } from '../protocol/messages';
import type { DeviceSplit } from './dataset';
import type { MlpLayout } from './mlp';
import { ADAM, MOMENTUM, RMSPROP, type FlatOptimizer } from './optimizers';

/** Losses are written into a device buffer this long (even), doubled whenever a chunk fills it. */
export const LOSS_BUFFER = 256;

/** Whether these programs can train `layout` on the current backend (WebGL 2, even widths). */
export function supportsWebglStep(layout: MlpLayout): boolean {
  return (
    tf.getBackend() === 'webgl' &&
    tf.env().getNumber('WEBGL_VERSION') === 2 &&
    layout.sizes.every((n) => n % 2 === 0)
  );
}

/** [rows, columns] of an input's texture as tfjs lays it out (before halving, when packed). */
type TexShape = [number, number];

/** A GLSL float literal. */
function glf(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : x.toExponential();
}

/** ReLU that keeps NaN (max(x, 0) may not), so a diverging run shows in the loss. */
const RELU = `
  float relu(float x) { return isnan(x) || x > 0.0 ? x : 0.0; }
  vec4 relu(vec4 v) { return vec4(relu(v.x), relu(v.y), relu(v.z), relu(v.w)); }`;

/**
 * GLSL for a texture of [rows, cols] texels: ${name}Fetch(p), the texel at p, read with texture()
 * at its centre (on SwiftShader it measured twice as fast as texelFetch); ${name}Texel(t), where
 * texel t of the row-major order sits.
 */
function texels(name: string, [rows, cols]: TexShape): string {
  return `
    const vec2 ${name}Inv = vec2(${1 / cols}, ${1 / rows});
    vec4 ${name}Fetch(ivec2 p) { return texture(${name}, (vec2(p) + 0.5) * ${name}Inv); }
    ivec2 ${name}Texel(int t) { int row = t / ${cols}; return ivec2(t - row * ${cols}, row); }`;
}

/**
 * GLSL for a packed 1D input: as texels(), and ${name}Pair(i) for i even:
 * vec2(v[i], v[i + 1]).
 */
function packedVector(name: string, tex: TexShape): string {
  return `
    ${texels(name, packedTexels(tex))}
    vec2 ${name}Pair(int i) { return ${name}Fetch(${name}Texel(i >> 1)).xy; }`;
}

/**
 * GLSL for a packed 2D input of `cols` columns: ${name}Block(r, c) for r, c even, the texel
 * (r, c) (r, c+1) (r+1, c) (r+1, c+1); ${name}Grid(tc, tr), the same block as
 * ${name}Block(2 tr, 2 tc); ${name}At(r, c), one value.
 */
function packedMatrix(name: string, cols: number, tex: TexShape): string {
  const texelsPerRow = Math.ceil(cols / 2);
  const size = packedTexels(tex);
  const fetch =
    size[1] === texelsPerRow
      ? `${name}Fetch(ivec2(c >> 1, r >> 1))`
      : `${name}Fetch(${name}Texel((r >> 1) * ${texelsPerRow} + (c >> 1)))`;
  // Hot loops walk the grid of blocks with float coordinates: no int to float per fetch.
  const grid =
    size[1] === texelsPerRow
      ? `texture(${name}, (vec2(tc, tr) + 0.5) * ${name}Inv)`
      : `${name}Block(int(tr) * 2, int(tc) * 2)`;
  return `
    ${texels(name, size)}
    vec4 ${name}Block(int r, int c) { return ${fetch}; }
    vec4 ${name}Grid(float tc, float tr) { return ${grid}; }
    float ${name}At(int r, int c) { return ${name}Block(r & ~1, c & ~1)[((r & 1) << 1) + (c & 1)]; }`;
}

/** GLSL for an unpacked 1D or 2D input read by flat index: ${name}Flat(i). */
function flatAccess(name: string, tex: TexShape): string {
  return `
    ${texels(name, tex)}
    float ${name}Flat(int i) { return ${name}Fetch(${name}Texel(i)).r; }`;
}

/** The [rows, cols] of texels of a packed texture: tfjs halves its texShape. */
function packedTexels([rows, cols]: TexShape): TexShape {
  return [Math.ceil(rows / 2), Math.ceil(cols / 2)];
}

/**
 * [B, width] packed: rows order[start + b] of `source` ([count, width], unpacked), so the batch is
 * taken from the resident set with no upload. Used for the images and the one-hot labels.
 */
function gatherProgram(batch: number, width: number, [source, order]: TexShape[]): GPGPUProgram {
  return {
    variableNames: ['source', 'order'],
    outputShape: [batch, width],
    packedOutput: true,
    customUniforms: [{ name: 'start', type: 'int' }],
    userCode: `
      ${flatAccess('source', source)}
      ${flatAccess('order', order)}
      vec2 rowPair(int b, int c) {
        if (b >= ${batch}) return vec2(0.0);
        int base = int(round(orderFlat(start + b))) * ${width} + c;
        return vec2(sourceFlat(base), sourceFlat(base + 1));
      }
      void main() {
        ivec2 rc = getOutputCoords();
        setOutput(vec4(rowPair(rc.x, rc.y), rowPair(rc.x + 1, rc.y)));
      }`,
  };
}

/** Zeroes the second row of a block past the last batch row (padding must stay 0). */
function rowEdge(batch: number): string {
  return batch % 2 === 0 ? '' : `if (rc.x + 1 >= ${batch}) o.zw = vec2(0.0);`;
}

/** Where each layer's kernel sits in the stacked weights texture: rows from `rowOffsets[i]`. */
function weightRows(layout: MlpLayout): { rowOffsets: number[]; rows: number; cols: number } {
  const rowOffsets: number[] = [];
  let rows = 0;
  for (const l of layout.layers) {
    rowOffsets.push(rows);
    rows += l.inputs;
  }
  return { rowOffsets, rows, cols: Math.max(...layout.layers.map((l) => l.outputs)) };
}

/**
 * [sum of inputs, widest outputs] packed: every layer's kernel as a 2D matrix, stacked, copied
 * from the flat parameters once a step. The products then read a 2x2 block of weights per fetch,
 * as tfjs's matMul does, instead of two pairs from the flat vector.
 */
function weightsProgram(layout: MlpLayout, [params]: TexShape[]): GPGPUProgram {
  const { rowOffsets, rows, cols } = weightRows(layout);
  const branches = layout.layers.map((l, i) => {
    const top = rowOffsets[i];
    return `if (rc.x < ${top + l.inputs}) {
          if (rc.y < ${l.outputs}) {
            int f = ${l.weightOffset} + (rc.x - ${top}) * ${l.outputs} + rc.y;
            o = vec4(paramsPair(f), paramsPair(f + ${l.outputs}));
          }
        }`;
  });
  return {
    variableNames: ['params'],
    outputShape: [rows, cols],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${packedVector('params', params)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec4 o = vec4(0.0);
        ${branches.join(' else ')}
        setOutput(o);
      }`,
  };
}

/** [B, outputs] packed: relu?(x W + b) for layer i; W from the stacked weights, b from params. */
function denseProgram(
  layout: MlpLayout,
  i: number,
  batch: number,
  [x, weights, params]: TexShape[],
): GPGPUProgram {
  const l = layout.layers[i];
  const last = i === layout.layers.length - 1;
  const { rowOffsets, cols } = weightRows(layout);
  return {
    variableNames: ['x', 'weights', 'params'],
    outputShape: [batch, l.outputs],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${RELU}
      ${packedMatrix('x', l.inputs, x)}
      ${packedMatrix('weights', cols, weights)}
      ${packedVector('params', params)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec2 bias = paramsPair(${l.biasOffset} + rc.y);
        vec4 o = vec4(bias, bias);
        float xRow = float(rc.x >> 1);
        float wCol = float(rc.y >> 1);
        for (int t = 0; t < ${l.inputs / 2}; t++) {
          float ft = float(t);
          vec4 xs = xGrid(ft, xRow);
          vec4 ws = weightsGrid(wCol, ft + ${rowOffsets[i] / 2}.0);
          o.xy += xs.x * ws.xy + xs.y * ws.zw;
          o.zw += xs.z * ws.xy + xs.w * ws.zw;
        }
        ${last ? '' : 'o = relu(o);'}
        ${rowEdge(batch)}
        setOutput(o);
      }`,
  };
}

/** Per row of logits: its max and the sum of exp(logit - max), so log softmax = logit - max - log(sum). */
function softmaxStats(classes: number): string {
  return `
    vec2 softmaxStats(int b) {
      float m = logitsAt(b, 0);
      for (int c = 1; c < ${classes}; c++) m = max(m, logitsAt(b, c));
      float s = 0.0;
      for (int c = 0; c < ${classes}; c++) s += exp(logitsAt(b, c) - m);
      return vec2(m, s);
    }`;
}

/**
 * [capacity] packed: the loss buffer `prev` ([prevLength]) with the batch's mean cross-entropy
 * written at `position`.
 */
function lossProgram(
  classes: number,
  batch: number,
  prevLength: number,
  capacity: number,
  [prev, logits, labels]: TexShape[],
): GPGPUProgram {
  return {
    variableNames: ['prev', 'logits', 'labels'],
    outputShape: [capacity],
    packedInputs: true,
    packedOutput: true,
    customUniforms: [{ name: 'position', type: 'int' }],
    userCode: `
      ${packedVector('prev', prev)}
      ${packedMatrix('logits', classes, logits)}
      ${packedMatrix('labels', classes, labels)}
      ${softmaxStats(classes)}
      float batchLoss() {
        float total = 0.0;
        for (int b = 0; b < ${batch}; b++) {
          vec2 ms = softmaxStats(b);
          for (int c = 0; c < ${classes}; c++)
            total += labelsAt(b, c) * (logitsAt(b, c) - ms.x - log(ms.y));
        }
        return -total * ${glf(1 / batch)};
      }
      void main() {
        int i = getOutputCoords();
        vec2 o = i < ${prevLength} ? prevPair(i) : vec2(0.0);
        if (position == i) o.x = batchLoss();
        if (position == i + 1) o.y = batchLoss();
        setOutput(vec4(o, 0.0, 0.0));
      }`,
  };
}

/** [B, classes] packed: d(mean loss)/d(logits) = (softmax - one-hot) / B. */
function outputErrorProgram(classes: number, batch: number, [logits, labels]: TexShape[]): GPGPUProgram {
  return {
    variableNames: ['logits', 'labels'],
    outputShape: [batch, classes],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${packedMatrix('logits', classes, logits)}
      ${packedMatrix('labels', classes, labels)}
      ${softmaxStats(classes)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec2 s0 = softmaxStats(rc.x);
        vec2 s1 = softmaxStats(min(rc.x + 1, ${batch - 1}));
        vec4 z = logitsBlock(rc.x, rc.y);
        vec4 p = exp(z - vec4(s0.xx, s1.xx)) / vec4(s0.yy, s1.yy);
        vec4 o = (p - labelsBlock(rc.x, rc.y)) * ${glf(1 / batch)};
        ${rowEdge(batch)}
        setOutput(o);
      }`,
  };
}

/**
 * [B, outputs of layer i] packed: the error of hidden layer i, back through layer i + 1's kernel
 * (delta W^T), masked where the ReLU was off.
 */
function hiddenErrorProgram(
  layout: MlpLayout,
  i: number,
  batch: number,
  [h, delta, weights]: TexShape[],
): GPGPUProgram {
  const next = layout.layers[i + 1];
  const { rowOffsets, cols } = weightRows(layout);
  return {
    variableNames: ['h', 'delta', 'weights'],
    outputShape: [batch, next.inputs],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${packedMatrix('h', next.inputs, h)}
      ${packedMatrix('delta', next.outputs, delta)}
      ${packedMatrix('weights', cols, weights)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec4 o = vec4(0.0);
        float dRow = float(rc.x >> 1);
        float wRow = float((${rowOffsets[i + 1]} + rc.y) >> 1);
        for (int t = 0; t < ${next.outputs / 2}; t++) {
          float ft = float(t);
          vec4 d = deltaGrid(ft, dRow);
          // Kernel rows rc.y, rc.y + 1 of layer i + 1, columns 2t, 2t + 1.
          vec4 w = weightsGrid(ft, wRow);
          o += vec4(dot(d.xy, w.xy), dot(d.xy, w.zw), dot(d.zw, w.xy), dot(d.zw, w.zw));
        }
        setOutput(o * vec4(greaterThan(hBlock(rc.x, rc.y), vec4(0.0))));
      }`,
  };
}

/**
 * [sum of inputs, widest outputs] packed, the stacked weights' layout: each layer's kernel
 * gradient a^T d (a its input, x or a hidden activation; d its error), summed over the batch,
 * one 2x2 block per fragment as tfjs's matMul computes it. Inputs: x, h1..h(L-1), d1..dL.
 */
function kernelGradientProgram(layout: MlpLayout, batch: number, tex: TexShape[]): GPGPUProgram {
  const L = layout.layers.length;
  const { rowOffsets, rows, cols } = weightRows(layout);
  const inputs = ['x', ...layout.sizes.slice(1, L).map((_, i) => `h${i + 1}`)];
  const deltas = layout.sizes.slice(1).map((_, i) => `d${i + 1}`);
  const access = [
    ...inputs.map((n, i) => packedMatrix(n, layout.sizes[i], tex[i])),
    ...deltas.map((n, i) => packedMatrix(n, layout.sizes[i + 1], tex[L + i])),
  ];
  const branches = layout.layers.map(
    (l, i) => `if (rc.x < ${rowOffsets[i] + l.inputs}) {
          if (rc.y < ${l.outputs}) {
            float aCol = float((rc.x - ${rowOffsets[i]}) >> 1);
            for (int t = 0; t < ${Math.ceil(batch / 2)}; t++) {
              vec4 a = ${inputs[i]}Grid(aCol, float(t));
              vec4 d = ${deltas[i]}Grid(dCol, float(t));
              o += a.xxyy * d.xyxy + a.zzww * d.zwzw;
            }
          }
        }`,
  );
  return {
    variableNames: [...inputs, ...deltas],
    outputShape: [rows, cols],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${access.join('\n')}
      void main() {
        ivec2 rc = getOutputCoords();
        float dCol = float(rc.y >> 1);
        vec4 o = vec4(0.0);
        ${branches.join(' else ')}
        setOutput(o);
      }`,
  };
}

/**
 * [paramCount] packed: the gradient of the flat vector, two entries per fragment: kernel entries
 * copied from the stacked kernel gradients, bias entries the sums over the batch of each
 * layer's error. Inputs: the kernel gradients, d1..dL.
 */
function gradientProgram(layout: MlpLayout, batch: number, tex: TexShape[]): GPGPUProgram {
  const { rowOffsets, cols } = weightRows(layout);
  const deltas = layout.sizes.slice(1).map((_, i) => `d${i + 1}`);
  const access = [
    packedMatrix('kernels', cols, tex[0]),
    ...deltas.map((n, i) => packedMatrix(n, layout.sizes[i + 1], tex[i + 1])),
  ];
  const branches = layout.layers.map(
    (l, i) => `if (i < ${l.biasOffset}) {
          int k = (i - ${l.weightOffset}) / ${l.outputs};
          int j = i - ${l.weightOffset} - k * ${l.outputs};
          vec4 g = kernelsBlock(${rowOffsets[i]} + (k & ~1), j);
          o = (k & 1) == 0 ? g.xy : g.zw;
        } else if (i < ${l.biasOffset + l.outputs}) {
          int j = i - ${l.biasOffset};
          for (int b = 0; b < ${batch}; b += 2) {
            vec4 ds = ${deltas[i]}Block(b, j);
            o += ds.xy + ds.zw;
          }
        }`,
  );
  return {
    variableNames: ['kernels', ...deltas],
    outputShape: [layout.paramCount],
    packedInputs: true,
    packedOutput: true,
    userCode: `
      ${access.join('\n')}
      void main() {
        int i = getOutputCoords();
        vec2 o = vec2(0.0);
        ${branches.join(' else ')}
        setOutput(vec4(o, 0.0, 0.0));
      }`,
  };
}

/**
 * One optimizer as element-wise programs over the packed vectors: a new value for each state
 * vector (reading its old value as s and the gradient as g), then the new parameters (reading p,
 * g and the new state vectors s0, s1). PyTorch's formulas, as optimizers.ts writes them.
 */
interface UpdateRule {
  slots: string[];
  param: string;
  /** Values of the param program's uniforms a and b at this step. */
  uniforms(lr: number, steps: number): [number, number];
}

function updateRule(name: OptimizerName): UpdateRule {
  switch (name) {
    case 'sgd':
      return { slots: [], param: 'p - a * g', uniforms: (lr) => [lr, 0] };
    case 'momentum':
      return { slots: [`${glf(MOMENTUM)} * s + g`], param: 'p - a * s0', uniforms: (lr) => [lr, 0] };
    case 'rmsprop':
      return {
        slots: [`${glf(RMSPROP.alpha)} * s + ${glf(1 - RMSPROP.alpha)} * g * g`],
        param: `p - a * g / (sqrt(s0) + ${glf(RMSPROP.epsilon)})`,
        uniforms: (lr) => [lr, 0],
      };
    case 'adam': {
      const { beta1, beta2, epsilon } = ADAM;
      return {
        slots: [`${glf(beta1)} * s + ${glf(1 - beta1)} * g`, `${glf(beta2)} * s + ${glf(1 - beta2)} * g * g`],
        // As optimizers.ts: step size lr * sqrt(bc2) / bc1 and epsilon * sqrt(bc2) as uniforms.
        param: 'p - a * s0 / (sqrt(s1) + b)',
        uniforms: (lr, steps) => {
          const bc1 = 1 - beta1 ** steps;
          const bc2 = 1 - beta2 ** steps;
          return [(lr * Math.sqrt(bc2)) / bc1, epsilon * Math.sqrt(bc2)];
        },
      };
    }
    default: {
      const _exhaustive: never = name;
      throw new Error(`unknown optimizer ${String(_exhaustive)}`);
    }
  }
}

/** Element-wise over same-shape packed vectors: every input's texel is the output's own (resultUV). */
function elementwiseProgram(
  inputs: string[],
  expression: string,
  size: number,
  uniforms: string[] = [],
): GPGPUProgram {
  return {
    // The samplers are named <input>Tex so the GLSL can call the values themselves p, g, s...
    variableNames: inputs.map((n) => `${n}Tex`),
    outputShape: [size],
    packedInputs: true,
    packedOutput: true,
    customUniforms: uniforms.map((name) => ({ name, type: 'float' as const })),
    userCode: `
      void main() {
        ${inputs.map((n) => `vec4 ${n} = texture(${n}Tex, resultUV);`).join('\n')}
        setOutput(${expression});
      }`,
  };
}

/**
 * A training step on WebGL for one model layout and optimizer (check supportsWebglStep first).
 * Programs are built once per batch size; tfjs compiles each shader once and caches it.
 */
export class WebglStep {
  private readonly programs = new Map<string, GPGPUProgram>();
  private readonly layout: MlpLayout;
  private readonly rule: UpdateRule;

  constructor(layout: MlpLayout, optimizer: OptimizerName) {
    this.layout = layout;
    this.rule = updateRule(optimizer);
  }

  /**
   * One optimizer step on the batch order[start, start + size) of `split`, updating `params` and
   * the optimizer's slots in place. Writes the batch's mean loss at `position` of `losses` and
   * returns the new loss buffer (a new tensor the caller owns; it disposes the old one): as long
   * as `losses`, or twice as long when position is past its end.
   */
  step(
    params: tf.Variable<tf.Rank.R1>,
    optimizer: FlatOptimizer,
    split: DeviceSplit,
    order: tf.Tensor1D,
    start: number,
    size: number,
    learningRate: number,
    losses: tf.Tensor1D,
    position: number,
  ): tf.Tensor1D {
    const { layout, rule } = this;
    const backend = tf.backend() as MathBackendWebGL;
    const run = (
      name: string,
      make: (tex: TexShape[]) => GPGPUProgram,
      inputs: tf.Tensor[],
      uniforms?: number[][],
      packedInputs = true,
    ): tf.Tensor => {
      const key = `${name}/${size}/${inputs.map((t) => t.shape.join('x')).join(',')}`;
      let program = this.programs.get(key);
      if (!program) {
        program = make(inputs.map((t) => texShape(backend, t, packedInputs)));
        this.programs.set(key, program);
      }
      const out = backend.compileAndRun(program, inputs, 'float32', uniforms);
      return tf.engine().makeTensorFromTensorInfo(out);
    };
    const L = layout.layers.length;
    const classes = layout.sizes[L];
    const P = layout.paramCount;
    return tf.tidy(() => {
      const at = [[start]];
      // The resident set and the order are unpacked (uploaded), so these two read them unpacked.
      const x = run(
        'gatherX',
        (t) => gatherProgram(size, layout.sizes[0], t),
        [split.images, order],
        at,
        false,
      );
      const y = run('gatherY', (t) => gatherProgram(size, classes, t), [split.oneHot, order], at, false);
      // Forward: acts[i] is the output of layer i ([size, outputs]); the last are the logits.
      const acts: tf.Tensor[] = [];
      const weights = run('weights', (t) => weightsProgram(layout, t), [params]);
      for (let i = 0; i < L; i++)
        acts.push(
          run(`dense${i}`, (t) => denseProgram(layout, i, size, t), [acts[i - 1] ?? x, weights, params]),
        );
      const logits = acts[L - 1];
      const capacity = position < losses.shape[0] ? losses.shape[0] : losses.shape[0] * 2;
      const newLosses = run(
        `loss${capacity}`,
        (t) => lossProgram(classes, size, losses.shape[0], capacity, t),
        [losses, logits, y],
        [[position]],
      ) as tf.Tensor1D;
      // Backward: deltas[i] is d(loss)/d(pre-activation of layer i).
      const deltas: tf.Tensor[] = new Array(L);
      deltas[L - 1] = run('error', (t) => outputErrorProgram(classes, size, t), [logits, y]);
      for (let i = L - 2; i >= 0; i--)
        deltas[i] = run(`hidden${i}`, (t) => hiddenErrorProgram(layout, i, size, t), [
          acts[i],
          deltas[i + 1],
          weights,
        ]);
      const kernels = run('kernelGradient', (t) => kernelGradientProgram(layout, size, t), [
        x,
        ...acts.slice(0, L - 1),
        ...deltas,
      ]);
      const gradient = run('gradient', (t) => gradientProgram(layout, size, t), [kernels, ...deltas]);
      // Update: each state vector, then the parameters from the new state.
      optimizer.steps++;
      const next = optimizer.slots.map((slot, i) =>
        run(`slot${i}`, () => elementwiseProgram(['s', 'g'], rule.slots[i], P), [slot, gradient]),
      );
      const slotNames = next.map((_, i) => `s${i}`);
      const newParams = run(
        'params',
        () => elementwiseProgram(['p', 'g', ...slotNames], rule.param, P, ['a', 'b']),
        [params, gradient, ...next],
        rule.uniforms(learningRate, optimizer.steps).map((v) => [v]),
      );
      optimizer.slots.forEach((slot, i) => slot.assign(next[i] as tf.Tensor1D));
      params.assign(newParams as tf.Tensor1D);
      return newLosses;
    });
  }
}

/** The texture shape `t` has when a program reads it packed (or unpacked): tfjs converts if needed. */
function texShape(backend: MathBackendWebGL, t: tf.Tensor, packed: boolean): TexShape {
  backend.uploadToGPU(t.dataId);
  const data = backend.texData.get(t.dataId);
  return !!data.isPacked === packed
    ? data.texShape!
    : webgl_util.getTextureShapeFromLogicalShape(t.shape, packed);
}
