import { afterEach, describe, expect, it, vi } from 'vitest';
import { ResidentData } from '../../engines/data';
import { initialParams, netLayout } from '../../engines/layout';
import { TUTORIAL_MODEL } from '../../shared/modelSpec';
import { loadMnistSubset } from '../../test/fixtures/mnist';
import type { MeasureJob } from './evaluator';
import { createEvaluator } from './port';

/** A Worker whose script fails to load: the browser fires `error` on it, as for a 404 or a CSP refusal. */
class FailingWorker {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  onerror: ((e: { preventDefault(): void }) => void) | null = null;
  posted: unknown[] = [];
  terminated = false;
  constructor() {
    setTimeout(() => this.onerror?.({ preventDefault() {} }), 5);
  }
  postMessage(msg: unknown) {
    this.posted.push(msg);
  }
  terminate() {
    this.terminated = true;
  }
}

describe('the evaluator port', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is inline where no Worker exists', () => {
    expect(createEvaluator(new ResidentData()).inline).toBe(true);
  });

  it('measures inline, on the shared data, what a worker that failed to start was asked', async () => {
    vi.stubGlobal('Worker', FailingWorker);
    const data = new ResidentData();
    data.set(loadMnistSubset(500, 200));
    const port = createEvaluator(data);
    expect(port.inline).toBe(false);
    const job: MeasureJob = {
      runId: 1,
      model: TUTORIAL_MODEL,
      params: initialParams(netLayout(TUTORIAL_MODEL), 0),
      batch: 5,
      epoch: 0.1,
      trainingSeconds: 0.5,
      trainRows: Int32Array.of(0, 1, 2, 3),
      testRows: null,
    };
    // Asked before the failure is known: answered after it, by the fallback.
    const { measurement } = await port.measure(job);
    expect(port.inline).toBe(true);
    expect([measurement.trainCount, measurement.testCount, measurement.batch]).toEqual([4, 200, 5]);
    port.dispose();
  });
});
