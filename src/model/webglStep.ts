/**
 * The training step as hand-written WebGL programs, with tfjs's packed matMul for the two big
 * products, on tfjs's WebGL 2 backend.
 *
 * Why: the core-ops step (step.ts) is ~85 kernels (gathers, slices of the flat vector, pack and
 * unpack, log-softmax pieces, a concat of the gradients, ~10 optimizer ops), and a stock layers
 * model more. Measured in headless Chromium on SwiftShader (software WebGL), a draw costs
 * ~0.05 ms even when it does nothing, and a shader loop ~2-3 ns per iteration and fetch; a
 * packed (vec4) tfjs matMul does the 784-wide products ~4x faster than a scalar loop. So:
 *   - tfjs's packed matMul for x W1 (fused bias + ReLU) and x^T d1, the two products over 784;
 *   - one program each for everything else, reading the weights straight from the flat variable
 *     at their offsets (no slices), texel by texel: the batch gather from the resident training
 *     set through the epoch's shuffle; layers 2..L; the output error (softmax - one-hot) / B; the
 *     loss, written into a device buffer; each hidden error, back-propagated and ReLU-masked;
 *     the whole flat gradient; one program per optimizer vector (Adam: m, v, then the weights).
 * The tutorial net takes 25 draws a step (counted). Formulas are those of mlp.ts and
 * optimizers.ts; an e2e test holds losses and weights to the stock layers model's.
 */
