/**
 * The project's training step against the stock layers model (tf.sequential +
 * optimizer.minimize), same data on the device, same batch size, same backend:
 * - benchSteps times both for `npm run bench`. On the js engine, 'fast' times the CPU step
 *   (cpuMlp.ts) and 'stock' runs on the tfjs backend the worker started beside it: WASM (or
 *   tfjs's cpu backend where WASM cannot start);
 * - compareWithStock trains both side by side for an e2e test that holds their losses equal.
 * Both use scratch models, so the page's model is untouched.
 */
import * as tf from '@tensorflow/tfjs';
import { createCpuTrainer } from './cpuOptimizers';
import type { DeviceSplit } from './dataset';
import { createMlp, disposeMlp, initialParams, mlpLayout } from './mlp';
import { createOptimizer } from './optimizers';
import { mulberry32, shuffledIndices } from './random';
import { buildReferenceModel, referenceOptimizer, referenceStep } from './reference';
import type { ComparableOptimizer } from '../protocol/messages';
import type { Session } from './session';
import { deviceSteps } from './engines';

export interface StepTiming {
  msPerStep: number;
  steps: number;
  /** The first steps (shader compilation, JIT), timed apart. */
  warmupMs: number;
}

/** Steps between syncs: neither loop reads anything back per step, as in training. */
const SYNC_EVERY = 20;
const WARMUP_STEPS = 10;

/**
 * Times `impl` at `batchSize` for at least `minMs` after warm-up (Adam, tutorial network).
 * Leaves no tensors behind.
 */
export async function benchSteps(
  session: Session,
  impl: 'fast' | 'stock',
  batchSize: number,
  minMs = 2000,
): Promise<StepTiming> {
  const layout = mlpLayout([64, 64, 64]);
  const values = initialParams(layout, 0);
  const count = session.mnist?.train.count ?? 0;
  const orderValues = shuffledIndices(count, mulberry32(1));
  const stepsPerEpoch = Math.floor(count / batchSize);
  let cursor = 0;
  const nextStart = () => (cursor++ % stepsPerEpoch) * batchSize;
  if (impl === 'fast' && session.engine === 'js') {
    const cpu = session.ensureCpuData();
    const labels = session.mnist!.train.labels;
    const { model, optimizer } = createCpuTrainer(layout, values, 'adam');
    return time(async (n) => {
      for (let i = 0; i < n; i++) {
        model.lossAndGradient(cpu.train, labels, orderValues, nextStart(), batchSize);
        optimizer.apply(model.params, model.gradient, 0.001);
      }
    }, minMs);
  }

  const data = session.ensureDevice().train;
  const order = tf.tensor1d(orderValues, 'int32');
  let runSteps: (n: number) => Promise<void>;
  let dispose: () => void;
  if (impl === 'fast') {
    const model = createMlp(layout, values);
    const optimizer = createOptimizer('adam', layout.paramCount);
    const steps = deviceSteps(model, optimizer);
    runSteps = async (n) => {
      for (let i = 0; i < n; i++) steps.step(data, order, nextStart(), batchSize, 0.001);
      await steps.drain([]);
    };
    dispose = () => {
      steps.dispose();
      optimizer.dispose();
      disposeMlp(model);
    };
  } else {
    const model = buildReferenceModel(layout, values);
    const optimizer = referenceOptimizer('adam', 0.001);
    runSteps = async (n) => {
      let last: tf.Scalar | null = null;
      for (let i = 0; i < n; i++) {
        last?.dispose();
        last = stockStep(model, optimizer, data, order, nextStart(), batchSize);
      }
      await last?.data();
      last?.dispose();
    };
    dispose = () => {
      model.dispose();
      optimizer.dispose();
    };
  }

  try {
    return await time(runSteps, minMs);
  } finally {
    dispose();
    order.dispose();
    // The js engine trains from CPU arrays: the device copy was only for this measurement.
    if (session.engine === 'js') session.dropDevice();
  }
}

