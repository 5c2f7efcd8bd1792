import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../client/runLedger';
import { TUTORIAL_PRESET } from '../../shared/config';
import { measurement } from '../../test/fixtures/epochs';
import { accuracyByEpoch, comparisonRows, lossByEpoch, type ComparedRun } from './compare';

function run(batchSize: number, accuracy: number): ComparedRun {
  const totalBatches = Math.ceil(60000 / batchSize);
  const summary: RunSummary = {
    id: String(batchSize),
    number: 1,
    name: `b${batchSize}`,
    createdAt: 0,
    config: { ...TUTORIAL_PRESET, batchSize, epochs: 1 },
    model: 'MLP 784-64-64-64-10',
    engine: 'CPU loops on js',
    state: 'done',
    trainingSeconds: 3,
    batches: totalBatches,
    totalBatches,
    testAccuracy: accuracy,
    bytes: 0,
    hasWeights: true,
  };
  const data = {
    id: summary.id,
    losses: Float32Array.from({ length: totalBatches }, (_, i) => 2 / (1 + i)),
    times: [],
    measurements: [measurement(totalBatches, { epoch: 1, testAccuracy: accuracy })],
    epochs: [],
    weights: null,
  };
  return { summary, data, color: '#fff' };
}

describe('comparing runs', () => {
  it('puts runs of different batch sizes on one epoch axis', () => {
    const a = lossByEpoch(run(10, 0.97), 0);
    const b = lossByEpoch(run(100, 0.95), 0);
    expect(a.at(-1)!.x).toBeCloseTo(1, 9);
    expect(b.at(-1)!.x).toBeCloseTo(1, 9);
    expect(a.length).toBeLessThanOrEqual(400);
    expect(accuracyByEpoch(run(100, 0.95))).toEqual([{ x: 1, y: 95 }]);
  });

  it('marks the settings and results that differ', () => {
    const rows = comparisonRows([run(10, 0.97), run(100, 0.95)]);
    const byLabel = Object.fromEntries(rows.map((r) => [r.label, r]));
    expect(byLabel['Batch size']).toEqual({ label: 'Batch size', values: ['10', '100'], differs: true });
    expect(byLabel['Learning rate'].differs).toBe(false);
    expect(byLabel['Test accuracy'].values).toEqual(['97.00%', '95.00%']);
  });
});
