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
  const tick = () => new Promise((r) => setTimeout(r, 0));
  /**
   * Finishes the save under way (one asked for starts a task later); resolves once the recorder
   * has had its turn, and started the next save if it has one.
   */
  const finish = async () => {
    await tick();
    waiting.shift()?.();
    await tick();
    await tick();
  };
  return { ledger, saved, finish, waiting };
}

describe('RunRecorder', () => {
  it('keeps a state and a name that arrive while a save is under way', async () => {
    const { ledger, saved, finish, waiting } = slowLedger();
    const store = createMetricsStore(() => 0);
    const recorder = new RunRecorder(
      ledger,
      store,
      () => {},
      () => {},
    );
    const run = recorder.start(3, TUTORIAL_PRESET, 'CPU loops');
    // An epoch's end starts a save, in a task of its own (not the message's: a save of the CNN's
    // weights is tens of ms); the run ends and is named while it is under way.
    recorder.receive({ type: 'epochEnd', runId: 3 } as never);
    expect(waiting).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 0));
    expect(waiting).toHaveLength(1);
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
