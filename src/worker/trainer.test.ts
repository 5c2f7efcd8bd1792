import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TUTORIAL_PRESET } from '../model/config';
import { Session, type Engine } from '../model/session';
import type { FromWorker, TrainConfig } from '../protocol/messages';
import { loadMnistSubset } from '../test/fixtures/mnist';
import { RunControl, train, type TrainOptions } from './trainer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Msg<T extends FromWorker['type']> = Extract<FromWorker, { type: T }>;

function session(trainCount: number, testCount: number, engine: Engine): Session {
  const s = new Session(TUTORIAL_PRESET.hiddenLayers, 0, engine);
  s.setData(loadMnistSubset(trainCount, testCount));
  return s;
}

async function run(
  s: Session,
  config: Partial<TrainConfig>,
  extra: Partial<TrainOptions> = {},
  onMsg?: (m: FromWorker, c: RunControl) => void,
) {
  const messages: FromWorker[] = [];
  const control = extra.control ?? new RunControl();
  const outcome = await train({
    runId: 1,
    config: { ...TUTORIAL_PRESET, ...config },
    session: s,
    control,
    emit: (m) => {
      messages.push(m);
      onMsg?.(m, control);
    },
    ...extra,
  });
  const of = <T extends FromWorker['type']>(t: T) => messages.filter((m): m is Msg<T> => m.type === t);
  const losses = of('metrics').flatMap((m) => [...m.losses]);
  return { outcome, messages, of, losses };
}

function expectContiguous(metrics: Msg<'metrics'>[]) {
  let next = 0;
  for (const m of metrics) {
    expect(m.firstBatch).toBe(next);
    next += m.losses.length;
  }
  return next;
}

