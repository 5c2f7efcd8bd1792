import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxDifference, runCoreSteps } from '../test/fixtures/coreSteps';
import { initialParams, mlpLayout } from './mlp';
import { shuffledIndices, mulberry32 } from './random';
import { buildReferenceModel, referenceOptimizer, referenceStep } from './reference';
import type { OptimizerName } from '../protocol/messages';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('mlp layout and init', () => {
  it('packs kernel then bias for each layer', () => {
    const layout = mlpLayout([64, 64, 64]);
    expect(layout.sizes).toEqual([784, 64, 64, 64, 10]);
    expect(layout.paramCount).toBe(784 * 64 + 64 + 2 * (64 * 64 + 64) + 64 * 10 + 10);
    expect(layout.layers[1].weightOffset).toBe(784 * 64 + 64);
  });

  it('draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the same for the same seed', () => {
    const layout = mlpLayout([32]);
    const a = initialParams(layout, 7);
    expect(initialParams(layout, 7)).toEqual(a);
    expect(initialParams(layout, 8)).not.toEqual(a);
    const first = a.subarray(0, layout.layers[0].biasOffset + 32);
    const bound = 1 / Math.sqrt(784);
    expect(Math.max(...first.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...first.map(Math.abs))).toBeGreaterThan(bound * 0.99);
    const second = a.subarray(layout.layers[1].weightOffset);
    expect(Math.max(...second.map(Math.abs))).toBeGreaterThan((1 / Math.sqrt(32)) * 0.9);
  });

  it('shuffles every index exactly once, reproducibly', () => {
    const order = shuffledIndices(1000, mulberry32(3));
    expect([...order].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(shuffledIndices(1000, mulberry32(3))).toEqual(order);
  });
});

describe('core-ops step vs stock layers model', () => {
  const STEPS = 20;
  const BATCH = 10;

  it.each<OptimizerName>(['adam', 'sgd', 'momentum'])(
    'gives the same losses with %s over 20 steps',
    async (name) => {
      const lr = name === 'adam' ? 0.001 : 0.05;
      const run = await runCoreSteps(name, STEPS, BATCH, lr);
      const { layout, values, order, split } = run;

      const reference = buildReferenceModel(layout, values);
      const refOptimizer = referenceOptimizer(name, lr);
      const theirs: number[] = [];
      for (let s = 0; s < STEPS; s++) {
        const loss = tf.tidy(() => {
          const idx = tf.slice(order, s * BATCH, BATCH);
          return referenceStep(
            reference,
            refOptimizer,
            tf.gather(split.images, idx) as tf.Tensor2D,
            tf.gather(split.oneHot, idx) as tf.Tensor2D,
          );
        });
        theirs.push((await loss.data())[0]);
        loss.dispose();
      }
      for (let s = 0; s < STEPS; s++) expect(run.losses[s]).toBeCloseTo(theirs[s], 4);
      // The weights moved, and moved the same way.
      const finalTheirs = new Float32Array(layout.paramCount);
      let offset = 0;
      for (const w of reference.getWeights()) {
        finalTheirs.set(await w.data(), offset);
        offset += w.size;
      }
      expect(maxDifference(run.finalParams, values)).toBeGreaterThan(1e-3);
      expect(maxDifference(run.finalParams, finalTheirs)).toBeLessThan(1e-5);

      run.dispose();
      reference.dispose();
      refOptimizer.dispose();
    },
  );
});
