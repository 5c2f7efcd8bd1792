import { describe, expect, it } from 'vitest';
import { shareSparse, sparseData } from '../../engines/cpu/sparseImages';
import { ResidentData } from '../../engines/data';
import { initialParams, netLayout } from '../../engines/layout';
import { TUTORIAL_MODEL } from '../../shared/modelSpec';
import { loadMnistSubset } from '../../test/fixtures/mnist';
import { Cancelled, Evaluator, type MeasureJob } from './evaluator';

describe('Evaluator', () => {
  const data = new ResidentData();
  data.set(loadMnistSubset(2000, 1000));
  const layout = netLayout(TUTORIAL_MODEL);
  const job = (over: Partial<MeasureJob> = {}): MeasureJob => ({
    runId: 1,
    model: TUTORIAL_MODEL,
    params: initialParams(layout, 0),
    batch: 10,
    epoch: 1,
    trainingSeconds: 1,
    trainRows: null,
    testRows: null,
    ...over,
  });

  it('measures all of both sets, and answers for the cells of its confusion counts, surest first', async () => {
    const e = new Evaluator(data);
    const { measurement, confusion } = await e.measure(job());
    expect([measurement.trainCount, measurement.testCount, measurement.full]).toEqual([2000, 1000, true]);
    const diagonal = Array.from(confusion)
      .filter((_, i) => i % 11 === 0)
      .reduce((a, b) => a + b, 0);
    expect(diagonal / 1000).toBeCloseTo(measurement.testAccuracy, 12);
    // The untrained model's biggest mistake: the list holds every image of the cell, surest first.
    let cell = 0;
    for (let i = 0; i < 100; i++) if (i % 11 !== 0 && confusion[i] > confusion[cell]) cell = i;
    const truth = Math.floor(cell / 10);
    const predicted = cell % 10;
    const answer = e.mistakes({ runId: 1, truth, predicted, limit: 200 });
    expect(answer.total).toBe(confusion[cell]);
    expect(answer.digits.every((d) => d.label === truth && d.predicted === predicted)).toBe(true);
    const sure = answer.digits.map((d) => d.probabilities[predicted]);
    expect(sure).toEqual([...sure].sort((a, b) => b - a));
    const all = e.mistakes({ runId: 1, limit: 5 });
    expect(all.total).toBe(1000 - diagonal);
    expect(all.digits).toHaveLength(5);
    expect(() => e.mistakes({ runId: 2, limit: 5 })).toThrow(/no longer held/);
  });

  it('measures slices, and skips the measurements of a superseded run', async () => {
    const e = new Evaluator(data);
    const slice = await e.measure(job({ trainRows: Int32Array.of(0, 1, 2), testRows: Int32Array.of(5, 6) }));
    expect([slice.measurement.trainCount, slice.measurement.testCount, slice.measurement.full]).toEqual([
      3,
      2,
      false,
    ]);
    const queued = e.measure(job({ runId: 3 }));
    e.cancelBefore(4);
    await expect(queued).rejects.toBeInstanceOf(Cancelled);
  });

  it('takes the training thread’s sparse form where it is in shared memory, and measures the same', async () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    const was = g.crossOriginIsolated;
    const mnist = data.require();
    try {
      // Not isolated: the training thread's form is its own, and the evaluator builds another.
      g.crossOriginIsolated = false;
      const own = new ResidentData();
      own.set(mnist);
      sparseData(own);
      expect(shareSparse(own)).toBeNull();
      // Isolated: built in shared memory, handed over, and taken as it is.
      g.crossOriginIsolated = true;
      const trainer = new ResidentData();
      trainer.set(mnist);
      const sparse = sparseData(trainer);
      expect(sparse.train.value.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(shareSparse(trainer)).toBe(sparse);
      const evaluatorData = new ResidentData();
      const e = new Evaluator(evaluatorData);
      e.setData(mnist, shareSparse(trainer));
      e.prepare();
      expect(sparseData(evaluatorData)).toBe(sparse);
      const taken = await e.measure(job());
      const built = await new Evaluator(own).measure(job());
      expect(taken.measurement.testLoss).toBe(built.measurement.testLoss);
      expect(taken.measurement.trainAccuracy).toBe(built.measurement.trainAccuracy);
    } finally {
      g.crossOriginIsolated = was;
    }
  });
});
