/**
 * Step timing for `npm run bench`: the project's training step against the stock layers model
 * (tf.sequential + optimizer.minimize), same data on the device, same batch size, same backend.
 * On the js engine, 'fast' times the CPU step (cpuMlp.ts) and 'stock' runs on the tfjs backend the
 * worker started beside it: WASM (or tfjs's cpu backend where WASM cannot start).
 * Uses scratch models, so the page's model is untouched.
 */
import * as tf from '@tensorflow/tfjs';
import { CpuMlp } from './cpuMlp';
import { createCpuOptimizer } from './cpuOptimizers';
import { createMlp, disposeMlp, initialParams, mlpLayout } from './mlp';
import { createOptimizer } from './optimizers';
import { mulberry32, shuffledIndices } from './random';
import { buildReferenceModel, referenceOptimizer, referenceStep } from './reference';
import type { Session } from './session';
import { trainStep } from './step';

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
    const model = new CpuMlp(layout, values);
    const optimizer = createCpuOptimizer('adam', layout.paramCount);
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
    runSteps = async (n) => {
      let losses = tf.zeros([0]) as tf.Tensor1D;
      for (let i = 0; i < n; i++) {
        const next = trainStep(model, optimizer, data, order, nextStart(), batchSize, 0.001, losses);
        losses.dispose();
        losses = next;
      }
      await losses.data();
      losses.dispose();
    };
    dispose = () => {
      disposeMlp(model);
      optimizer.dispose();
    };
  } else {
    const model = buildReferenceModel(layout, values);
    const optimizer = referenceOptimizer('adam', 0.001);
    runSteps = async (n) => {
      let last: tf.Scalar | null = null;
      for (let i = 0; i < n; i++) {
        last?.dispose();
        const start = nextStart();
        last = tf.tidy(() => {
          const idx = tf.slice(order, start, batchSize);
          return referenceStep(
            model,
            optimizer,
            tf.gather(data.images, idx) as tf.Tensor2D,
            tf.gather(data.oneHot, idx) as tf.Tensor2D,
          );
        });
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
