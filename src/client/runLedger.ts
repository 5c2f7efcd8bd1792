/**
 * The run ledger: every run kept in the browser's IndexedDB, through `idb` (a maintained wrapper
 * of its request API), so that a reload loses nothing. Two object stores: `runs`, what the Runs
 * list shows (small); `data`, a run's losses, measurements, epochs and weights, read only when a
 * run is loaded. A save writes both in one transaction: a full disk or a refused quota aborts it
 * and leaves every earlier run as it was.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { TrainConfig } from '../shared/config';
import type { ModelSpec } from '../shared/modelSpec';
import type { EpochSummary, Measurement, RunState } from '../shared/protocol';
import type { TimeMark } from './metricsStore';

/** What the Runs list shows of a run. */
export interface RunSummary {
  id: string;
  /** 1, 2, 3...: the run's place in the ledger, kept whatever it is renamed. */
  number: number;
  name: string;
  /** Date.now() when it started. */
  createdAt: number;
  config: TrainConfig;
  /** e.g. "MLP 784-64-64-64-10". */
  model: string;
  /** The engine and backend that trained it, as the status line said. */
  engine: string;
  state: RunState;
  /** Seconds of training (pauses and evaluation left out). */
  trainingSeconds: number;
  batches: number;
  totalBatches: number;
  /** The last epoch's test accuracy on all images, or null before the first epoch's end. */
  testAccuracy: number | null;
  /** Bytes of its data, roughly (losses, weights). */
  bytes: number;
  /** Whether its weights were saved (they come every few seconds, and at the end). */
  hasWeights: boolean;
  /** The name of the run whose model this one trained further; absent: it started from fresh weights. */
  continuedFrom?: string;
}

/** What a run leaves to load again: its curves and its weights. */
export interface RunData {
  id: string;
  losses: Float32Array;
  times: TimeMark[];
  measurements: Measurement[];
  epochs: EpochSummary[];
  /** The weights (layout.ts's order) at `batch`, or null when none arrived yet. */
  weights: { model: ModelSpec; params: Float32Array; batch: number } | null;
}

/**
 * RunData as stored: the weights as a Blob (an array in records written by earlier versions). Put
 * into IndexedDB, an array is cloned on the page's thread and a Blob is passed by reference: as
 * an array, each save of the CNN's weights made a long task while it trained (docs/performance.md).
 */
type StoredRunData = Omit<RunData, 'weights'> & {
  weights: { model: ModelSpec; params: Blob | Float32Array; batch: number } | null;
};

interface LedgerSchema extends DBSchema {
  runs: { key: string; value: RunSummary; indexes: { createdAt: number } };
  data: { key: string; value: StoredRunData };
}

const DB_NAME = 'mnist-studio';
const DB_VERSION = 1;

/** The next run's number: one past the highest saved. */
export function nextRunNumber(runs: readonly RunSummary[]): number {
  return runs.reduce((n, r) => Math.max(n, r.number ?? 0), 0) + 1;
}

/** Why a save failed, in words a user can act on. */
export function saveFailure(error: unknown, name: string): string {
  const e = error as { name?: string; message?: string } | null;
  if (e?.name === 'QuotaExceededError')
    return `The browser refused to save "${name}": this site's storage is full (QuotaExceededError). Your earlier runs are kept; delete some in the Runs tab to make room.`;
  return `"${name}" could not be saved: ${e?.message ?? String(error)}. Your earlier runs are kept.`;
}

export class RunLedger {
  private db: Promise<IDBPDatabase<LedgerSchema>>;

  constructor(name = DB_NAME) {
    this.db = openDB<LedgerSchema>(name, DB_VERSION, {
      upgrade(db) {
        const runs = db.createObjectStore('runs', { keyPath: 'id' });
        runs.createIndex('createdAt', 'createdAt');
        db.createObjectStore('data', { keyPath: 'id' });
      },
    });
  }

  /** Every run, newest first. */
  async list(): Promise<RunSummary[]> {
    const runs = await (await this.db).getAllFromIndex('runs', 'createdAt');
    return runs.reverse();
  }

  async data(id: string): Promise<RunData | undefined> {
    const stored = await (await this.db).get('data', id);
    if (!stored?.weights || stored.weights.params instanceof Float32Array)
      return stored as RunData | undefined;
    const params = new Float32Array(await stored.weights.params.arrayBuffer());
    return { ...stored, weights: { ...stored.weights, params } };
  }

  /** Writes a run's summary and data in one transaction: all of it or, on failure, nothing. */
  async save(summary: RunSummary, data: RunData): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(['runs', 'data'], 'readwrite');
    const pending: Promise<unknown>[] = [tx.done];
    try {
      pending.push(tx.objectStore('runs').put(summary));
      const weights = data.weights && {
        ...data.weights,
        params: new Blob([data.weights.params as Float32Array<ArrayBuffer>]),
      };
      pending.push(tx.objectStore('data').put({ ...data, weights }));
      // Once one fails the others fail with the abort: that is known, not unhandled.
      for (const p of pending) p.catch(() => {});
      await Promise.all(pending);
    } catch (e) {
      // A request refused at once (not through the transaction) leaves the others pending:
      // abort, so that no summary is kept without its data.
      for (const p of pending) p.catch(() => {});
      try {
        tx.abort();
      } catch {
        // Already aborted by the failure itself.
      }
      throw e;
    }
  }

  async rename(id: string, name: string): Promise<void> {
    const db = await this.db;
    const tx = db.transaction('runs', 'readwrite');
    const run = await tx.store.get(id);
    if (run) await tx.store.put({ ...run, name });
    await tx.done;
  }

  async remove(id: string): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(['runs', 'data'], 'readwrite');
    await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('data').delete(id), tx.done]);
  }

  async clear(): Promise<void> {
    const db = await this.db;
    const tx = db.transaction(['runs', 'data'], 'readwrite');
    await Promise.all([tx.objectStore('runs').clear(), tx.objectStore('data').clear(), tx.done]);
  }
}

/** What this site stores and may store, as the browser estimates it; null where it cannot say. */
export async function storageUse(): Promise<{ usage: number; quota: number } | null> {
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return usage !== undefined && quota !== undefined ? { usage, quota } : null;
  } catch {
    return null;
  }
}

/** "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}
