/**
 * Measurements as the ledger stores them: the slice measurements as columns of numbers, the few
 * taken at epochs' ends as they are. Putting 18,000 measurement objects into IndexedDB (a
 * measurement a batch, "Evaluate every" 1) cloned them on the page's thread for 40-80 ms at every
 * save; columns are copied whole.
 */
import type { Measurement } from '../shared/protocol';

/** The numeric fields of a measurement, each a column. */
const COLUMNS = [
  'runId',
  'batch',
  'epoch',
  'trainingSeconds',
  'evalSeconds',
  'trainLoss',
  'trainAccuracy',
  'trainCount',
  'testLoss',
  'testAccuracy',
  'testCount',
] as const satisfies readonly (keyof Measurement)[];

export interface PackedMeasurements {
  packed: 1;
  /** The slice measurements, field by field (COLUMNS' order), one Float64Array of count * fields. */
  slices: Float64Array;
  /** The measurements of all images (epochs' ends), as they were. */
  full: Measurement[];
}

export function packMeasurements(measurements: readonly Measurement[]): PackedMeasurements {
  const slices = measurements.filter((m) => !m.full);
  const values = new Float64Array(slices.length * COLUMNS.length);
  slices.forEach((m, i) => COLUMNS.forEach((key, k) => (values[i * COLUMNS.length + k] = m[key])));
  return { packed: 1, slices: values, full: measurements.filter((m) => m.full) };
}

/** The measurements in batch order (a slice before the full measurement of the same batch). */
export function unpackMeasurements(stored: PackedMeasurements | readonly Measurement[]): Measurement[] {
  if (!('packed' in stored)) return [...stored];
  const count = stored.slices.length / COLUMNS.length;
  const slices = Array.from({ length: count }, (_, i) => {
    const m = { full: false } as Measurement;
    COLUMNS.forEach((key, k) => (m[key] = stored.slices[i * COLUMNS.length + k]));
    return m;
  });
  return [...slices, ...stored.full].sort((a, b) => a.batch - b.batch || Number(a.full) - Number(b.full));
}