// Both engines: tfjs kernels (on tfjs's cpu backend here) and the plain-loop CPU path.
describe.each<Engine>(['tf', 'js'])('trainer on real MNIST (%s engine)', (engine) => {
  it('learns: one epoch over 10,000 images reaches > 0.85 on 2,000 test images, loss falls, every loss posted', async () => {
    const s = session(10_000, 2_000, engine);
    const counts = new Set<number>();
    s.ensureDevice();
    const before = tf.memory().numTensors;
    const r = await run(s, { epochs: 1 }, { afterBatch: () => counts.add(tf.memory().numTensors) });
    expect(r.outcome).toBe('done');
    const metrics = r.of('metrics');
    expect(expectContiguous(metrics)).toBe(1000);
    expect(metrics.every((m) => m.totalBatches === 1000 && m.epoch === 1)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(r.losses.slice(-100))).toBeLessThan(mean(r.losses.slice(0, 100)) * 0.5);
    const [end] = r.of('epochEnd');
    expect(end.testAccuracy).toBeGreaterThan(0.85);
    expect(end.trainAccuracySamples).toBe(10_000);
    expect(end.lastBatch).toBe(999);
    expect(end.trainLoss).toBeCloseTo(mean(r.losses), 4);
    expect(end.samplesPerSecond).toBeGreaterThan(0);
    expect(r.of('state').map((m) => m.state)).toEqual(['training', 'done']);
    // Same tensors after every batch, and nothing left behind but the new model's one variable.
    expect(counts.size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(s.trained).toBe(true);
    s.dispose();
  });

  it('gives the same losses for the same seed, different ones for another', async () => {
    const s = session(300, 100, engine);
    const cfg = { epochs: 2, batchSize: 16 };
    const a = await run(s, cfg);
    const b = await run(s, cfg);
    const c = await run(s, { ...cfg, seed: 1 });
    expect(a.losses.length).toBe(2 * Math.ceil(300 / 16));
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).not.toEqual(a.losses);
    expect(r2(a.of('epochEnd'))).toEqual(r2(b.of('epochEnd')));
    s.dispose();
  });

  it('stops mid-epoch within one batch and keeps the model usable', async () => {
    // The first metrics message comes ~100 ms in: mid-epoch only if the epoch takes longer than
    // that, and the js engine takes ~0.3 ms a batch.
    const trainCount = engine === 'js' ? 20_000 : 2000;
    const s = session(trainCount, 100, engine);
    let stoppedAt = -1;
    const r = await run(s, { epochs: 2 }, {}, (m, control) => {
      if (m.type === 'metrics' && stoppedAt < 0) {
        control.stop();
        stoppedAt = m.firstBatch + m.losses.length;
      }
    });
    expect(r.outcome).toBe('stopped');
    expect(r.of('epochEnd')).toHaveLength(0);
    const posted = expectContiguous(r.of('metrics'));
    expect(posted).toBe(stoppedAt);
    expect(posted).toBeLessThan(trainCount / 10);
    expect(r.of('state').map((m) => m.state)).toEqual(['training', 'stopped']);
    const probs = await s.predict(new Float32Array(784));
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    s.dispose();
  });

  it('pauses mid-epoch, posts nothing while paused, resumes and finishes', async () => {
    const s = session(1000, 100, engine);
    let paused = false;
    let postedWhilePaused = 0;
    const r = await run(s, { epochs: 1 }, {}, (m, control) => {
      if (m.type === 'metrics' && paused) postedWhilePaused++;
      if (m.type === 'metrics' && !paused && !control.pauseRequested && m.firstBatch === 0) control.pause();
      if (m.type === 'state' && m.state === 'paused') {
        paused = true;
        setTimeout(() => {
          paused = false;
          control.resume();
        }, 50);
      }
    });
    expect(r.outcome).toBe('done');
    expect(postedWhilePaused).toBe(0);
    expect(r.of('state').map((m) => m.state)).toEqual(['training', 'paused', 'training', 'done']);
    expect(expectContiguous(r.of('metrics'))).toBe(100);
    s.dispose();
  });

  it('rejects every invalid field and starts nothing', async () => {
    const s = session(100, 100, engine);
    const bad: [keyof TrainConfig, unknown, string][] = [
      ['epochs', 0, 'Epochs'],
      ['epochs', 101, 'Epochs'],
      ['epochs', 1.5, 'Epochs'],
      ['batchSize', 0, 'Batch size'],
      ['batchSize', 4097, 'Batch size'],
      ['learningRate', 0, 'Learning rate'],
      ['learningRate', 1.5, 'Learning rate'],
      ['learningRate', NaN, 'Learning rate'],
      ['optimizer', 'adagrad', 'Optimizer'],
      ['decay', 'cosine', 'Decay'],
      ['hiddenLayers', [], 'Hidden layers'],
      ['hiddenLayers', [64, 0], 'Hidden layers'],
      ['hiddenLayers', [1, 2, 3, 4, 5, 6], 'Hidden layers'],
      ['seed', -1, 'Seed'],
      ['seed', 2 ** 31, 'Seed'],
    ];
    const decayBad: Partial<TrainConfig>[] = [
      { decay: 'step', decayRate: 0 },
      { decay: 'exponential', decayRate: 2 },
      { decay: 'step', decaySteps: 0 },
    ];
    const before = tf.memory().numTensors;
    for (const [field, value, label] of bad) {
      const r = await run(s, { [field]: value } as Partial<TrainConfig>);
      expect(r.outcome, field).toBe('invalid');
      expect(r.messages, field).toHaveLength(1);
      const [err] = r.of('error');
      expect(err.code).toBe('invalid-config');
      expect(err.message).toContain(label);
    }
    for (const cfg of decayBad) {
      const r = await run(s, cfg);
      expect(r.of('error')[0].code).toBe('invalid-config');
      expect(r.of('error')[0].message).toMatch(/Decay/);
    }
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });

  it('reports data-not-ready before the data is loaded', async () => {
    const s = new Session([8], 0, engine);
    const r = await run(s, {});
    expect(r.of('error')[0].code).toBe('data-not-ready');
    s.dispose();
  });

  it('keeps numTensors flat across epochs and train/stop/reset cycles', async () => {
    const s = session(400, 100, engine);
    s.ensureDevice();
    const base = tf.memory().numTensors;
    const perBatch = new Set<number>();
    for (let cycle = 0; cycle < 3; cycle++) {
      const afterEpoch: number[] = [];
      await run(
        s,
        { epochs: 2, batchSize: 32, optimizer: cycle === 1 ? 'rmsprop' : 'adam' },
        { afterBatch: () => perBatch.add(tf.memory().numTensors) },
        (m) => {
          if (m.type === 'epochEnd') afterEpoch.push(tf.memory().numTensors);
        },
      );
      expect(new Set(afterEpoch).size).toBe(1);
      expect(tf.memory().numTensors).toBe(base);
      await run(s, { epochs: 2 }, {}, (m, c) => m.type === 'metrics' && c.stop());
      expect(tf.memory().numTensors).toBe(base);
      s.reset([16, 16], cycle);
      expect(tf.memory().numTensors).toBe(base);
      await s.predict(new Float32Array(784));
      await s.samples('test', 5);
      await s.evaluateTest();
      expect(tf.memory().numTensors).toBe(base);
    }
    // tf: adam (2 slot tensors) and rmsprop (1); js holds no tensors at all.
    expect(perBatch.size).toBe(engine === 'tf' ? 2 : 1);
    s.dispose();
  });

  it('stops with "diverged" on a NaN loss and keeps finite weights', async () => {
    const s = session(2000, 100, engine);
    const r = await run(s, DIVERGING);
    expect(r.outcome).toBe('diverged');
    const [err] = r.of('error');
    expect(err.code).toBe('diverged');
    expect(err.message).toMatch(/learning rate .* too high/);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.losses.length).toBeGreaterThan(0);
    expect(r.losses.length).toBeLessThan(200);
    expect(r.of('state').at(-1)?.state).toBe('stopped');
    const params = await s.weights();
    expect(params.every(Number.isFinite)).toBe(true);
    s.dispose();
  });
});

/**
 * Found by trying (seed 0): SGD with momentum at the top of the allowed learning rate through five
 * hidden layers overflows to a NaN loss at batch 37. Shallower nets or other optimizers at lr 1
 * mostly saturate instead (dead ReLUs, losses up to 1e21 but finite): the stable log-softmax
 * rarely lets a NaN through.
 */
const DIVERGING: Partial<TrainConfig> = {
  optimizer: 'momentum',
  learningRate: 1,
  batchSize: 100,
  epochs: 10,
  hiddenLayers: [64, 64, 64, 64, 64],
};

function r2(ends: Msg<'epochEnd'>[]) {
  return ends.map((e) => [e.trainLoss, e.trainAccuracy, e.testAccuracy, e.testLoss]);
}
