/**
 * The last weights and optimizer state known finite, on the CPU, with the batch they were taken
 * before: what a run falls back on when its loss diverges or its device is lost. Taken with a
 * drain (one sync) at every epoch's end and at most every SNAPSHOT_MS between, less often for big
 * models (~4,000 floats a ms), so a recovery never reaches back past the current epoch unless a
 * snapshot was not finite.
 */
import type { EngineState } from '../../engines/engine';

const SNAPSHOT_MS = 500;

export interface Snapshot {
  state: EngineState;
  /** The global index of the first batch not in `state`. */
  batch: number;
}

export class SnapshotKeeper {
  good: Snapshot;
  private last = performance.now();
  private readonly intervalMs: number;

  /** `floats`: the state's size (weights and optimizer slots). */
  constructor(start: EngineState, floats: number) {
    this.good = { state: start, batch: 0 };
    this.intervalMs = Math.max(SNAPSHOT_MS, floats / 4000);
  }

  /** Whether the next drain should bring the state (`force`: an epoch's end). */
  due(force: boolean): boolean {
    return force || performance.now() - this.last >= this.intervalMs;
  }

  /** Keeps `state` (taken before global batch `batch`) if every value in it is finite. */
  offer(state: EngineState, batch: number): void {
    this.last = performance.now();
    if (state.params.every(Number.isFinite) && state.slots.every(Number.isFinite))
      this.good = { state, batch };
  }
}
