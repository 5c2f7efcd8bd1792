import { describe, expect, it } from 'vitest';
import { TUTORIAL_PRESET } from '../shared/config';
import { createMetricsStore } from './metricsStore';
import type { RunData, RunLedger, RunSummary } from './runLedger';
import { RunRecorder } from './runRecorder';

/** A ledger whose saves finish only when the test says so, keeping what each wrote. */
function slowLedger() {
  const saved: RunSummary[] = [];
  const waiting: (() => void)[] = [];
  const ledger = {
    save: (summary: RunSummary, _data: RunData) =>
      new Promise<void>((resolve) =>
        waiting.push(() => {
          saved.push(summary);
          resolve();
        }),
      ),
  } as unknown as RunLedger;
  /** Finishes the save under way; resolves once the recorder has had its turn. */
  const finish = async () => {
    waiting.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { ledger, saved, finish };
}

describe('RunRecorder', () => {
  it('keeps a state and a name that arrive while a save is under way', async () => {
    const { ledger, saved, finish } = slowLedger();
    const store = createMetricsStore(() => 0);
    const recorder = new RunRecorder(
      ledger,
      store,
      () => {},
      () => {},
    );
    const run = recorder.start(3, TUTORIAL_PRESET, 'CPU loops');
    // An epoch's end starts a save; the run ends and is named while it is under way.
    recorder.receive({ type: 'epochEnd', runId: 3 } as never);
    recorder.receive({ type: 'state', runId: 3, state: 'done' });
    recorder.rename(run.id, 'Run 1', 1);
    await finish();
    await finish();
    expect(saved.map((s) => s.state)).toEqual(['training', 'done']);
    expect(saved.at(-1)!.name).toBe('Run 1');
    // Nothing later undoes them.
    recorder.receive({
      type: 'checkpoint',
      runId: 3,
      model: TUTORIAL_PRESET.model,
      params: new Float32Array(1),
    });
    await finish();
    expect(saved.at(-1)).toMatchObject({ state: 'done', name: 'Run 1', hasWeights: true });
  });
});
