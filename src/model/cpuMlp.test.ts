import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerName } from '../protocol/messages';
import { maxDifference, runCoreSteps } from '../test/fixtures/coreSteps';
import { loadMnistSubset } from '../test/fixtures/mnist';
import { CpuMlp } from './cpuMlp';
import { sparseFromBytes } from './sparseImages';
import { createCpuTrainer } from './cpuOptimizers';
import { uploadSplit } from './dataset';
import { createMlp, disposeMlp, initialParams, mlpLayout } from './mlp';
import { evaluateSplit, predictProbabilities } from './step';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const STEPS = 20;
const BATCH = 10;

describe('CPU step vs tfjs core-ops step (and so the stock layers model, mlp.test.ts)', () => {
  it.each<OptimizerName>(['adam', 'sgd', 'momentum', 'rmsprop'])(
    'gives the same losses and weights with %s over 20 steps',
    async (name) => {
      const lr = name === 'adam' || name === 'rmsprop' ? 0.001 : 0.05;
      const run = await runCoreSteps(name, STEPS, BATCH, lr);
      const { mnist, layout, values, orderValues } = run;

      // As the js engine builds them: Adam runs its WebAssembly SIMD update (simdAdam.ts).
      const { model: cpu, optimizer: cpuOptimizer } = createCpuTrainer(layout, values, name);
      const sparse = sparseFromBytes(mnist.train.images, mnist.train.count);
      const ours: number[] = [];
      for (let s = 0; s < STEPS; s++) {
        ours.push(cpu.lossAndGradient(sparse, mnist.train.labels, orderValues, s * BATCH, BATCH));
        cpuOptimizer.apply(cpu.params, cpu.gradient, lr);
      }
      for (let s = 0; s < STEPS; s++) expect(ours[s]).toBeCloseTo(run.losses[s], 4);
      expect(cpu.gradient.every((g) => g === 0)).toBe(true);
      expect(maxDifference(cpu.params, values)).toBeGreaterThan(1e-3);
      // RMSprop's first steps move a weight by ~lr * g / |g|, even for a g that is rounding noise,
      // so float32 summation order shows up there as differences of a few 1e-5.
      expect(maxDifference(cpu.params, run.finalParams)).toBeLessThan(name === 'rmsprop' ? 1e-4 : 1e-5);
      run.dispose();
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
