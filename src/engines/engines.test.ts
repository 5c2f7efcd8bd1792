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
import { namedWeights, setNamedWeights, summarize } from './engine';
import { initialParams, netLayout, toNamed } from './layout';
import { referenceLogits } from './reference/network';
import { ENGINES, loadTfjsEngines } from './registry';
import { deviceData } from './tfjs/deviceData';

const data = new ResidentData();
data.set(loadMnistSubset(400, 100));

beforeAll(async () => {
  await tf.setBackend('cpu');
  await loadTfjsEngines();
  deviceData(data); // resident for the whole file, so each test can count its own tensors
});

const MODELS: [string, ModelSpec][] = [
  ['tutorial MLP', { kind: 'mlp', hidden: [64, 64, 64] }],
  ['MLP of odd widths', { kind: 'mlp', hidden: [13, 9] }],
  ['Small CNN', SMALL_CNN],
  [
    // 28 - 4 + 1 = 25: the pool drops a row and a column; 5 and 11 filters leave SIMD tails.
    'CNN of odd sizes with a hidden layer',
    {
      kind: 'cnn',
      conv: [
        { filters: 5, kernel: 4 },
        { filters: 11, kernel: 3 },
      ],
      hidden: [12],
    },
  ],
];
const OPTIMIZERS: OptimizerName[] = ['adam', 'sgd', 'momentum', 'rmsprop'];

/**
 * Runs `engine` beside the reference (conformance.ts): whole batches of `batchSize`, or each in
 * parts of `microBatch`; the same losses, weights and logits, and no tensor left behind.
 */
async function expectConformant(
  engine: EngineName,
  spec: ModelSpec,
  optimizer: OptimizerName,
  run: { batchSize: number; steps: number; microBatch?: number },
) {
  const learningRate = optimizer === 'adam' || optimizer === 'rmsprop' ? 0.001 : 0.05;
  const before = tf.memory().numTensors;
  const r = await conformance(ENGINES[engine], data, { spec, optimizer, learningRate, ...run });
  expect(r.engine).toBe(engine);
  expect(r.parts).toBe(run.microBatch ? run.steps * Math.ceil(run.batchSize / run.microBatch) : 0);
  r.losses.forEach((loss, i) => expect(loss, `step ${i}`).toBeCloseTo(r.referenceLosses[i], 4));
  // RMSprop's first steps move a weight by ~lr * g / |g| even for a g that is rounding noise.
  expect(r.maxWeightDifference).toBeLessThan(optimizer === 'rmsprop' ? 1e-4 : 1e-5);
  expect(r.maxWeightChange).toBeGreaterThan(100 * r.maxWeightDifference);
  expect(r.maxLogitDifference).toBeLessThan(1e-4);
  expect(tf.memory().numTensors).toBe(before);
}

describe.each<EngineName>(['tfjs', 'cpu'])('the %s engine against the reference', (engine) => {
  for (const [name, spec] of MODELS)
    it.each(OPTIMIZERS)(`${name}, %s: the same losses, weights and logits over 12 steps`, (optimizer) =>
      expectConformant(engine, spec, optimizer, { batchSize: spec.kind === 'cnn' ? 7 : 10, steps: 12 }),
    );
});

describe.each<EngineName>(['tfjs', 'cpu'])('the %s engine in micro-batches', (engine) => {
  for (const [name, spec] of MODELS)
    it.each(OPTIMIZERS)(
      `${name}, %s: a batch of 23 in parts of 5 is the reference's one step of 23`,
      (optimizer) => expectConformant(engine, spec, optimizer, { batchSize: 23, steps: 6, microBatch: 5 }),
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

describe.each<EngineName>(['tfjs', 'cpu'])('the %s engine with PyTorch-named weights', (engine) => {
  it.each(MODELS)('%s: takes them, gives them back, and refuses a wrong set unchanged', async (_, spec) => {
    const layout = netLayout(spec);
    const e = ENGINES[engine].create({
      layout,
      data,
      optimizer: 'adam',
      state: { params: initialParams(layout, 1), slots: new Float32Array(0), steps: 0 },
    });
    const named = toNamed(layout, initialParams(layout, 2));
    setNamedWeights(e, named);
    expect(await namedWeights(e)).toEqual(named);
    const wrong = named.map((t, i) => (i === 0 ? { ...t, shape: [...t.shape, 1] } : t));
    expect(() => setNamedWeights(e, wrong)).toThrow(/has shape/);
    expect(await namedWeights(e)).toEqual(named);
    e.dispose();
  });
});

describe('evaluation, computed once for every engine', () => {
  it('counts each image in its confusion cell, and the diagonal over the count is the accuracy', () => {
    // Three images: true 0 read as 0, true 1 read as 2, true 2 read as 2.
    const logits = new Float32Array(30);
    [0, 2, 2].forEach((guess, i) => (logits[i * 10 + guess] = 5));
    const r = summarize(logits, (i) => [0, 1, 2][i]);
    expect(r.count).toBe(3);
    expect(r.confusion[0 * 10 + 0]).toBe(1);
    expect(r.confusion[1 * 10 + 2]).toBe(1);
    expect(r.confusion[2 * 10 + 2]).toBe(1);
    expect(r.confusion.reduce((a, b) => a + b, 0)).toBe(3);
    expect(r.accuracy).toBeCloseTo(2 / 3, 6);
    const p = Math.exp(5) / (Math.exp(5) + 9);
    expect(r.loss).toBeCloseTo((-2 * Math.log(p) - Math.log(1 / (Math.exp(5) + 9))) / 3, 5);
  });
});
