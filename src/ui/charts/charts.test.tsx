// @vitest-environment jsdom
import { Profiler, act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetricsStore, type MetricsStore } from '../../client/metricsStore';
import type { EpochSummary } from '../../shared/protocol';
import { epochSummary } from '../../test/fixtures/epochs';
import { AccuracyChart } from './AccuracyChart';
import { LossChart } from './LossChart';
import { DEFAULT_VIEW } from './series';

// React only checks act() warnings when this flag is set.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function epoch(n: number): EpochSummary {
  return epochSummary(n, { lastBatch: n * 100 - 1, batch: n * 100, seconds: 3 });
}

describe('LossChart and AccuracyChart', () => {
  let container: HTMLDivElement;
  let root: Root;
  let frames: (() => void)[];
  let store: MetricsStore;
  const renders = { loss: 0, accuracy: 0 };

  beforeEach(() => {
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
    frames = [];
    store = createMetricsStore((cb) => frames.push(cb));
    renders.loss = 0;
    renders.accuracy = 0;
    act(() =>
      root.render(
        <>
          <Profiler id="loss" onRender={() => renders.loss++}>
            <LossChart store={store} view={DEFAULT_VIEW} batchesPerEpoch={100} />
          </Profiler>
          <Profiler id="accuracy" onRender={() => renders.accuracy++}>
            <AccuracyChart store={store} view={DEFAULT_VIEW} batchesPerEpoch={100} totalBatches={300} />
          </Profiler>
        </>,
      ),
    );
  });

  afterEach(() => {
    act(() => root.unmount());
    container.remove();
  });

  function runFrame(): void {
    act(() => {
      const run = frames;
      frames = [];
      for (const cb of run) cb();
    });
  }

  const caption = (label: string) =>
    container.querySelector(`figure[aria-label="${label}"] figcaption`)?.textContent ?? '';

  it('shows empty states, then captions with the latest batch and epoch', () => {
    expect(container.querySelector('figure[aria-label="Loss chart"]')?.textContent).toContain('Press Train');
    expect(caption('Accuracy chart')).toBe('No measurements yet.');

    act(() =>
      store.appendLosses(
        0,
        Float32Array.from({ length: 100 }, (_, i) => 2 / (1 + i)),
        300,
      ),
    );
    runFrame();
    expect(caption('Loss chart')).toMatch(/batch 100 of 300, loss 0\.0200 \(smoothed \d\.\d{4}\)/);

    act(() => store.addEpoch(epoch(1)));
    runFrame();
    expect(caption('Accuracy chart')).toContain('epoch 1');
    expect(caption('Accuracy chart')).toContain('train 96.1%');
    expect(caption('Accuracy chart')).toContain('test 95.8%');
  });

  it('re-renders the loss chart once per frame (plot deferred) and never the accuracy chart for losses', () => {
    const before = { ...renders };
    act(() => {
      for (let m = 0; m < 50; m++) store.appendLosses(m * 10, new Float32Array(10).fill(1));
    });
    expect(renders).toEqual(before);
    runFrame();
    // Fifty messages, one frame: one urgent commit (the caption) and one deferred (the plot).
    expect(renders.loss).toBe(before.loss + 2);
    expect(renders.accuracy).toBe(before.accuracy);
    expect(caption('Loss chart')).toContain('batch 500');
  });
});
