import 'fake-indexeddb/auto';
import { forceCloseDatabase } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { TUTORIAL_PRESET } from '../shared/config';
import { RunLedger, type LedgerChange, type NewRun, type RunData } from './runLedger';

/** Every connection the ledgers open, so that a test can close them as the browser would. */
const connections: IDBDatabase[] = [];
const open = indexedDB.open.bind(indexedDB);
indexedDB.open = (...args: Parameters<IDBFactory['open']>) => {
  const request = open(...args);
  request.addEventListener('success', () => connections.push(request.result));
  return request;
};

/** The site's data cleared: every connection closed by force, the database deleted. */
function clearSiteData(name: string): Promise<void> {
  for (const db of connections.splice(0)) forceCloseDatabase(db as never);
  return new Promise((resolve) => {
    indexedDB.deleteDatabase(name).onsuccess = () => resolve();
  });
}

let dbs = 0;
/** Two tabs' ledgers on one fresh database. */
function twoTabs() {
  const name = `ledger-test-${++dbs}`;
  return { name, a: new RunLedger(name), b: new RunLedger(name) };
}

const run = (id: string): NewRun => ({
  id,
  createdAt: Date.now(),
  config: TUTORIAL_PRESET,
  model: 'MLP',
  engine: 'test',
  state: 'training',
  trainingSeconds: 0,
  batches: 0,
  totalBatches: 18000,
  testAccuracy: null,
  bytes: 0,
  hasWeights: false,
});

const data = (id: string, batches = 0): RunData => ({
  id,
  losses: new Float32Array(batches),
  times: [],
  measurements: [],
  epochs: [],
  weights: null,
});

/** Resolves with the next change `ledger` hears of. */
const nextChange = (ledger: RunLedger) =>
  new Promise<LedgerChange>((resolve) => {
    const off = ledger.onChange((c) => {
      off();
      resolve(c);
    });
  });

afterEach(() => {
  connections.length = 0;
});

describe('RunLedger, shared by tabs', () => {
  it('numbers runs started at once in two tabs differently, in the transaction that writes them', async () => {
    const { a, b } = twoTabs();
    const [one, two] = await Promise.all([a.create(run('a'), data('a')), b.create(run('b'), data('b'))]);
    expect([one.number, two.number].sort()).toEqual([1, 2]);
    expect([one.name, two.name].sort()).toEqual(['Run 1', 'Run 2']);
    // An imported model keeps its own name, and still takes the next number.
    const imported = await a.create({ ...run('c'), name: 'Imported net.safetensors' }, data('c'));
    expect(imported).toMatchObject({ number: 3, name: 'Imported net.safetensors' });
  });

  it("keeps another tab's rename through the recording tab's saves, and never writes back a deleted run", async () => {
    const { a, b } = twoTabs();
    const created = await a.create(run('r'), data('r'));
    await b.rename('r', 'my run');
    const saved = await a.update({ ...created, batches: 100 }, data('r', 100));
    expect(saved).toMatchObject({ name: 'my run', number: 1, batches: 100 });
    expect((await b.list()).map((r) => r.name)).toEqual(['my run']);

    await b.remove('r');
    expect(await a.update({ ...created, batches: 200 }, data('r', 200))).toBeNull();
    expect(await a.list()).toEqual([]);
    expect(await a.data('r')).toBeUndefined();
  });

  it('gives back the measurements it keeps packed, and the weights, as they were saved', async () => {
    const { a } = twoTabs();
    const measurement = (batch: number, full: boolean) => ({
      runId: 1,
      batch,
      epoch: batch / 10,
      trainingSeconds: batch,
      evalSeconds: 0.5,
      trainLoss: 1 / batch,
      trainAccuracy: 0.9,
      trainCount: 100,
      testLoss: 2 / batch,
      testAccuracy: 0.8,
      testCount: 100,
      full,
    });
    const saved: RunData = {
      ...data('m', 3),
      measurements: [measurement(5, false), measurement(10, false), measurement(10, true)],
      weights: { model: TUTORIAL_PRESET.model, params: Float32Array.of(0.5, -0.25), batch: 10 },
    };
    await a.create(run('m'), saved);
    expect(await a.data('m')).toEqual(saved);
  });

  it("hears of another tab's changes, and knows its own from them", async () => {
    const { a, b } = twoTabs();
    const heardInB = nextChange(b);
    const heardInA = nextChange(a);
    await a.create(run('x'), data('x'));
    expect(await heardInA).toEqual({ kind: 'changed', here: true });
    expect(await heardInB).toEqual({ kind: 'changed', here: false });
  });

  it('opens the database again when the browser closed it (site data cleared), and says so', async () => {
    const { name, a } = twoTabs();
    await a.create(run('old'), data('old'));
    const before = a.generation;
    const cleared = nextChange(a);
    await clearSiteData(name);
    expect(await cleared).toEqual({ kind: 'cleared' });
    expect(a.generation).toBe(before + 1);
    // The old run is gone, the ledger works: a run is written again from number 1.
    expect(await a.list()).toEqual([]);
    expect(await a.create(run('new'), data('new'))).toMatchObject({ number: 1, name: 'Run 1' });
  });
});
