/**
 * Each batch's loss, posted in order in chunks: about every CHUNK_MS the trainer drains the
 * engine's losses and hands them here, which posts the finite ones as one `metrics` message (a
 * transferred Float32Array) and keeps the epoch's mean. ~10 messages a second, never one a batch.
 */
import type { FromWorker } from '../../shared/protocol';

/** Losses are read back and posted about this often: ~10 messages a second, well under 30. */
export const CHUNK_MS = 100;

export type Emit = (msg: FromWorker, transfer?: Transferable[]) => void;

export class LossChunker {
  /** Steps whose losses have not been drained. */
  pending = 0;
  /** The global index of the next loss to post: every batch before it has been posted. */
  posted = 0;
  private lastPost = performance.now();
  private epochSum = 0;
  private epochCount = 0;
  private readonly runId: number;
  private readonly totalBatches: number;
  private readonly emit: Emit;

  constructor(runId: number, totalBatches: number, emit: Emit) {
    this.runId = runId;
    this.totalBatches = totalBatches;
    this.emit = emit;
  }

  /** Whether the pending losses should be drained now (`force`: an epoch's end, a pause, a stop). */
  due(force: boolean): boolean {
    return this.pending > 0 && (force || performance.now() - this.lastPost >= CHUNK_MS);
  }

  /**
   * Posts the drained `losses` (of epoch `epoch`) up to the first that is not finite. Returns the
   * global index of that batch, or -1 when all were finite.
   */
  post(losses: Float32Array, epoch: number): number {
    this.pending = 0;
    this.lastPost = performance.now();
    let finite = 0;
    while (finite < losses.length && Number.isFinite(losses[finite])) finite++;
    if (finite > 0) {
      const chunk = losses.slice(0, finite);
      for (const v of chunk) this.epochSum += v;
      this.epochCount += finite;
      const { runId, totalBatches } = this;
      this.emit({ type: 'metrics', runId, epoch, firstBatch: this.posted, losses: chunk, totalBatches }, [
        chunk.buffer,
      ]);
    }
    this.posted += finite;
    return finite < losses.length ? this.posted : -1;
  }

  /** The mean loss of the epoch's batches posted so far; starts the next epoch's. */
  takeEpochMean(): number {
    const mean = this.epochCount ? this.epochSum / this.epochCount : NaN;
    this.epochSum = 0;
    this.epochCount = 0;
    return mean;
  }

  /** Forgets pending losses (a recovery redoes those batches). */
  dropPending(): void {
    this.pending = 0;
  }
}
