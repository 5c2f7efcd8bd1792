/**
 * Training metrics, kept outside React (STYLE.md section 3). Batch losses arrive in bursts of
 * hundreds per second; the store appends them to a growable typed array and tells its listeners
 * at most once per animation frame, so React renders the charts at most once per frame however
 * fast the worker posts.
 *
 * Two channels with their own version counters: losses (every `metrics` message) and
 * measurements (every `measurement` and `epochEnd`, some 20 an epoch). The accuracy chart and the
 * analysis listen to measurements only, so the per-batch stream never redraws them.
 */

import type { EpochSummary, Measurement } from '../shared/protocol';
import { createChannel, type Channel, type VersionChannel } from './versionChannel';

export type { VersionChannel };

/** Runs a callback before the next paint. `requestAnimationFrame` on the page; a fake in tests. */
export type FrameScheduler = (callback: () => void) => void;

/** When a chunk of losses ended: batches trained by then, and seconds of training. */
export interface TimeMark {
  batches: number;
  seconds: number;
}

/** Every batch loss, measurement and epoch summary of the current run. */
export interface MetricsStore {
  /** Bumped (once per frame at most) when losses or the expected total changed. */
  readonly losses: VersionChannel;
  /** Bumped (once per frame at most) when a measurement or an epoch summary arrived. */
  readonly measurements: VersionChannel;
  /**
   * Records the losses of batches `firstBatch`, `firstBatch + 1`, ... (global, 0-based), as a
   * `metrics` message carries them. Batches skipped over read as NaN until they arrive.
   * `totalBatches`, when given, is how many batches the whole run will have (for the x axis);
   * `trainingSeconds`, the seconds of training when the last of them ended.
   */
  appendLosses(
    firstBatch: number,
    losses: ArrayLike<number>,
    totalBatches?: number,
    trainingSeconds?: number,
  ): void;
  /** Records a measurement on slices; one at the same batch replaces it (a recovered run). */
  addMeasurement(measurement: Measurement): void;
  /**
   * Records an `epochEnd` summary, which is also the epoch's full measurement; a repeated epoch
   * number replaces the earlier one.
   */
  addEpoch(summary: EpochSummary): void;
  /** Replaces everything with a saved run's data (the run ledger's). Both channels are notified. */
  load(run: {
    losses: Float32Array;
    totalBatches: number;
    times: readonly TimeMark[];
    measurements: readonly Measurement[];
    epochs: readonly EpochSummary[];
  }): void;
  /** Forgets everything, e.g. for a new run or Reset. Both channels are notified. */
  reset(): void;
  /**
   * Loss of every batch so far, indexed by global batch. A view into the store's buffer: read it
   * during render and copy what you keep, because the next append may reallocate it.
   */
  getLosses(): Float32Array;
  /** Batches the run will have in total, or 0 when not known yet. */
  getTotalBatches(): number;
  /** Epoch summaries in epoch order. The same array until the next `addEpoch` or `reset`. */
  getEpochs(): readonly EpochSummary[];
  /**
   * Every measurement, on slices and at epochs' ends, by batch. The same array until the next
   * measurement, epoch or reset.
   */
  getMeasurements(): readonly Measurement[];
  /** Chunk ends in batch order: how batches map to seconds of training. */
  getTimes(): readonly TimeMark[];
}

/** Room for two epochs of the Tutorial preset (6,000 batches each) before the first regrowth. */
const INITIAL_CAPACITY = 16_384;

function requestFrame(callback: () => void): void {
  // Node (tests, SSR) has no requestAnimationFrame; a 16 ms timer stands in for a frame there.
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
}

/** A channel whose changes wait for the next frame: marked dirty, then bumped once. */
interface FrameChannel {
  channel: Channel;
  dirty: boolean;
}

function flushChannel(c: FrameChannel): void {
  if (!c.dirty) return;
  c.dirty = false;
  // The version moves only here, so a component that re-renders for another reason mid-frame
  // still sees the version it last rendered with and its memos hold.
  c.channel.bump();
}

/**
 * Creates an empty store. `schedule` decides when listeners hear about changes; it defaults to
 * `requestAnimationFrame`. Create one per app (module level or `useState(() => createMetricsStore())`).
 */
