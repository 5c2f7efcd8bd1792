/**
 * Trust on a GPU nobody here has: before the hand-written programs train, they prove themselves on
 * this device. The WebGL programs have only ever run on SwiftShader; a mobile GPU without float32
 * render targets, with mediump as its best precision, or a driver that miscompiles a loop, could
 * train with wrong numbers and nothing would notice. So, once per model shape and optimizer:
 *
 * 1. Capabilities: tfjs renders to float32 textures here (WEBGL_RENDER_FLOAT32_ENABLED; without
 *    it, float16) and fragment shaders have highp floats of 23 mantissa bits or more.
 * 2. Numbers: the programs train a fixed mini-batch for a few steps from fixed weights, beside the
 *    float64 reference (conformance.ts, the check the engines' tests use); each step's loss, the
 *    weights after and the logits must agree within tolerances far above what SwiftShader shows
 *    and far below what one wrong program gives (e2e/webgl-trust.spec.ts prints both;
 *    docs/performance.md has figures).
 *
 * Any failure says why in a sentence; the worker then marks the engine failed, so the model trains
 * with TensorFlow.js's ops instead and the status line says why. The data is synthetic (sparse
 * random strokes): the check runs before the real set has loaded, and tests arithmetic, not
 * accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { OptimizerName } from '../../shared/config';
import { IMAGE_SIZE, NUM_CLASSES, type MnistSplit } from '../../shared/mnist';
import { mulberry32 } from '../../shared/random';
import { conformance } from '../conformance';
import { ResidentData } from '../data';
import type { CheckResult, Engine, EngineInit, InjectedFault } from '../engine';
import type { NetLayout } from '../layout';

/** Steps of the check, and its batch: odd, so a row past the last pair of a texel is covered. */
export const CHECK_STEPS = 3;
export const CHECK_BATCH = 7;
/** A larger rate than training's, so a wrong gradient moves the weights visibly apart. */
const CHECK_RATE = 0.01;
/** Tolerances: loss per step (relative to max(1, loss)), weights, logits (absolute). */
export const TOLERANCE = { loss: 1e-3, weights: 1e-4, logits: 1e-3 };
/** The fewest mantissa bits of a highp float in a fragment shader that the programs need. */
const MIN_PRECISION_BITS = 23;

/**
 * Whether the programs that `create` makes (with `fault` built in, in a test) can be trusted to
 * train `layout` with `optimizer` on this WebGL context: why not (null when they pass), and the
 * differences measured.
 */
export async function webglSelfCheck(
  layout: NetLayout,
  optimizer: OptimizerName,
  create: (init: EngineInit) => Engine,
  fault: InjectedFault = null,
): Promise<CheckResult> {
  const capability = missingCapability(fault);
  if (capability) return { problem: capability, figures: null };
  const data = new ResidentData();
  data.set({ train: synthetic(CHECK_STEPS * CHECK_BATCH, 1), test: synthetic(20, 2), bytes: 0 });
  try {
    const r = await conformance({ create: (init) => create({ ...init, fault }) }, data, {
      spec: layout.spec,
      optimizer,
      learningRate: CHECK_RATE,
      batchSize: CHECK_BATCH,
      steps: CHECK_STEPS,
    });
    const loss = Math.max(
      ...r.losses.map(
        (l, i) => Math.abs(l - r.referenceLosses[i]) / Math.max(1, Math.abs(r.referenceLosses[i])),
      ),
    );
    const figures = { loss, weights: r.maxWeightDifference, logits: r.maxLogitDifference };
    const verdict = (problem: string | null): CheckResult => ({ problem, figures });
    const ok = (v: number, limit: number) => Number.isFinite(v) && v <= limit;
    if (!ok(loss, TOLERANCE.loss) || !r.losses.every(Number.isFinite))
      return verdict(
        `the WebGL programs failed their start-up check: after ${CHECK_STEPS} steps of ${CHECK_BATCH} images the losses were ${fmt(r.losses)} against ${fmt(r.referenceLosses)} on the CPU reference`,
      );
    if (!ok(figures.weights, TOLERANCE.weights))
      return verdict(
        `the WebGL programs failed their start-up check: after ${CHECK_STEPS} steps their weights were up to ${figures.weights.toPrecision(2)} off the CPU reference's (at most ${TOLERANCE.weights} is right)`,
      );
    if (!ok(figures.logits, TOLERANCE.logits))
      return verdict(
        `the WebGL model's outputs failed their start-up check: up to ${figures.logits.toPrecision(2)} off the CPU reference's (at most ${TOLERANCE.logits} is right)`,
      );
    return verdict(null);
  } catch (e) {
    return {
      problem: `the WebGL programs failed their start-up check (${(e as Error).message})`,
      figures: null,
    };
  } finally {
    data.dropDeviceForms();
  }
}

/** What this context lacks for the programs' float32 arithmetic, in a sentence, or null. */
function missingCapability(fault: InjectedFault): string | null {
  if (!tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'))
    return 'this GPU cannot render to float32 textures here (only float16), too coarse for the WebGL programs’ sums';
  const gl = (tf.backend() as MathBackendWebGL).gpgpu.gl;
  // A test build may pretend to be a mobile GPU whose best is mediump (10 bits), as the e2e test does.
  const bits =
    __DEV_HOOKS__ && fault === 'mediump'
      ? 10
      : (gl.getShaderPrecisionFormat(gl.FRAGMENT_SHADER, gl.HIGH_FLOAT)?.precision ?? 0);
  if (bits < MIN_PRECISION_BITS)
    return `this GPU's fragment shaders have ${bits}-bit floats at best; the WebGL programs need ${MIN_PRECISION_BITS}`;
  return null;
}

/** `count` images of sparse random strokes (a fifth of the pixels inked) and labels 0-9 in turn. */
function synthetic(count: number, seed: number): MnistSplit {
  const random = mulberry32(seed);
  const images = new Uint8Array(count * IMAGE_SIZE);
  for (let i = 0; i < images.length; i++) if (random() < 0.2) images[i] = 1 + Math.floor(random() * 255);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % NUM_CLASSES);
  return { count, images, labels };
}

const fmt = (xs: number[]) => xs.map((x) => x.toFixed(4)).join(', ');
