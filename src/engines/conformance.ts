/**
 * The one check every engine passes: train it and the plain reference (reference/) side by side
 * from the same weights on the same batches, and compare each step's loss, the final weights and
 * the logits of a few test images. The engine test runs it in Node (tfjs on its cpu backend, the
 * CPU engine); the e2e tests run it in the browser's worker for WebGL, through a dev hook.
 */
import type { OptimizerName } from '../shared/config';
import { IMAGE_SIZE } from '../shared/mnist';
import type { ModelSpec } from '../shared/modelSpec';
import type { EngineName } from '../shared/protocol';
import { mulberry32, shuffledIndices } from '../shared/random';
import { yieldToEventLoop } from '../shared/yield';
import type { ResidentData } from './data';
import type { Engine, EngineKind } from './engine';
import { initialParams, netLayout } from './layout';
import { referenceLogits, referenceLossAndGradient } from './reference/network';
import { referenceOptimizer } from './reference/optimizers';

export interface ConformanceRun {
  spec: ModelSpec;
  optimizer: OptimizerName;
  learningRate: number;
  batchSize: number;
  steps: number;
  /**
   * Trains each batch in parts of this many images (the engine's accumulate, then
   * applyAccumulated), held to the reference's one step of the whole batch.
   */
  microBatch?: number;
}

export interface ConformanceResult {
  engine: EngineName;
  /** Each step's loss: the engine's, then the reference's. */
  losses: number[];
  referenceLosses: number[];
  /** The largest difference between the engine's and the reference's weights after the last step. */
  maxWeightDifference: number;
  /** The largest change of a weight over the run (so training happened). */
  maxWeightChange: number;
  /**
   * The largest difference between their logits for the first 20 test images, at the end: read
   * from the resident data (logits) and from the same images handed in as pixels (logitsOf, the
   * drawing pad's path).
   */
  maxLogitDifference: number;
  /** The parts the engine trained the batches in (run.microBatch given), else 0. */
  parts: number;
}

const TEST_IMAGES = 20;

/** Runs `kind` and the reference for run.steps steps of run.batchSize images (seed 42 weights). */
export async function conformance(
  kind: Pick<EngineKind, 'create'>,
  data: ResidentData,
  run: ConformanceRun,
): Promise<ConformanceResult> {
  const mnist = data.require();
  const layout = netLayout(run.spec);
  const initial = initialParams(layout, 42);
  const order = shuffledIndices(mnist.train.count, mulberry32(1));
  const engine = kind.create({
    layout,
    data,
    optimizer: run.optimizer,
    state: { params: initial, slots: new Float32Array(0), steps: 0 },
  });
  try {
    engine.setOrder(order);
    let parts = 0;
    for (let s = 0; s < run.steps; s++) {
      parts += step(engine, s * run.batchSize, run);
      // In the browser's worker, pings are answered meanwhile (a silent worker is replaced).
      if (s % 10 === 9) await yieldToEventLoop();
    }
    const { losses, state } = await engine.drain(true);

    const params = Float64Array.from(initial);
    const optimizer = referenceOptimizer(run.optimizer, layout.paramCount);
    const referenceLosses: number[] = [];
    for (let s = 0; s < run.steps; s++) {
      const rows = order.subarray(s * run.batchSize, (s + 1) * run.batchSize);
      const { loss, gradient } = referenceLossAndGradient(
        layout,
        params,
        images(mnist.train.images, rows),
        Array.from(rows, (r) => mnist.train.labels[r]),
      );
      referenceLosses.push(loss);
      optimizer.apply(params, gradient, run.learningRate, s + 1);
    }
    const rows = Int32Array.from({ length: TEST_IMAGES }, (_, i) => i);
    const x = images(mnist.test.images, rows);
    const expected = referenceLogits(layout, params, x, TEST_IMAGES);
    const logits = await engine.logits('test', rows);
    const fromPixels = await engine.logitsOf(Float32Array.from(x), TEST_IMAGES);
    return {
      engine: engine.name,
      losses: Array.from(losses),
      referenceLosses,
      maxWeightDifference: maxDifference(state!.params, params),
      maxWeightChange: maxDifference(state!.params, initial),
      maxLogitDifference: Math.max(maxDifference(logits, expected), maxDifference(fromPixels, expected)),
      parts,
    };
  } finally {
    engine.dispose();
  }
}

/** One step of `run`'s batch at `start`: whole, or in micro-batches; the parts trained (0: whole). */
function step(engine: Engine, start: number, run: ConformanceRun): number {
  const { batchSize, microBatch, learningRate } = run;
  if (!microBatch) {
    engine.step(start, batchSize, learningRate);
    return 0;
  }
  if (!engine.accumulate || !engine.applyAccumulated)
    throw new Error(`the ${engine.name} engine has no micro-batches`);
  let parts = 0;
  for (let part = 0; part < batchSize; part += microBatch, parts++)
    engine.accumulate(start + part, Math.min(microBatch, batchSize - part), batchSize);
  engine.applyAccumulated(learningRate);
  return parts;
}

/** The images `rows` of `bytes` as float64 0..1. */
function images(bytes: Uint8Array, rows: Int32Array): Float64Array {
  const x = new Float64Array(rows.length * IMAGE_SIZE);
  rows.forEach((r, b) => {
    for (let i = 0; i < IMAGE_SIZE; i++) x[b * IMAGE_SIZE + i] = bytes[r * IMAGE_SIZE + i] / 255;
  });
  return x;
}

/** The largest absolute difference between two equally long arrays. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
