/**
 * A run's full log as CSV, like the series' model.log: every batch's loss, then (in batch order
 * with them) every measurement. Pure: the page turns it into a download (ChartControls.tsx, the Runs tab).
 */
import type { TimeMark } from './metricsStore';
import type { Measurement } from '../shared/protocol';

export const CSV_HEADER =
  'run,kind,batch,epoch,seconds,loss,train_loss,train_accuracy,test_loss,test_accuracy,train_images,test_images';

export interface RunLog {
  /** e.g. "run-3 MLP 784-64-64-64-10"; quoted when it holds a comma or a quote. */
  name: string;
  /** Every batch's loss by global batch (NaN: not posted). */
  losses: ArrayLike<number>;
  /** Chunk ends: the batches whose seconds of training are known. */
  times: readonly TimeMark[];
  measurements: readonly Measurement[];
  batchesPerEpoch: number;
}

function quote(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const num = (v: number, digits: number) => (Number.isFinite(v) ? String(Number(v.toFixed(digits))) : '');

/**
 * One row a batch (kind "batch": its loss; its seconds only where a chunk ended, the only
 * batches whose time was taken) and one a measurement (kind "measurement" on the slices,
 * "epoch" on all images), each after the batch it followed.
 */
export function runCsv(log: RunLog): string {
  const run = quote(log.name);
  const per = Math.max(1, log.batchesPerEpoch);
  const seconds = new Map(log.times.map((t) => [t.batches, t.seconds]));
  const rows: string[] = [CSV_HEADER];
  let next = 0;
  const measurementRows = (upTo: number) => {
    const ms = log.measurements;
    while (next < ms.length && ms[next].batch <= upTo) {
      const m = ms[next++];
      rows.push(
        [
          run,
          m.full ? 'epoch' : 'measurement',
          m.batch,
          num(m.epoch, 6),
          num(m.trainingSeconds, 3),
          '',
          num(m.trainLoss, 6),
          num(m.trainAccuracy, 6),
          num(m.testLoss, 6),
          num(m.testAccuracy, 6),
          m.trainCount,
          m.testCount,
        ].join(','),
      );
    }
  };
  for (let i = 0; i < log.losses.length; i++) {
    const batch = i + 1;
    const s = seconds.get(batch);
    rows.push(
      `${run},batch,${batch},${num(batch / per, 6)},${s === undefined ? '' : num(s, 3)},${num(log.losses[i], 6)},,,,,,`,
    );
    measurementRows(batch);
  }
  measurementRows(Infinity);
  return `${rows.join('\n')}\n`;
}