export function createMetricsStore(schedule: FrameScheduler = requestFrame): MetricsStore {
  const lossChannel: FrameChannel = { channel: createChannel(), dirty: false };
  const measurementChannel: FrameChannel = { channel: createChannel(), dirty: false };
  let buffer = new Float32Array(INITIAL_CAPACITY);
  let count = 0;
  let totalBatches = 0;
  let epochs: EpochSummary[] = [];
  // Appended to in place (a measurement a batch is a stream: copying the array for each was
  // O(n) a message); readers get a snapshot, made at most once per change they can see.
  let measurements: Measurement[] = [];
  let snapshot: readonly Measurement[] = [];
  let snapshotStale = false;
  let times: TimeMark[] = [];
  let frameRequested = false;

  function flush(): void {
    frameRequested = false;
    flushChannel(lossChannel);
    flushChannel(measurementChannel);
  }

  function changed(channel: FrameChannel): void {
    channel.dirty = true;
    if (frameRequested) return;
    frameRequested = true;
    schedule(flush);
  }

  function ensureCapacity(needed: number): void {
    if (needed <= buffer.length) return;
    // Doubling keeps appends amortised O(1); Float32 halves the memory of a plain number[].
    let capacity = buffer.length;
    while (capacity < needed) capacity *= 2;
    const grown = new Float32Array(capacity);
    grown.set(buffer.subarray(0, count));
    buffer = grown;
  }

  /** Adds `m` in batch order, replacing one of the same batch and kind. */
  function placeMeasurement(m: Measurement): void {
    const last = measurements.at(-1);
    const inOrder = !last || last.batch < m.batch || (last.batch === m.batch && !last.full && m.full);
    if (inOrder) measurements.push(m);
    else
      measurements = [...measurements.filter((x) => x.batch !== m.batch || x.full !== m.full), m].sort(
        (a, b) => a.batch - b.batch || Number(a.full) - Number(b.full),
      );
    snapshotStale = true;
    changed(measurementChannel);
  }

  /** The measurements as a new array when they changed, so that memos see the change by identity. */
  function readMeasurements(): readonly Measurement[] {
    if (snapshotStale) {
      snapshot = measurements.slice();
      snapshotStale = false;
    }
    return snapshot;
  }

  return {
    losses: lossChannel.channel,
    measurements: measurementChannel.channel,
    appendLosses(firstBatch, losses, total, trainingSeconds) {
      const end = firstBatch + losses.length;
      ensureCapacity(end);
      if (firstBatch > count) buffer.fill(Number.NaN, count, firstBatch);
      buffer.set(losses, firstBatch);
      count = Math.max(count, end);
      if (total !== undefined) totalBatches = total;
      if (trainingSeconds !== undefined) {
        // A recovered run posts batches again: the marks after them are of the lost ones.
        while (times.length > 0 && times[times.length - 1].batches >= end) times.pop();
        times.push({ batches: end, seconds: trainingSeconds });
      }
      changed(lossChannel);
    },
    addMeasurement: placeMeasurement,
    addEpoch(summary) {
      epochs = [...epochs.filter((e) => e.epoch !== summary.epoch), summary].sort(
        (a, b) => a.epoch - b.epoch,
      );
      placeMeasurement(summary);
    },
    load(run) {
      count = 0;
      ensureCapacity(run.losses.length);
      buffer.set(run.losses);
      count = run.losses.length;
      totalBatches = run.totalBatches;
      times = [...run.times];
      epochs = [...run.epochs];
      measurements = [...run.measurements];
      snapshotStale = true;
      changed(lossChannel);
      changed(measurementChannel);
    },
    reset() {
      count = 0;
      totalBatches = 0;
      epochs = [];
      measurements = [];
      snapshotStale = true;
      times = [];
      changed(lossChannel);
      changed(measurementChannel);
    },
    getLosses: () => buffer.subarray(0, count),
    getTotalBatches: () => totalBatches,
    getEpochs: () => epochs,
    getMeasurements: readMeasurements,
    getTimes: () => times,
  };
}
