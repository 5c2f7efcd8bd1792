import { describe, expect, test, vi } from 'vitest';
import { TUTORIAL_PRESET } from '../shared/config';
import type { ModelSpec } from '../shared/modelSpec';
import type { FromWorker, ToWorker } from '../shared/protocol';
import { FakeWorker } from '../test/fixtures/fakeWorker';
import type { RunData, RunLedger, RunSummary } from './runLedger';
import { TrainingClient } from './trainingClient';
import { TrainingSession } from './trainingSession';

/** A ledger that keeps nothing and never fails. */
const emptyLedger = () =>
  ({
    list: async () => [],
    data: async () => undefined,
    generation: 0,
    create: async (s: RunSummary) => ({ ...s, number: 1, name: s.name ?? 'Run 1' }),
    update: async (s: RunSummary) => s,
    rename: async () => {},
    remove: async () => {},
    clear: async () => {},
  }) as unknown as RunLedger;

/**
 * A session on a fake worker that answers nothing by itself: `say` posts an event from the worker
 * and resolves once the session has taken it in (the session listens first, so a later listener
 * hears each event after it).
 */
function sessionOnFakeWorker(
  ledger: () => RunLedger = emptyLedger,
  answer: (msg: ToWorker, reply: (m: FromWorker) => void) => void = () => {},
) {
  const workers: FakeWorker[] = [];
  const client = new TrainingClient(
    'auto',
    () => {
      workers.push(new FakeWorker(answer));
      return workers.at(-1) as unknown as Worker;
    },
    null,
  );
  const worker = () => workers.at(-1)!;
  const session = new TrainingSession('auto', { client, ledger });
  const say = (msg: FromWorker) =>
    new Promise<void>((resolve) => {
      const off = client.on((m) => {
        if (JSON.stringify(m) === JSON.stringify(msg)) {
          off();
          resolve();
        }
      });
      worker().say(msg);
    });
  /** Resolves with the first message of `type` the newest worker received, once it has. */
  const received = <T extends ToWorker['type']>(type: T) =>
    new Promise<Extract<ToWorker, { type: T }>>((resolve) => {
      const look = () => {
        const found = worker().received.find((m) => m.type === type);
        if (found) resolve(found as Extract<ToWorker, { type: T }>);
        else setImmediate(look);
      };
      look();
    });
  return { session, client, say, received };
}

const losses = (runId: number, firstBatch: number, n: number): FromWorker => ({
  type: 'metrics',
  runId,
  epoch: 1,
  firstBatch,
  losses: new Float32Array(n).fill(1),
  totalBatches: 100,
  trainingSeconds: 1,
});

