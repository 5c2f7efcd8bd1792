/**
 * The training step as hand-written WebGL programs (programs.ts, update.ts), on tfjs's WebGL 2
 * backend.
 *
 * Why: a step of tfjs ops (the tfjs engine) is ~85 kernels (gathers, slices of the flat vector, packs and
 * unpacks, log-softmax pieces, a concat of the gradients, ~10 optimizer ops), a stock layers model
 * more. Measured in headless Chromium on SwiftShader (software WebGL): a draw costs ~0.05 ms even
 * when it does nothing, a shader loop ~2-3 ns per iteration, and a product that fetches one float
 * per texel ~4x more than one on packed (four-float) texels. So every program here reads and writes
 * packed textures (glsl.ts), a whole texel per fragment, and tfjs converts nothing between
 * them.
 *
 * A step of the tutorial net is 18 draws:
 *   2  the batch's images and one-hot labels, gathered from the resident set by the epoch's shuffle;
 *   1  every layer's kernel copied from the flat parameters into one stacked 2D texture, so the
 *      products read a 2x2 block of weights per fetch;
 *   4  each layer's matMul + bias (+ ReLU);
 *   2  the loss, written into a device buffer, and the output error (softmax - one-hot) / B;
 *   3  each hidden error, back-propagated and ReLU-masked;
 *   2  every layer's kernel gradient (one program, stacked like the weights), then the flat
 *      gradient with the biases';
 *   3  one program per optimizer vector (Adam: m, v, then the weights).
 *
 * Layers of even width only (a pair of weights then never straddles a texel): supportsWebglStep
 * says whether a layout qualifies; where it does not, or where these programs fail on their first
 * step, the worker trains with the tfjs engine instead. The conformance test (e2e, WebGL) holds
 * losses and weights to the plain reference (../reference/).
 */
import * as tf from '@tensorflow/tfjs';
import { webgl_util, type GPGPUProgram, type MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { OptimizerName } from '../../shared/config';
import type { InjectedFault } from '../engine';
import type { MlpLayout } from '../layout';
import type { DeviceSplit } from '../tfjs/deviceData';
import type { FlatOptimizer } from '../tfjs/optimizer';
import type { TexShape } from './glsl';
import {
  denseProgram,
  gatherProgram,
  gradientProgram,
  hiddenErrorProgram,
  kernelGradientProgram,
  lossProgram,
  outputErrorProgram,
  weightsProgram,
} from './programs';
import { elementwiseProgram, updateRule, type UpdateRule } from './update';

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

/**
 * A training step on WebGL for one model layout and optimizer (check supportsWebglStep first).
 * Programs are built once per batch size; tfjs compiles each shader once and caches it.
 */
export class WebglStep {
  private readonly programs = new Map<string, GPGPUProgram>();
  private readonly layout: MlpLayout;
  private readonly rule: UpdateRule;
  /** A program a test makes compute wrong outputs (test builds only; engine.ts, InjectedFault). */
  private readonly fault: InjectedFault;

  constructor(layout: MlpLayout, optimizer: OptimizerName, fault: InjectedFault = null) {
    this.layout = layout;
    this.rule = updateRule(optimizer);
    this.fault = fault;
  }

  /**
   * One optimizer step on the batch order[start, start + size) of `split`, updating `params`
   * ([paramCount] float32) and the optimizer's slots in place. order: [count] int32, the epoch's
   * shuffle. Writes the batch's mean loss at `position` of `losses` ([capacity] float32) and
   * returns the new loss buffer, a new tensor the caller owns (it disposes the old one): as long
   * as `losses`, or twice as long when `position` is past its end.
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
      { packed = true } = {},
    ): tf.Tensor => {
      // The GLSL is built for its inputs' texture shapes, so they are part of the key.
      const tex = inputs.map((t) => texShape(backend, t, packed));
      const key = `${name}/${size}/${inputs.map((t) => t.shape.join('x')).join(',')}/${tex.join(';')}`;
      let program = this.programs.get(key);
      if (!program) {
        program = make(tex);
        if (__DEV_HOOKS__ && this.fault === name)
          program = {
            ...program,
            userCode: program.userCode.replace(/setOutput\((.*)\);/, 'setOutput(($1) * 1.25);'),
          };
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
      // The resident set and the order are uploaded unpacked, so these two read them that way.
      const unpacked = { packed: false };
      const x = run(
        'gatherX',
        (t) => gatherProgram(size, layout.sizes[0], t),
        [split.images, order],
        at,
        unpacked,
      );
      const y = run('gatherY', (t) => gatherProgram(size, classes, t), [split.oneHot, order], at, unpacked);
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
      const steps = optimizer.steps + 1;
      const next = optimizer.slots.map((slot, i) =>
        run(`slot${i}`, () => elementwiseProgram(['s', 'g'], rule.slots[i], P), [slot, gradient]),
      );
      const slotNames = next.map((_, i) => `s${i}`);
      const newParams = run(
        'params',
        () => elementwiseProgram(['p', 'g', ...slotNames], rule.param, P, ['rate', 'eps']),
        [params, gradient, ...next],
        rule.uniforms(learningRate, steps).map((v) => [v]),
      );
      // Only now, with every program run, do the step count and the state change.
      optimizer.steps = steps;
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
