import { describe, expect, it } from 'vitest';
import type { EpochSummary } from '../shared/protocol';
import { epochSummary, measurement } from '../test/fixtures/epochs';
import { createMetricsStore } from './metricsStore';

/** A scheduler that runs the frame when the test says so. */
function manualFrames(): { schedule: (cb: () => void) => void; runFrame: () => void; pending: () => number } {
  let queue: (() => void)[] = [];
  return {
    schedule: (cb) => {
      queue.push(cb);
    },
    runFrame: () => {
      const run = queue;
      queue = [];
      for (const cb of run) cb();
    },
    pending: () => queue.length,
  };
}

function summary(epoch: number, lastBatch: number): EpochSummary {
  return epochSummary(epoch, { lastBatch, batch: lastBatch + 1, trainAccuracy: 0.9, testAccuracy: 0.89 });
}

describe('metricsStore', () => {
  it('notifies once per frame however many appends arrive, with every loss in order', () => {
    const frames = manualFrames();
    const store = createMetricsStore(frames.schedule);
    let lossCalls = 0;
    let epochCalls = 0;
    store.losses.subscribe(() => lossCalls++);
    store.measurements.subscribe(() => epochCalls++);

    // 40,000 batches in 1,000 messages: past the initial capacity, so the buffer grows mid-frame.
    const perMessage = 40;
    for (let m = 0; m < 1000; m++) {
      const losses = Float32Array.from({ length: perMessage }, (_, i) => m * perMessage + i);
      store.appendLosses(m * perMessage, losses, 40_000);
    }
    expect(frames.pending()).toBe(1);
    expect(lossCalls).toBe(0);
    expect(store.losses.getVersion()).toBe(0);

    frames.runFrame();
    expect(lossCalls).toBe(1);
    expect(epochCalls).toBe(0); // losses do not wake the accuracy chart
    expect(store.losses.getVersion()).toBe(1);
    const losses = store.getLosses();
    expect(losses).toHaveLength(40_000);
    for (let i = 0; i < losses.length; i++) if (losses[i] !== i) throw new Error(`loss ${i} is ${losses[i]}`);
    expect(store.getTotalBatches()).toBe(40_000);

    frames.runFrame(); // nothing changed: no new notification
    expect(lossCalls).toBe(1);
  });

  it('keeps epochs on their own channel, in order, replacing repeats', () => {
    const frames = manualFrames();
    const store = createMetricsStore(frames.schedule);
    let lossCalls = 0;
    let epochCalls = 0;
    store.losses.subscribe(() => lossCalls++);
    store.measurements.subscribe(() => epochCalls++);
    store.addEpoch(summary(2, 11_999));
    store.addEpoch(summary(1, 5999));
    store.addEpoch({ ...summary(2, 11_999), testAccuracy: 0.95 });
    frames.runFrame();
    expect(epochCalls).toBe(1);
    expect(lossCalls).toBe(0);
    expect(store.getEpochs().map((e) => e.epoch)).toEqual([1, 2]);
    expect(store.getEpochs()[1].testAccuracy).toBe(0.95);
  });

  it('fills skipped batches with NaN and stops notifying after unsubscribe', () => {
    const frames = manualFrames();
    const store = createMetricsStore(frames.schedule);
    let calls = 0;
    const unsubscribe = store.losses.subscribe(() => calls++);
    store.appendLosses(0, [1, 2]);
    store.appendLosses(4, [5]);
    frames.runFrame();
    expect(Array.from(store.getLosses())).toEqual([1, 2, Number.NaN, Number.NaN, 5]);
    unsubscribe();
    store.appendLosses(5, [6]);
    frames.runFrame();
    expect(calls).toBe(1);
  });

  it('reset empties both channels and notifies each once', () => {
    const frames = manualFrames();
    const store = createMetricsStore(frames.schedule);
    store.appendLosses(0, [1, 2, 3], 10);
    store.addEpoch(summary(1, 2));
    frames.runFrame();
    let lossCalls = 0;
    let epochCalls = 0;
    store.losses.subscribe(() => lossCalls++);
    store.measurements.subscribe(() => epochCalls++);
    store.reset();
    frames.runFrame();
    expect([lossCalls, epochCalls]).toEqual([1, 1]);
    expect(store.getLosses()).toHaveLength(0);
    expect(store.getEpochs()).toHaveLength(0);
    expect(store.getMeasurements()).toHaveLength(0);
    expect(store.getTimes()).toHaveLength(0);
    expect(store.getTotalBatches()).toBe(0);
  });

  it('keeps measurements and epoch ends in batch order, one per batch and kind, on one channel', () => {
    const frames = manualFrames();
    const store = createMetricsStore(frames.schedule);
    let calls = 0;
    store.measurements.subscribe(() => calls++);
    store.addMeasurement(measurement(600));
    store.addEpoch(summary(1, 5999));
    store.addMeasurement(measurement(300));
    store.addMeasurement(measurement(600, { testAccuracy: 0.5 })); // measured again after a recovery
    frames.runFrame();
    expect(calls).toBe(1);
    expect(store.getMeasurements().map((m) => [m.batch, m.full])).toEqual([
      [300, false],
      [600, false],
      [6000, true],
    ]);
    expect(store.getMeasurements()[1].testAccuracy).toBe(0.5);
    expect(store.getEpochs()).toHaveLength(1);
  });

  it('gives one array per change of the measurements: the same one until the next', () => {
    const frames = manualFrames();
    const store = createMetricsStore(frames.schedule);
    store.addMeasurement(measurement(300));
    const first = store.getMeasurements();
    expect(store.getMeasurements()).toBe(first);
    store.addMeasurement(measurement(600));
    const second = store.getMeasurements();
    expect(second).not.toBe(first);
    expect(first.map((m) => m.batch)).toEqual([300]); // what a memo kept does not change under it
    expect(second.map((m) => m.batch)).toEqual([300, 600]);
  });

  it('marks when each chunk of losses ended, dropping marks of batches posted again', () => {
    const store = createMetricsStore(manualFrames().schedule);
    store.appendLosses(0, [1, 2], 10, 0.5);
    store.appendLosses(2, [3, 4], 10, 1);
    store.appendLosses(2, [3], 10, 1.2); // a recovered run trains batch 3 again
    expect(store.getTimes()).toEqual([
      { batches: 2, seconds: 0.5 },
      { batches: 3, seconds: 1.2 },
    ]);
  });
});