import * as tf from '@tensorflow/tfjs';
import { webgl_util, type GPGPUProgram, type MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { OptimizerName } from '../protocol/messages';
import type { DeviceSplit } from './dataset';
import type { MlpLayout } from './mlp';
import { ADAM, MOMENTUM, RMSPROP, type FlatOptimizer } from './optimizers';

/** Losses are written into a device buffer this long, doubled whenever a chunk fills it. */
export const LOSS_BUFFER = 256;

/** Whether the current tfjs backend is WebGL 2 (these programs use texelFetch). */
export function onWebgl(): boolean {
  return tf.getBackend() === 'webgl' && tf.env().getNumber('WEBGL_VERSION') === 2;
}

/** A GLSL float literal. */
function glf(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : x.toExponential();
}

/** Keeps NaN (so a diverging run shows in the loss) where max(x, 0) may not. */
const RELU = 'float relu(float x) { return isnan(x) || x > 0.0 ? x : 0.0; }';

/** [rows, columns] of an input's texture (tfjs chooses it; the programs read texels directly). */
type TexShape = [number, number];

/**
 * GLSL to read input `name` by texel, not through tfjs's samplers: their flat-index-to-uv
 * arithmetic costs more than the fetch on a software renderer, and the inner loops below walk
 * the flat parameter vector with a step instead of a division.
 *   ${name}(ivec2 p): the value at texel p;  ${name}Pos(int i): the texel of flat element i;
 *   ${name}Next(ivec2 p, int by): the texel `by` elements further on.
 */
function texelAccess(name: string, [, cols]: TexShape): string {
  return `
    float ${name}At(ivec2 p) { return texelFetch(${name}, p, 0).r; }
    ivec2 ${name}Pos(int i) { int r = i / ${cols}; return ivec2(i - r * ${cols}, r); }
    ivec2 ${name}Next(ivec2 p, int by) {
      p.x += by;
      if (p.x >= ${cols}) { p.x -= ${cols}; p.y += 1; }
      return p;
    }`;
}

/** GLSL: ${name}(int r, int c) for a [rows, cols] input; a direct fetch when the texture is that shape. */
function matrixAccess(name: string, [, cols]: number[], tex: TexShape): string {
  const direct = tex[1] === cols;
  return `
    ${texelAccess(name, tex)}
    float ${name}RC(int r, int c) {
      return ${direct ? `texelFetch(${name}, ivec2(c, r), 0).r` : `${name}At(${name}Pos(r * ${cols} + c))`};
    }`;
}

/** [B, 784]: the batch's images, rows order[start + b] of the resident training set. */
function gatherProgram(batch: number, pixels: number, [images, order]: TexShape[]): GPGPUProgram {
  return {
    variableNames: ['images', 'order'],
    outputShape: [batch, pixels],
    customUniforms: [{ name: 'start', type: 'int' }],
    userCode: `
      ${texelAccess('images', images)}
      ${texelAccess('order', order)}
      void main() {
        ivec2 rc = getOutputCoords();
        int row = int(round(orderAt(orderPos(start + rc.x))));
        setOutput(imagesAt(imagesPos(row * ${pixels} + rc.y)));
      }`,
  };
}

/** [B, outputs]: relu?(x W + b) for layer i, W and b read from the flat parameters. */
function denseProgram(layout: MlpLayout, i: number, batch: number, [x, params]: TexShape[]): GPGPUProgram {
  const l = layout.layers[i];
  const last = i === layout.layers.length - 1;
  return {
    variableNames: ['x', 'params'],
    outputShape: [batch, l.outputs],
    userCode: `
      ${RELU}
      ${matrixAccess('x', [batch, l.inputs], x)}
      ${texelAccess('params', params)}
      void main() {
        ivec2 rc = getOutputCoords();
        int b = rc.x;
        int j = rc.y;
        float sum = paramsAt(paramsPos(${l.biasOffset} + j));
        ivec2 w = paramsPos(${l.weightOffset} + j);
        for (int k = 0; k < ${l.inputs}; k++) {
          sum += xRC(b, k) * paramsAt(w);
          w = paramsNext(w, ${l.outputs});
        }
        setOutput(${last ? 'sum' : 'relu(sum)'});
      }`,
  };
}

/** The row of batch row b in the resident set (the epoch's order is float-encoded on WebGL). */
const ROW = 'int rowOf(int b) { return int(round(orderAt(orderPos(start + b)))); }';

/**
 * The softmax of one row of logits as its max and the sum of exp(logit - max), which give
 * log softmax = logit - max - log(sum) without overflow.
 */
function softmaxHelpers(classes: number): string {
  return `
    vec2 softmaxStats(int b) {
      float m = logitsRC(b, 0);
      for (int c = 1; c < ${classes}; c++) m = max(m, logitsRC(b, c));
      float s = 0.0;
      for (int c = 0; c < ${classes}; c++) s += exp(logitsRC(b, c) - m);
      return vec2(m, s);
    }`;
}

/** [B, classes]: d(mean loss)/d(logits) = (softmax - one-hot) / B. */
function outputErrorProgram(
  classes: number,
  batch: number,
  [logits, oneHot, order]: TexShape[],
): GPGPUProgram {
  return {
    variableNames: ['logits', 'oneHot', 'order'],
    outputShape: [batch, classes],
    customUniforms: [{ name: 'start', type: 'int' }],
    userCode: `
      ${matrixAccess('logits', [batch, classes], logits)}
      ${matrixAccess('oneHot', [0, classes], oneHot)}
      ${texelAccess('order', order)}
      ${ROW}
      ${softmaxHelpers(classes)}
      void main() {
        ivec2 rc = getOutputCoords();
        vec2 ms = softmaxStats(rc.x);
        float p = exp(logitsRC(rc.x, rc.y) - ms.x) / ms.y;
        setOutput((p - oneHotRC(rowOf(rc.x), rc.y)) * ${glf(1 / batch)});
      }`,
  };
}

/**
 * [capacity]: the loss buffer `prev` ([prevLength]) with the batch's mean cross-entropy
 * written at `position`.
 */
function lossProgram(
  classes: number,
  batch: number,
  prevLength: number,
  capacity: number,
  [, logits, oneHot, order]: TexShape[],
): GPGPUProgram {
  return {
    variableNames: ['prev', 'logits', 'oneHot', 'order'],
    outputShape: [capacity],
    customUniforms: [
      { name: 'start', type: 'int' },
      { name: 'position', type: 'int' },
    ],
    userCode: `
      ${matrixAccess('logits', [batch, classes], logits)}
      ${matrixAccess('oneHot', [0, classes], oneHot)}
      ${texelAccess('order', order)}
      ${ROW}
      ${softmaxHelpers(classes)}
      void main() {
        int i = getOutputCoords();
        if (i != position) {
          setOutput(i < ${prevLength} ? getPrev(i) : 0.0);
          return;
        }
        float total = 0.0;
        for (int b = 0; b < ${batch}; b++) {
          vec2 ms = softmaxStats(b);
          int row = rowOf(b);
          for (int c = 0; c < ${classes}; c++)
            total += oneHotRC(row, c) * (logitsRC(b, c) - ms.x - log(ms.y));
        }
        setOutput(-total * ${glf(1 / batch)});
      }`,
  };
}

/** [B, outputs of layer i]: the error of hidden layer i, back through layer i + 1, ReLU-masked. */
function hiddenErrorProgram(
  layout: MlpLayout,
  i: number,
  batch: number,
  [h, delta, params]: TexShape[],
): GPGPUProgram {
  const next = layout.layers[i + 1];
  return {
    variableNames: ['h', 'delta', 'params'],
    outputShape: [batch, next.inputs],
    userCode: `
      ${matrixAccess('h', [batch, next.inputs], h)}
      ${matrixAccess('delta', [batch, next.outputs], delta)}
      ${texelAccess('params', params)}
      void main() {
        ivec2 rc = getOutputCoords();
        float sum = 0.0;
        if (hRC(rc.x, rc.y) > 0.0) {
          ivec2 w = paramsPos(${next.weightOffset} + rc.y * ${next.outputs});
          for (int j = 0; j < ${next.outputs}; j++) {
            sum += deltaRC(rc.x, j) * paramsAt(w);
            w = paramsNext(w, 1);
          }
        }
        setOutput(sum);
      }`,
  };
}

/**
 * [paramCount]: the gradient of the flat vector. Inputs: gw0 (layer 0's kernel gradient,
 * [784, h1], a packed tfjs matMul: the one big product), h1..h(L-1) (hidden activations) and
 * d1..dL (each layer's error). Kernel entry (k, j) of layer i > 0 is the sum over the batch of
 * h_i[b, k] * d_(i+1)[b, j]; bias j of a layer the sum of its d[b, j].
 */
function gradientProgram(layout: MlpLayout, batch: number, tex: TexShape[]): GPGPUProgram {
  const L = layout.layers.length;
  const l0 = layout.layers[0];
  const hidden = layout.sizes.slice(1, L).map((width, i) => ({ name: `h${i + 1}`, width }));
  const deltas = layout.sizes.slice(1).map((width, i) => ({ name: `d${i + 1}`, width }));
  const access = [
    matrixAccess('gw0', [l0.inputs, l0.outputs], tex[0]),
    ...[...hidden, ...deltas].map((m, i) => matrixAccess(m.name, [batch, m.width], tex[i + 1])),
  ];
  const branches = layout.layers.map((l, i) => {
    const kernel =
      i === 0
        ? `int k = i / ${l.outputs};
          g = gw0RC(k, i - k * ${l.outputs});`
        : `int r = i - ${l.weightOffset};
          int k = r / ${l.outputs};
          int j = r - k * ${l.outputs};
          for (int b = 0; b < ${batch}; b++) g += h${i}RC(b, k) * d${i + 1}RC(b, j);`;
    return `
        if (i < ${l.biasOffset}) {
          ${kernel}
        } else if (i < ${l.biasOffset + l.outputs}) {
          int j = i - ${l.biasOffset};
          for (int b = 0; b < ${batch}; b++) g += d${i + 1}RC(b, j);
        }`;
  });
  return {
    variableNames: ['gw0', ...hidden.map((m) => m.name), ...deltas.map((m) => m.name)],
    outputShape: [layout.paramCount],
    userCode: `
      ${access.join('\n')}
      void main() {
        int i = getOutputCoords();
        float g = 0.0;
        ${branches.join(' else ')}
        setOutput(g);
      }`,
  };
}

/**
 * One optimizer as element-wise programs: a new value for each state vector (reading its old
 * value as s and the gradient as g), then the new parameters (reading p, g and the new state
 * vectors s0, s1). PyTorch's formulas, as optimizers.ts writes them with tfjs ops.
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

function slotProgram(expression: string, size: number): GPGPUProgram {
  return {
    variableNames: ['slot', 'grad'],
    outputShape: [size],
    userCode: `
      void main() {
        float s = getSlotAtOutCoords();
        float g = getGradAtOutCoords();
        setOutput(${expression});
      }`,
  };
}

function paramProgram(expression: string, slots: number, size: number): GPGPUProgram {
  const names = Array.from({ length: slots }, (_, i) => `slot${i}`);
  return {
    variableNames: ['param', 'grad', ...names],
    outputShape: [size],
    customUniforms: [
      { name: 'a', type: 'float' },
      { name: 'b', type: 'float' },
    ],
    userCode: `
      void main() {
        float p = getParamAtOutCoords();
        float g = getGradAtOutCoords();
        ${names.map((_, i) => `float s${i} = getSlot${i}AtOutCoords();`).join('\n')}
        setOutput(${expression});
      }`,
  };
}

/**
 * A training step on WebGL for one model layout and optimizer. Programs are built once per batch
 * size (tfjs compiles each shader once and caches it).
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
    const texShape = (t: tf.Tensor): TexShape => {
      backend.uploadToGPU(t.dataId);
      const data = backend.texData.get(t.dataId);
      // A packed input is unpacked by tfjs into a texture of the default shape.
      return data.isPacked ? webgl_util.getTextureShapeFromLogicalShape(t.shape) : data.texShape!;
    };
    const run = (
      name: string,
      make: (tex: TexShape[]) => GPGPUProgram,
      inputs: tf.Tensor[],
      uniforms?: number[][],
    ): tf.Tensor => {
      const tex = inputs.map(texShape);
      const key = `${name}/${size}/${inputs.map((t) => t.shape.join('x')).join(',')}/${tex.join(';')}`;
      let program = this.programs.get(key);
      if (!program) {
        program = make(tex);
        this.programs.set(key, program);
      }
      return tf
        .engine()
        .makeTensorFromTensorInfo(backend.compileAndRun(program, inputs, 'float32', uniforms));
    };
    const L = layout.layers.length;
    const classes = layout.sizes[L];
    const P = layout.paramCount;
    return tf.tidy(() => {
      const x = run(
        'gather',
        (t) => gatherProgram(size, layout.sizes[0], t),
        [split.images, order],
        [[start]],
      );
      // Forward: acts[i] is the output of layer i ([size, outputs]); the last are the logits.
      const acts: tf.Tensor[] = [];
      const l0 = layout.layers[0];
      acts.push(
        tf.fused.matMul({
          a: x as tf.Tensor2D,
          b: tf.reshape(tf.slice(params, l0.weightOffset, l0.inputs * l0.outputs), [l0.inputs, l0.outputs]),
          bias: tf.slice(params, l0.biasOffset, l0.outputs),
          activation: 'relu',
        }),
      );
      for (let i = 1; i < L; i++)
        acts.push(run(`dense${i}`, (t) => denseProgram(layout, i, size, t), [acts[i - 1], params]));
      const logits = acts[L - 1];
      const capacity = position < losses.shape[0] ? losses.shape[0] : losses.shape[0] * 2;
      const newLosses = run(
        `loss${capacity}`,
        (t) => lossProgram(classes, size, losses.shape[0], capacity, t),
        [losses, logits, split.oneHot, order],
        [[start], [position]],
      ) as tf.Tensor1D;
      // Backward: deltas[i] is d(loss)/d(pre-activation of layer i).
      const deltas: tf.Tensor[] = new Array(L);
      deltas[L - 1] = run(
        'error',
        (t) => outputErrorProgram(classes, size, t),
        [logits, split.oneHot, order],
        [[start]],
      );
      for (let i = L - 2; i >= 0; i--)
        deltas[i] = run(`hidden${i}`, (t) => hiddenErrorProgram(layout, i, size, t), [
          acts[i],
          deltas[i + 1],
          params,
        ]);
      const gw0 = tf.matMul(x, deltas[0], true, false);
      const gradient = run('gradient', (t) => gradientProgram(layout, size, t), [
        gw0,
        ...acts.slice(0, L - 1),
        ...deltas,
      ]);
      // Update: each state vector, then the parameters from the new state.
      optimizer.steps++;
      const next = optimizer.slots.map((slot, i) =>
        run(`slot${i}`, () => slotProgram(rule.slots[i], P), [slot, gradient]),
      );
      const [a, b] = rule.uniforms(learningRate, optimizer.steps);
      const newParams = run(
        'params',
        () => paramProgram(rule.param, next.length, P),
        [params, gradient, ...next],
        [[a], [b]],
      );
      optimizer.slots.forEach((slot, i) => slot.assign(next[i] as tf.Tensor1D));
      params.assign(newParams as tf.Tensor1D);
      return newLosses;
    });
  }
}
