import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerName } from '../protocol/messages';
import { loadMnistSubset } from '../test/fixtures/mnist';
import { CpuMlp } from './cpuMlp';
import { sparseFromBytes } from './sparseImages';
import { createCpuOptimizer } from './cpuOptimizers';
import { uploadSplit } from './dataset';
import { createMlp, disposeMlp, initialParams, mlpLayout } from './mlp';
import { createOptimizer } from './optimizers';
import { mulberry32, shuffledIndices } from './random';
import { evaluateSplit, predictProbabilities, trainStep } from './step';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const STEPS = 20;
const BATCH = 10;

describe('CPU step vs tfjs core-ops step (and so the stock layers model, mlp.test.ts)', () => {
  it.each<OptimizerName>(['adam', 'sgd', 'momentum', 'rmsprop'])(
    'gives the same losses and weights with %s over 20 steps',
    async (name) => {
      const mnist = loadMnistSubset(STEPS * BATCH, 0);
      const split = uploadSplit(mnist.train);
      const layout = mlpLayout([64, 64, 64]);
      const values = initialParams(layout, 42);
      const lr = name === 'adam' || name === 'rmsprop' ? 0.001 : 0.05;
      const orderValues = shuffledIndices(split.count, mulberry32(1));
      const order = tf.tensor1d(orderValues, 'int32');

      const model = createMlp(layout, values);
      const optimizer = createOptimizer(name, layout.paramCount);
      let losses: tf.Tensor1D = tf.zeros([0]);
      for (let s = 0; s < STEPS; s++) {
        const next = trainStep(model, optimizer, split, order, s * BATCH, BATCH, lr, losses);
        losses.dispose();
        losses = next;
      }
      const theirs = await losses.data();

      const cpu = new CpuMlp(layout, values.slice());
      const cpuOptimizer = createCpuOptimizer(name, layout.paramCount);
      const sparse = sparseFromBytes(mnist.train.images, mnist.train.count);
      const ours: number[] = [];
      for (let s = 0; s < STEPS; s++) {
        ours.push(cpu.lossAndGradient(sparse, mnist.train.labels, orderValues, s * BATCH, BATCH));
        cpuOptimizer.apply(cpu.params, cpu.gradient, lr);
      }
      for (let s = 0; s < STEPS; s++) expect(ours[s]).toBeCloseTo(theirs[s], 4);
      expect(cpu.gradient.every((g) => g === 0)).toBe(true);
      const final = await model.params.data();
      let moved = 0;
      let differ = 0;
      for (let i = 0; i < values.length; i++) {
        moved = Math.max(moved, Math.abs(cpu.params[i] - values[i]));
        differ = Math.max(differ, Math.abs(cpu.params[i] - final[i]));
      }
      expect(moved).toBeGreaterThan(1e-3);
      // RMSprop's first steps move a weight by ~lr * g / |g|, even for a g that is rounding noise,
      // so float32 summation order shows up there as differences of a few 1e-5.
      expect(differ).toBeLessThan(name === 'rmsprop' ? 1e-4 : 1e-5);

      tf.dispose([losses, order, split.images, split.oneHot]);
      optimizer.dispose();
      disposeMlp(model);
    },
  );

  it('evaluates and predicts as the tfjs model does, odd layer sizes included', async () => {
    const mnist = loadMnistSubset(0, 300);
    const split = uploadSplit(mnist.test);
    const layout = mlpLayout([13, 9]);
    const values = initialParams(layout, 3);
    const model = createMlp(layout, values);
    const cpu = new CpuMlp(layout, values.slice());
    const theirs = await evaluateSplit(model, split);
    const ours = cpu.evaluate(sparseFromBytes(mnist.test.images, 300), mnist.test.labels);
    expect(ours.count).toBe(300);
    expect(ours.accuracy).toBeCloseTo(theirs.accuracy, 6);
    expect(ours.loss).toBeCloseTo(theirs.loss, 4);
    const x = split.images.slice([0, 0], [3, 784]) as tf.Tensor2D;
    const probs = predictProbabilities(model, x);
    const expected = await probs.data();
    const got = cpu.probabilities((await x.data()) as Float32Array, 3);
    for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i], 5);
    tf.dispose([x, probs, split.images, split.oneHot]);
    disposeMlp(model);
  });
});
