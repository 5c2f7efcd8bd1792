/**
 * The last weights and optimizer state known finite, on the CPU: what a run falls back on when its
 * loss diverges or its device is lost, and what a new worker is restored from. Taken with a
 * drain (one sync) at most every SNAPSHOT_MS, less often for big models (~4,000 floats a ms).
 */
import type { EngineState } from '../../engines/engine';

const SNAPSHOT_MS = 500;

export class SnapshotKeeper {
  good: EngineState;
  private last = performance.now();
  private readonly intervalMs: number;

  constructor(start: EngineState) {
    this.good = start;
    const floats = start.params.length + start.slots.length;
    this.intervalMs = Math.max(SNAPSHOT_MS, floats / 4000);
  }

  /** Whether the next drain should bring the state (`force`: the run's last batch). */
  due(force: boolean): boolean {
    return force || performance.now() - this.last >= this.intervalMs;
  }

  /** Keeps `state` if every value in it is finite. */
  offer(state: EngineState): void {
    this.last = performance.now();
    if (state.params.every(Number.isFinite) && state.slots.every(Number.isFinite)) this.good = state;
  }
}
