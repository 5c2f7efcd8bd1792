import { describe, expect, it } from 'vitest';
import { epochSummary, measurement } from '../test/fixtures/epochs';
import { CSV_HEADER, runCsv } from './runCsv';

describe('runCsv', () => {
  it('writes every batch and every measurement, in batch order, with seconds only where taken', () => {
    const csv = runCsv({
      name: 'run-1 MLP 784-64-10',
      losses: Float32Array.of(2.3, 1.5, 1.1, 0.9),
      times: [{ batches: 2, seconds: 0.25 }],
      measurements: [measurement(2, { trainAccuracy: 0.5 }), epochSummary(1, { batch: 4 })],
      batchesPerEpoch: 4,
    });
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual([
      'batch',
      'batch',
      'measurement',
      'batch',
      'batch',
      'epoch',
    ]);
    expect(lines[1]).toBe('run-1 MLP 784-64-10,batch,1,0.25,,2.3,,,,,,');
    expect(lines[2].split(',')[4]).toBe('0.25');
    expect(lines[3].split(',').slice(2, 8)).toEqual(['2', '0.000333', '0.01', '', '0.3', '0.5']);
    expect(lines[6].split(',').slice(-2)).toEqual(['60000', '10000']);
    // Every row has the header's columns.
    expect(lines.every((l) => l.split(',').length === CSV_HEADER.split(',').length)).toBe(true);
  });

  it('quotes a run name with a comma', () => {
    const csv = runCsv({
      name: 'CNN 32x5, 64x5',
      losses: [1],
      times: [],
      measurements: [],
      batchesPerEpoch: 1,
    });
    expect(csv.split('\n')[1].startsWith('"CNN 32x5, 64x5",batch,1,')).toBe(true);
  });
});
