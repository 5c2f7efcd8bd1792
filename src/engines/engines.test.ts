/**
 * Every engine that runs in Node, held to the plain reference (reference/) by the same conformance
 * run: tfjs ops on tfjs's cpu backend, and the project's CPU loops. The WebGL engine runs the same
 * check in the browser (e2e/engine.spec.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerName } from '../shared/config';
import { SMALL_CNN, type ModelSpec } from '../shared/modelSpec';
import type { EngineName } from '../shared/protocol';
import { loadMnistSubset } from '../test/fixtures/mnist';
import { conformance } from './conformance';
import { ResidentData } from './data';
import { initialParams, netLayout } from './layout';
import { referenceLogits } from './reference/network';
import { ENGINES } from './registry';
import { deviceData } from './tfjs/deviceData';

const data = new ResidentData();
data.set(loadMnistSubset(400, 100));

beforeAll(async () => {
  await tf.setBackend('cpu');
  deviceData(data); // resident for the whole file, so each test can count its own tensors
});

const MODELS: [string, ModelSpec][] = [
  ['tutorial MLP', { kind: 'mlp', hidden: [64, 64, 64] }],
  ['MLP of odd widths', { kind: 'mlp', hidden: [13, 9] }],
  ['Small CNN', SMALL_CNN],
  [
    'CNN of odd sizes with a hidden layer',
    {
      kind: 'cnn',
      conv: [
        { filters: 5, kernel: 3 },
        { filters: 11, kernel: 4 },
      ],
      hidden: [12],
    },
  ],
];
const OPTIMIZERS: OptimizerName[] = ['adam', 'sgd', 'momentum', 'rmsprop'];

describe.each<EngineName>(['tfjs', 'cpu'])('the %s engine against the reference', (engine) => {
  for (const [name, spec] of MODELS)
    it.each(OPTIMIZERS)(
      `${name}, %s: the same losses, weights and logits over 12 steps`,
      async (optimizer) => {
        const lr = optimizer === 'adam' || optimizer === 'rmsprop' ? 0.001 : 0.05;
        const before = tf.memory().numTensors;
        const r = await conformance(ENGINES[engine], data, {
          spec,
          optimizer,
          learningRate: lr,
          batchSize: spec.kind === 'cnn' ? 7 : 10,
          steps: 12,
        });
        expect(r.engine).toBe(engine);
        r.losses.forEach((loss, i) => expect(loss, `step ${i}`).toBeCloseTo(r.referenceLosses[i], 4));
        // RMSprop's first steps move a weight by ~lr * g / |g| even for a g that is rounding noise.
        expect(r.maxWeightDifference).toBeLessThan(optimizer === 'rmsprop' ? 1e-4 : 1e-5);
        expect(r.maxWeightChange).toBeGreaterThan(100 * r.maxWeightDifference);
        expect(r.maxLogitDifference).toBeLessThan(1e-4);
        expect(tf.memory().numTensors).toBe(before);
      },
    );
});

describe.each<EngineName>(['tfjs', 'cpu'])('the %s engine with a NaN weight', (engine) => {
  it.each(MODELS)(
    '%s: the loss is NaN, as PyTorch and the reference give (a ReLU keeps NaN)',
    async (_, spec) => {
      const layout = netLayout(spec);
      const params = initialParams(layout, 1);
      params[layout.convs[0]?.biasOffset ?? layout.dense.layers[0].biasOffset] = NaN;
      const e = ENGINES[engine].create({
        layout,
        data,
        optimizer: 'sgd',
        state: { params, slots: new Float32Array(0), steps: 0 },
      });
      e.setOrder(Int32Array.from({ length: 400 }, (_, i) => i));
      e.step(0, 5, 0.01);
      const { losses } = await e.drain(false);
      e.dispose();
      expect(losses[0]).toBeNaN();
      const x = Float64Array.from(data.require().train.images.subarray(0, 784), (v) => v / 255);
      expect(referenceLogits(layout, Float64Array.from(params), x, 1).some(Number.isNaN)).toBe(true);
    },
  );
});