describe('TrainingSession', () => {
  test('an error about its run stops it; one about an older run leaves it training', async () => {
    const { session, say } = sessionOnFakeWorker();
    session.train({ ...TUTORIAL_PRESET, epochs: 1 }); // run 1
    session.train({ ...TUTORIAL_PRESET, epochs: 1 }); // run 2, current
    await say({ type: 'error', code: 'diverged', runId: 1, message: 'old run' });
    expect(session.getState().run?.state).toBe('training');
    await say({ type: 'error', code: 'busy', runId: 2, message: 'A run is in progress' });
    expect(session.getState().run?.state).toBe('stopped');
    expect(session.getState().errors.map((e) => e.code)).toEqual(['diverged', 'busy']);
    session.client.dispose();
  });

  test('a run’s late losses and measurements stay off the next run’s charts, and off them after a reset', async () => {
    const { session, say } = sessionOnFakeWorker();
    session.train(TUTORIAL_PRESET); // run 1
    await say(losses(1, 0, 5));
    expect(session.metrics.getLosses().length).toBe(5);
    session.train(TUTORIAL_PRESET); // run 2: the store starts over
    await say(losses(1, 5, 5)); // run 1's last chunk, arriving late
    await say({ type: 'measurement', ...measurementOf(1) });
    expect(session.metrics.getLosses().length).toBe(0);
    expect(session.metrics.getMeasurements()).toEqual([]);
    await say(losses(2, 0, 3));
    expect(session.metrics.getLosses().length).toBe(3);
    session.reset(TUTORIAL_PRESET);
    await say(losses(2, 3, 3));
    expect(session.metrics.getLosses().length).toBe(0);
    expect(session.getState().run).toBeNull();
    session.client.dispose();
  });

  test('its state changes are told on its channel, once per change, and nothing else is', async () => {
    const { session, say } = sessionOnFakeWorker();
    const version = session.changes.getVersion();
    const told: unknown[] = [];
    const off = session.changes.subscribe(() => told.push(session.getState()));
    session.train(TUTORIAL_PRESET);
    await say({ type: 'state', runId: 1, state: 'paused' });
    const before = told.length;
    await say(losses(7, 0, 3)); // another run's: no change
    expect(told.length).toBe(before);
    expect(new Set(told).size).toBe(told.length); // each time a new state
    expect(session.changes.getVersion()).toBe(version + told.length);
    expect(session.getState().run?.state).toBe('paused');
    off();
    session.client.dispose();
  });

  test('on a first load the last saved run comes back: its curves, its name, its weights in the worker', async () => {
    const saved = savedRun();
    const ledger = () =>
      ({
        ...emptyLedger(),
        list: async () => [saved.summary],
        data: async () => saved.data,
      }) as unknown as RunLedger;
    const { session, received } = sessionOnFakeWorker(ledger);
    await Promise.all([session.restoreLatest(), session.restoreLatest()]); // once, however often asked
    expect(session.getState().run).toMatchObject({ name: 'Run 4', state: 'stopped', runId: 0 });
    expect(session.getState().trained).toBe(true);
    expect(Array.from(session.metrics.getLosses())).toEqual([2, 1]);
    const restore = await received('restore');
    expect(Array.from(restore.params)).toEqual([0.5, 0.25]);
    expect(Array.from(saved.data.weights!.params)).toEqual([0.5, 0.25]); // the page keeps its own
    session.client.dispose();
  });

  test('an imported model is the current one, kept in the ledger, and what a new worker takes over', async () => {
    const saves: RunSummary[] = [];
    const ledger = () =>
      ({
        ...emptyLedger(),
        create: async (s: RunSummary) => (saves.push(s), s),
      }) as unknown as RunLedger;
    const model: ModelSpec = { kind: 'mlp', hidden: [4] };
    const { session, client, received } = sessionOnFakeWorker(ledger, (msg, reply) => {
      if (msg.type === 'importSafetensors')
        reply({
          type: 'reply',
          requestId: msg.requestId,
          reply: { model, params: Float32Array.of(3, 4), accuracy: 0.9, loss: 0.3, confusion: [] },
        });
    });
    const file = new File([new Uint8Array(16)], 'net.safetensors');
    expect(await session.importModel([file])).toEqual({
      name: 'net.safetensors',
      model: 'MLP 784-4-10',
      accuracy: 0.9,
    });
    expect(session.getState().run).toMatchObject({ name: 'Imported net.safetensors', runId: 0 });
    expect(saves.map((s) => s.name)).toEqual(['Imported net.safetensors']);
    // A worker that does not answer Stop is replaced: the new one takes the imported model over.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stopped = client.stop();
    vi.advanceTimersByTime(5_000);
    vi.useRealTimers();
    await stopped;
    const restore = await received('restore');
    expect(Array.from(restore.params)).toEqual([3, 4]);
    session.client.dispose();
  });
});

/** A saved run of two batches, with weights. */
function savedRun(): { summary: RunSummary; data: RunData } {
  const model: ModelSpec = { kind: 'mlp', hidden: [4] };
  return {
    summary: {
      id: 'r4',
      number: 4,
      name: 'Run 4',
      createdAt: 0,
      config: { ...TUTORIAL_PRESET, model },
      model: 'MLP 784-4-10',
      engine: 'CPU loops on js',
      state: 'training',
      trainingSeconds: 1,
      batches: 2,
      totalBatches: 2,
      testAccuracy: null,
      bytes: 8,
      hasWeights: true,
    },
    data: {
      id: 'r4',
      losses: Float32Array.of(2, 1),
      times: [],
      measurements: [],
      epochs: [],
      weights: { model, params: Float32Array.of(0.5, 0.25), batch: 2 },
    },
  };
}

function measurementOf(runId: number) {
  return {
    runId,
    batch: 7,
    epoch: 0.07,
    trainingSeconds: 1,
    evalSeconds: 0.1,
    trainLoss: 1,
    trainAccuracy: 0.5,
    trainCount: 100,
    testLoss: 1,
    testAccuracy: 0.5,
    testCount: 100,
    full: false,
  };
}
