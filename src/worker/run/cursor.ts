/**
 * Where a run is: which batch comes next, in which epoch, from which shuffle. Each epoch's shuffle
 * is drawn from the run's seed and the epoch's number alone, so a cursor rewound into an epoch
 * (after a lost device) takes the same batches again. Pure.
 */
import { deriveSeed, mulberry32, shuffledIndices } from '../../shared/random';

export class BatchCursor {
  /** Batches per epoch, and in the whole run. */
  readonly perEpoch: number;
  readonly total: number;
  /** The global index (from 0) of the next batch to train. */
  next = 0;
  /** The epoch (from 1) whose shuffle `order` is; 0 before the first. */
  epoch = 0;
  /** The current epoch's shuffle: [count] row indices. */
  order: Int32Array = new Int32Array(0);
  private readonly count: number;
  private readonly batchSize: number;
  private readonly seed: number;

  constructor(count: number, batchSize: number, epochs: number, seed: number) {
    this.count = count;
    this.batchSize = batchSize;
    this.seed = seed;
    this.perEpoch = Math.ceil(count / batchSize);
    this.total = this.perEpoch * epochs;
  }

  get done(): boolean {
    return this.next >= this.total;
  }

  /** The next batch's epoch's shuffle if it is not `order` yet (a new epoch), else null. */
  newOrder(): Int32Array | null {
    const epoch = Math.floor(this.next / this.perEpoch) + 1;
    if (epoch === this.epoch) return null;
    this.epoch = epoch;
    this.order = shuffledIndices(this.count, mulberry32(deriveSeed(this.seed, epoch)));
    return this.order;
  }

  /** The next batch: rows order[start, start + size) (the last of an epoch may be short). */
  batch(): { start: number; size: number } {
    const start = (this.next % this.perEpoch) * this.batchSize;
    return { start, size: Math.min(this.batchSize, this.count - start) };
  }

  /** Moves past the batch just trained; true when it was the last of its epoch. */
  advance(): boolean {
    this.next++;
    return this.next % this.perEpoch === 0;
  }

  /** Goes back to global batch `to` (its epoch's shuffle is drawn again if needed). */
  rewind(to: number): void {
    this.next = to;
  }
}
