import { describe, expect, it } from 'vitest';
import { TUTORIAL_PRESET } from '../shared/config';
import { createMetricsStore } from './metricsStore';
import type { RunData, RunLedger, RunSummary } from './runLedger';
import { RunRecorder } from './runRecorder';

/**
 * A ledger whose saves finish only when the test says so, keeping what each wrote: `started()`
 * resolves, once a save has begun, with the function that finishes it.
 */
function slowLedger() {
  const saved: RunSummary[] = [];
  const waiting: (() => void)[] = [];
  let onSave: (() => void) | null = null;
  const ledger = {
    save: (summary: RunSummary, _data: RunData) =>
      new Promise<void>((resolve) => {
        waiting.push(() => {
          saved.push(summary);
          resolve();
        });
        onSave?.();
      }),
  } as unknown as RunLedger;
  const started = () =>
    new Promise<() => void>((resolve) => {
      const take = () => resolve(waiting.shift()!);
      if (waiting.length) take();
      else onSave = () => ((onSave = null), take());
    });
  return { ledger, saved, started, waiting };
}

describe('RunRecorder', () => {
  it('keeps a state and a name that arrive while a save is under way', async () => {
    const { ledger, saved, started, waiting } = slowLedger();
    const store = createMetricsStore(() => 0);
    const recorder = new RunRecorder(
      ledger,
      store,
      () => {},
      () => {},
    );
    const run = recorder.start(TUTORIAL_PRESET, 'CPU loops');
    // An epoch's end starts a save, in a task of its own (not the message's: a save of the CNN's
    // weights is tens of ms); the run ends and is named while it is under way.
    recorder.receive({ type: 'epochEnd', runId: 3 } as never);
    expect(waiting).toHaveLength(0);
    const first = await started();
    recorder.receive({ type: 'state', runId: 3, state: 'done' });
    recorder.rename(run.id, 'Run 1', 1);
    first();
    // The save asked for meanwhile is made after it, with the newest state and name.
    (await started())();
    expect(saved.map((s) => s.state)).toEqual(['training', 'done']);
    expect(saved.at(-1)!.name).toBe('Run 1');
    // Nothing later undoes them.
    recorder.receive({
      type: 'checkpoint',
      runId: 3,
      model: TUTORIAL_PRESET.model,
      params: new Float32Array(1),
    });
    (await started())();
    expect(saved.at(-1)).toMatchObject({ state: 'done', name: 'Run 1', hasWeights: true });
  });
});
