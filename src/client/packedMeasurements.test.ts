import { describe, expect, it } from 'vitest';
import type { Measurement } from '../shared/protocol';
import { packMeasurements, unpackMeasurements } from './packedMeasurements';

const measurement = (batch: number, full = false): Measurement => ({
  runId: 3,
  batch,
  epoch: batch / 100,
  trainingSeconds: batch / 7,
  evalSeconds: 0.0125,
  trainLoss: 1 / batch,
  trainAccuracy: 0.5 + batch / 1000,
  trainCount: 1000,
  testLoss: 2 / batch,
  testAccuracy: 0.25 + batch / 1000,
  testCount: 1000,
  full,
});

describe('packed measurements', () => {
  it('give back every measurement as it was, in batch order, epochs’ ends with all their fields', () => {
    const epochEnd = { ...measurement(100, true), confusion: [1, 2, 3], epochs: 3 } as Measurement;
    const all = [measurement(1), measurement(50), measurement(100), epochEnd, measurement(101)];
    const packed = packMeasurements(all);
    expect(packed.slices).toBeInstanceOf(Float64Array);
    expect(packed.full).toEqual([epochEnd]);
    expect(unpackMeasurements(structuredClone(packed))).toEqual(all);
  });

  it('read the arrays earlier versions stored', () => {
    const old = [measurement(1), measurement(2)];
    expect(unpackMeasurements(old)).toEqual(old);
  });
});
