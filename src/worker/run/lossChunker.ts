/**
 * Each batch's loss, posted in order in chunks: about every CHUNK_MS the trainer drains the
 * engine's losses and hands them here, which posts the finite ones as one `metrics` message (a
 * transferred Float32Array) and keeps them all, for the epochs' means. ~10 messages a second,
 * never one a batch. After a recovery the batches since the snapshot are trained and posted
 * again: they replace the earlier ones, here and in the page's store.
 */
import type { Emit } from '../emit';

/** Losses are read back and posted about this often: ~10 messages a second, well under 30. */
export const CHUNK_MS = 100;

export class LossChunker {
  /** Steps whose losses have not been drained. */
  pending = 0;
  /** The global index of the next loss to post: every batch before it has been posted. */
  posted = 0;
  private lastPost = performance.now();
  /** Every posted loss of the run, by global batch. */
  private readonly all: Float32Array;
  private readonly runId: number;
  private readonly emit: Emit;

  constructor(runId: number, totalBatches: number, emit: Emit) {
    this.runId = runId;
    this.all = new Float32Array(totalBatches);
    this.emit = emit;
  }

  /** Whether the pending losses should be drained now (`force`: an epoch's end, a pause, a stop). */
  due(force: boolean): boolean {
    return this.pending > 0 && (force || performance.now() - this.lastPost >= CHUNK_MS);
  }

  /**
   * Posts the drained `losses` (of epoch `epoch`, after `trainingSeconds` of training) up to the
   * first that is not finite. Returns the global index of that batch, or -1 when all were finite.
   */
  post(losses: Float32Array, epoch: number, trainingSeconds: number): number {
    this.pending = 0;
    this.lastPost = performance.now();
    let finite = 0;
    while (finite < losses.length && Number.isFinite(losses[finite])) finite++;
    if (finite > 0) {
      const chunk = losses.slice(0, finite);
      this.all.set(chunk, this.posted);
      const { runId } = this;
      const totalBatches = this.all.length;
      this.emit(
        {
          type: 'metrics',
          runId,
          epoch,
          firstBatch: this.posted,
          losses: chunk,
          totalBatches,
          trainingSeconds,
        },
        [chunk.buffer],
      );
    }
    this.posted += finite;
    return finite < losses.length ? this.posted : -1;
  }

  /** The mean loss of batches first .. last (global indices, inclusive). */
  mean(first: number, last: number): number {
    let sum = 0;
    for (let i = first; i <= last; i++) sum += this.all[i];
    return last >= first ? sum / (last - first + 1) : NaN;
  }

  /** Back to global batch `to`: pending losses are dropped, and later ones will be posted again. */
  rewind(to: number): void {
    this.pending = 0;
    this.posted = to;
  }
}