export interface StepComparison {
  /** Which device step ran (engines.ts): the WebGL programs or core ops. */
  impl: 'programs' | 'core-ops';
  /** Each step's loss: the project's device step, then the stock layers model. */
  losses: number[];
  stockLosses: number[];
  /** The largest difference between the two models' weights after the last step. */
  maxWeightDifference: number;
  /** The largest change of one of the project's weights over the steps (so training happened). */
  maxWeightChange: number;
}

/**
 * Trains the project's device step (WebGL programs on WebGL) and the stock layers model side by
 * side from the same seeded weights on the same batches, for the e2e test that holds them equal
 * on a real backend. Leaves no tensors behind.
 */
export async function compareWithStock(
  session: Session,
  optimizerName: ComparableOptimizer,
  batchSize: number,
  steps: number,
): Promise<StepComparison> {
  const layout = mlpLayout([64, 64, 64]);
  const values = initialParams(layout, 42);
  const data = session.ensureDevice().train;
  const order = tf.tensor1d(shuffledIndices(data.count, mulberry32(1)), 'int32');
  const lr = 0.001;
  const model = createMlp(layout, values);
  const optimizer = createOptimizer(optimizerName, layout.paramCount);
  const ours = deviceSteps(model, optimizer);
  const stock = buildReferenceModel(layout, values);
  const stockOptimizer = referenceOptimizer(optimizerName, lr);
  try {
    const stockLosses: number[] = [];
    for (let i = 0; i < steps; i++) {
      ours.step(data, order, i * batchSize, batchSize, lr);
      const loss = stockStep(stock, stockOptimizer, data, order, i * batchSize, batchSize);
      stockLosses.push((await loss.data())[0]);
      loss.dispose();
    }
    const drained = await ours.drain([model.params]);
    const losses = Array.from(drained.losses);
    const weights = drained.extra;
    const stockWeights = stock.getWeights();
    let maxWeightDifference = 0;
    let offset = 0;
    for (const w of stockWeights) {
      const v = await w.data();
      for (let i = 0; i < v.length; i++)
        maxWeightDifference = Math.max(maxWeightDifference, Math.abs(v[i] - weights[offset + i]));
      offset += v.length;
    }
    let maxWeightChange = 0;
    for (let i = 0; i < values.length; i++)
      maxWeightChange = Math.max(maxWeightChange, Math.abs(weights[i] - values[i]));
    return { impl: ours.impl, losses, stockLosses, maxWeightDifference, maxWeightChange };
  } finally {
    ours.dispose();
    optimizer.dispose();
    disposeMlp(model);
    stock.dispose();
    stockOptimizer.dispose();
    order.dispose();
    if (session.engine === 'js') session.dropDevice();
  }
}

/** One stock step on the batch order[start, start + size). Returns the loss, the caller's. */
function stockStep(
  model: tf.Sequential,
  optimizer: tf.Optimizer,
  data: DeviceSplit,
  order: tf.Tensor1D,
  start: number,
  size: number,
): tf.Scalar {
  return tf.tidy(() => {
    const idx = tf.slice(order, start, size);
    return referenceStep(
      model,
      optimizer,
      tf.gather(data.images, idx) as tf.Tensor2D,
      tf.gather(data.oneHot, idx) as tf.Tensor2D,
    );
  });
}

/** Warms `runSteps` up, then times it for at least minMs. */
async function time(runSteps: (n: number) => Promise<void>, minMs: number): Promise<StepTiming> {
  const t0 = performance.now();
  await runSteps(WARMUP_STEPS);
  const warmupMs = performance.now() - t0;
  let steps = 0;
  const t1 = performance.now();
  while (performance.now() - t1 < minMs) {
    await runSteps(SYNC_EVERY);
    steps += SYNC_EVERY;
  }
  return { msPerStep: (performance.now() - t1) / steps, steps, warmupMs };
}
