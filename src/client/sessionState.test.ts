import { describe, expect, test } from 'vitest';
import { TUTORIAL_PRESET } from '../../shared/config';
import type { FromWorker } from '../../shared/protocol';
import { INITIAL, reduce, type Action, type TrainingState } from './useTraining';

const event = (msg: FromWorker): Action => ({ type: 'event', msg });

function started(): TrainingState {
  return reduce(INITIAL, {
    type: 'started',
    runId: 7,
    config: TUTORIAL_PRESET,
    name: 'Run 1',
    continued: false,
  });
}

describe('the training state machine', () => {
  test('an error about the current run ends it, so the page is not left "training"', () => {
    const s = reduce(
      started(),
      event({ type: 'error', code: 'busy', runId: 7, message: 'A run is in progress' }),
    );
    expect(s.run?.state).toBe('stopped');
    expect(s.errors.map((e) => e.code)).toEqual(['busy']);
  });

  test('an error about an older run leaves the current one alone', () => {
    const s = reduce(started(), event({ type: 'error', code: 'diverged', runId: 6, message: 'old' }));
    expect(s.run?.state).toBe('training');
  });

  test('a new run starts untrained, and idle (fresh weights) clears "trained"', () => {
    let s = reduce(
      started(),
      event({
        type: 'metrics',
        runId: 7,
        epoch: 1,
        firstBatch: 0,
        losses: new Float32Array(3),
        totalBatches: 9,
        trainingSeconds: 1,
      }),
    );
    expect(s.trained).toBe(true);
    s = reduce(s, { type: 'started', runId: 8, config: TUTORIAL_PRESET, name: 'Run 1', continued: false });
    expect(s.trained).toBe(false);
    s = reduce(
      s,
      event({
        type: 'metrics',
        runId: 8,
        epoch: 1,
        firstBatch: 0,
        losses: new Float32Array(3),
        totalBatches: 9,
        trainingSeconds: 1,
      }),
    );
    s = reduce(s, event({ type: 'state', runId: 8, state: 'idle' }));
    expect(s.trained).toBe(false);
  });

  test('progress after a data error does not hide the error', () => {
    let s = reduce(
      INITIAL,
      event({ type: 'error', code: 'data-missing', message: 'train-3.png could not be loaded (HTTP 404)' }),
    );
    s = reduce(
      s,
      event({ type: 'dataProgress', loadedBytes: 1, totalBytes: 2, imagesLoaded: 0, imagesTotal: 70000 }),
    );
    expect(s.data).toEqual({ status: 'error', message: 'train-3.png could not be loaded (HTTP 404)' });
  });
});
