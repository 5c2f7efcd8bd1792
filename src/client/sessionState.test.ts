import { describe, expect, test } from 'vitest';
import { TUTORIAL_PRESET } from '../shared/config';
import type { FromWorker } from '../shared/protocol';
import { INITIAL, reduce, type Action, type StateEvent, type TrainingState } from './sessionState';

const event = (msg: StateEvent): Action => ({ type: 'event', msg });

function started(): TrainingState {
  return reduce(INITIAL, {
    type: 'started',
    runId: 7,
    id: 'r7',
    config: TUTORIAL_PRESET,
    name: 'Run 1',
    continued: false,
  });
}

const metrics = (runId: number): Extract<FromWorker, { type: 'metrics' }> => ({
  type: 'metrics',
  runId,
  epoch: 1,
  firstBatch: 0,
  losses: new Float32Array(3),
  totalBatches: 9,
  trainingSeconds: 1,
});

describe('the training state machine', () => {
  test('a run whose model collapsed to one digit says so once, and its status says so', () => {
    const epochEnd = (epoch: number) =>
      event({
        type: 'epochEnd',
        runId: 7,
        epoch,
        testAccuracy: 0.098,
        learningRate: 1,
        // Every test image predicted as a 1.
        confusion: Array.from({ length: 100 }, (_, cell) => (cell % 10 === 1 ? 1000 : 0)),
      } as unknown as StateEvent);
    const once = reduce(started(), epochEnd(1));
    expect(once.errors.map((e) => e.code)).toEqual(['collapsed']);
    expect(once.errors[0].message).toContain('predicts 1 for 100.0% of the test images');
    expect(once.run?.collapsed).toBe(true);
    expect(reduce(once, epochEnd(2)).errors).toHaveLength(1);
  });

  test('an error about the current run ends it, so the page is not left "training"', () => {
    const s = reduce(started(), {
      type: 'notice',
      code: 'busy',
      message: 'A run is in progress',
      endsRun: true,
    });
    expect(s.run?.state).toBe('stopped');
    expect(s.errors.map((e) => e.code)).toEqual(['busy']);
  });

  test('an error about an older run leaves the current one alone', () => {
    const s = reduce(started(), { type: 'notice', code: 'diverged', message: 'old', endsRun: false });
    expect(s.run?.state).toBe('training');
  });

  test('a new run starts untrained, and idle (fresh weights) clears "trained"', () => {
    let s = reduce(started(), event(metrics(7)));
    expect(s.trained).toBe(true);
    s = reduce(s, {
      type: 'started',
      runId: 8,
      id: 'r8',
      config: TUTORIAL_PRESET,
      name: 'Run 1',
      continued: false,
    });
    expect(s.trained).toBe(false);
    s = reduce(s, event(metrics(8)));
    s = reduce(s, event({ type: 'state', runId: 8, state: 'idle' }));
    expect(s.trained).toBe(false);
  });

  test('progress after a data error does not hide the error', () => {
    let s = reduce(INITIAL, {
      type: 'notice',
      code: 'data-missing',
      message: 'train-3.png could not be loaded (HTTP 404)',
    });
    s = reduce(
      s,
      event({ type: 'dataProgress', loadedBytes: 1, totalBytes: 2, imagesLoaded: 0, imagesTotal: 70000 }),
    );
    expect(s.data).toEqual({ status: 'error', message: 'train-3.png could not be loaded (HTTP 404)' });
  });

  test('the latest errors are kept, each with an id of its own, and dismissed by it', () => {
    let s = INITIAL;
    for (let i = 0; i < 6; i++) s = reduce(s, { type: 'notice', code: 'storage', message: `full ${i}` });
    expect(s.errors.map((e) => e.message)).toEqual(['full 2', 'full 3', 'full 4', 'full 5']);
    expect(new Set(s.errors.map((e) => e.id)).size).toBe(4);
    s = reduce(s, { type: 'dismiss', id: s.errors[0].id });
    expect(s.errors.map((e) => e.message)).toEqual(['full 3', 'full 4', 'full 5']);
  });
});
