import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { TUTORIAL_PRESET } from '../shared/config';
import { createMetricsStore } from './metricsStore';
import { RunLedger, type NewRun, type RunData, type RunSummary } from './runLedger';
import { RunRecorder } from './runRecorder';

/**
 * A ledger whose saves finish only when the test says so, keeping what each wrote: `started()`
 * resolves, once a save has begun, with the function that finishes it.
 */
function slowLedger() {
  const saved: RunSummary[] = [];
  const waiting: (() => void)[] = [];
  let onSave: (() => void) | null = null;
  const save = (summary: RunSummary, _data: RunData) =>
    new Promise<RunSummary>((resolve) => {
      waiting.push(() => {
        const written = { ...summary, number: 1, name: summary.name ?? 'Run 1' };
        saved.push(written);
        resolve(written);
      });
      onSave?.();
    });
  const ledger = { generation: 0, create: save, update: save } as unknown as RunLedger;
  const started = () =>
    new Promise<() => void>((resolve) => {
      const take = () => resolve(waiting.shift()!);
      if (waiting.length) take();
      else onSave = () => ((onSave = null), take());
    });
  return { ledger, saved, started, waiting };
}

const quiet = { error: () => {}, named: () => {}, gone: () => {}, keptAgain: () => {} };

let dbs = 0;
/** A ledger on a fresh database (fake-indexeddb), and its name. */
function realLedger() {
  const name = `recorder-test-${++dbs}`;
  return { name, ledger: new RunLedger(name) };
}

const emptyData: RunData = {
  id: '',
  losses: new Float32Array(0),
  times: [],
  measurements: [],
  epochs: [],
  weights: null,
};
const runOf = (id: string): NewRun => ({
  id,
  createdAt: 0,
  config: TUTORIAL_PRESET,
  model: 'MLP',
  engine: 'test',
  state: 'done',
  trainingSeconds: 0,
  batches: 0,
  totalBatches: 0,
  testAccuracy: null,
  bytes: 0,
  hasWeights: false,
});

describe('RunRecorder', () => {
  it('keeps a state and a name that arrive while a save is under way', async () => {
    const { ledger, saved, started, waiting } = slowLedger();
    const store = createMetricsStore(() => 0);
    const named: string[] = [];
    const recorder = new RunRecorder(ledger, store, {
      ...quiet,
      named: (_id, name) => named.push(name),
    });
    const run = recorder.start(TUTORIAL_PRESET, 'CPU loops');
    // Its record is written at once, in a task of its own (not the message's: a save of the CNN's
    // weights is tens of ms), and numbered there.
    expect(waiting).toHaveLength(0);
    (await started())();
    await recorder.idle();
    expect(named).toEqual(['Run 1']);
    // An epoch's end starts a save; the run ends and is renamed while it is under way.
    recorder.receive({ type: 'epochEnd', runId: 3 } as never);
    const first = await started();
    recorder.receive({ type: 'state', runId: 3, state: 'done' });
    recorder.rename(run.id, 'my run');
    first();
    // The save asked for meanwhile is made after it, with the newest state and name.
    (await started())();
    expect(saved.map((s) => s.state)).toEqual(['training', 'training', 'done']);
    expect(saved.at(-1)!.name).toBe('my run');
    // Nothing later undoes them.
    recorder.receive({
      type: 'checkpoint',
      runId: 3,
      model: TUTORIAL_PRESET.model,
      params: new Float32Array(1),
    });
    (await started())();
    expect(saved.at(-1)).toMatchObject({ state: 'done', name: 'my run', hasWeights: true });
  });

  it('stops recording a run deleted in another tab, and keeps recording one whose site data was cleared', async () => {
    const { name, ledger } = realLedger();
    const gone: string[] = [];
    const keptAgain: string[] = [];
    const recorder = new RunRecorder(
      ledger,
      createMetricsStore(() => 0),
      {
        ...quiet,
        gone: (_id, runName) => gone.push(runName),
        keptAgain: (_id, runName) => keptAgain.push(runName),
      },
    );
    const deleted = recorder.start(TUTORIAL_PRESET, 'CPU loops');
    await recorder.idle();
    await new RunLedger(name).remove(deleted.id); // another tab
    await recorder.check();
    await recorder.idle();
    expect(gone).toEqual(['Run 1']);
    expect(recorder.recordingId).toBeNull();
    expect(await ledger.list()).toEqual([]);

    const cleared = recorder.start(TUTORIAL_PRESET, 'CPU loops');
    await recorder.idle();
    await ledger.create({ ...runOf(cleared.id), id: 'other' }, { ...emptyData, id: 'other' });
    ledger.generation++; // as when the browser closed the database, its data cleared
    await ledger.clear();
    await recorder.check();
    await recorder.idle();
    expect(keptAgain).toEqual(['Run 1']);
    expect(recorder.recordingId).toBe(cleared.id);
    expect((await ledger.list()).map((r) => [r.id, r.name])).toEqual([[cleared.id, 'Run 1']]);

    // A run that has ended, cleared away with the rest, stays away.
    recorder.receive({ type: 'state', runId: 1, state: 'done' });
    await recorder.idle();
    ledger.generation++;
    await ledger.clear();
    await recorder.check();
    await recorder.idle();
    expect(recorder.recordingId).toBeNull();
    expect(await ledger.list()).toEqual([]);
  });

  it("reads, not writes, when another tab's save is heard: two recording tabs do not echo each other", async () => {
    const { name, ledger } = realLedger();
    const other = new RunLedger(name);
    const recorder = new RunRecorder(
      ledger,
      createMetricsStore(() => 0),
      quiet,
    );
    recorder.start(TUTORIAL_PRESET, 'CPU loops');
    await recorder.idle();
    let writes = 0;
    ledger.onChange((c) => c.kind === 'changed' && c.here && writes++);
    await other.create({ ...runOf('b'), id: 'b' }, { ...emptyData, id: 'b' }); // the other tab saves
    await recorder.check();
    await recorder.idle();
    expect(writes).toBe(0);
  });
});
