/**
 * The run ledger: every run kept in the browser's IndexedDB, through `idb` (a maintained wrapper
 * of its request API), so that a reload loses nothing. Two object stores: `runs`, what the Runs
 * list shows (small); `data`, a run's losses, measurements, epochs and weights, read only when a
 * run is loaded. A save writes both in one transaction: a full disk or a refused quota aborts it
 * and leaves every earlier run as it was. Several tabs share it: a run's number is allocated in
 * the transaction that writes it, a save never brings back a deleted run or an old name, and
 * every tab hears of the others' changes (BroadcastChannel). When the browser closes the
 * database under the page (its site data cleared), it is opened again.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPObjectStore } from 'idb';
import type { TrainConfig } from '../shared/config';
import type { ModelSpec } from '../shared/modelSpec';
import type { EpochSummary, Measurement, RunState } from '../shared/protocol';
import { packMeasurements, unpackMeasurements, type PackedMeasurements } from './packedMeasurements';
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
 * RunData as stored: the weights as a Blob, the measurements packed in columns (packedMeasurements.ts;
 * records written by earlier versions hold arrays of both). Put into IndexedDB, an array is cloned
 * on the page's thread and a Blob is passed by reference: as an array, each save of the CNN's
 * weights made a long task while it trained (docs/performance.md).
 */
type StoredRunData = Omit<RunData, 'weights' | 'measurements'> & {
  weights: { model: ModelSpec; params: Blob | Float32Array; batch: number } | null;
  measurements: PackedMeasurements | Measurement[];
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
  return `"${name}" could not be saved: ${e?.message ?? String(error)}.`;
}

/**
 * What changed in the ledger: `here` when this page changed it (its own callers know), otherwise
 * another tab did; `cleared` when the browser closed the database under the page, its site data
 * cleared (every run is gone).
 */
export type LedgerChange = { kind: 'changed'; here: boolean } | { kind: 'cleared' };

/** A new run's record: its number is allocated when it is written, its name "Run <number>" unless given. */
export type NewRun = Omit<RunSummary, 'number' | 'name'> & { name?: string };

/** Opens tried before the ledger gives up (each waits 50 ms longer than the one before). */
const OPEN_ATTEMPTS = 6;

/** Whether the browser closed `db` (a transaction can no longer start on it). */
function isClosed(db: IDBPDatabase<LedgerSchema>): boolean {
  try {
    const tx = db.transaction('runs');
    tx.done.catch(() => {}); // the abort below rejects it
    tx.abort();
    return false;
  } catch (e) {
    return (e as Error)?.name === 'InvalidStateError';
  }
}

const NEWER_PAGE =
  'A newer version of this page was opened in another tab: reload this one to keep saving runs here.';

export class RunLedger {
  private db: Promise<IDBPDatabase<LedgerSchema>>;
  private readonly name: string;
  private readonly listeners = new Set<(change: LedgerChange) => void>();
  /** Every tab's ledger on this site hears of every other's writes. */
  private readonly tabs: BroadcastChannel | null;
  /** Connections the browser closed under the page, each opened again once. */
  private readonly closed = new WeakSet<IDBPDatabase<LedgerSchema>>();
  /** A newer version of the page took the database over: this one no longer writes. */
  private blocked = false;
  /**
   * Bumped each time the browser closed the database under the page (its site data was cleared,
   * by the user or by the browser) and it was opened again: a run missing after that was not
   * deleted by anyone.
   */
  generation = 0;

  constructor(name = DB_NAME) {
    this.name = name;
    this.db = this.open();
    this.tabs = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`${name}.runs`) : null;
    this.tabs?.addEventListener('message', () => this.tell({ kind: 'changed', here: false }, false));
  }

  /** Calls `listener` on every change to the ledger, this tab's or another's; returns its removal. */
  onChange(listener: (change: LedgerChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every run, newest first. */
  async list(): Promise<RunSummary[]> {
    const runs = await this.use((db) => db.getAllFromIndex('runs', 'createdAt'));
    return runs.reverse();
  }

  /** One run's summary, or undefined when it is not saved (any more). */
  summary(id: string): Promise<RunSummary | undefined> {
    return this.use((db) => db.get('runs', id));
  }

  async data(id: string): Promise<RunData | undefined> {
    const stored = await this.use((db) => db.get('data', id));
    if (!stored) return undefined;
    const measurements = unpackMeasurements(stored.measurements);
    const { weights } = stored;
    if (!weights || weights.params instanceof Float32Array)
      return { ...stored, measurements, weights: weights as RunData['weights'] };
    const params = new Float32Array(await weights.params.arrayBuffer());
    return { ...stored, measurements, weights: { ...weights, params } };
  }

  /**
   * Writes a new run, numbered one past the highest saved in the same transaction, so that two
   * tabs starting runs at once get different numbers. Resolves with the summary as written.
   */
  async create(run: NewRun, data: RunData): Promise<RunSummary> {
    const written = await this.write(async (runs) => {
      const number = nextRunNumber(await runs.getAll());
      return { ...run, number, name: run.name ?? `Run ${number}` };
    }, data);
    return written!;
  }

  /**
   * Writes a run's newest summary and data, keeping the name and number it has in the ledger (a
   * rename, here or in another tab, sticks). Resolves with the summary as written, or null when
   * the run is no longer saved: a deleted run is not written back.
   */
  update(summary: RunSummary, data: RunData): Promise<RunSummary | null> {
    return this.write(async (runs) => {
      const saved = await runs.get(summary.id);
      return saved ? { ...summary, name: saved.name, number: saved.number } : null;
    }, data);
  }

  async rename(id: string, name: string): Promise<void> {
    await this.use(async (db) => {
      const tx = db.transaction('runs', 'readwrite');
      const run = await tx.store.get(id);
      if (run) await tx.store.put({ ...run, name });
      await tx.done;
    });
    this.tell({ kind: 'changed', here: true });
  }

  async remove(id: string): Promise<void> {
    await this.use(async (db) => {
      const tx = db.transaction(['runs', 'data'], 'readwrite');
      await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('data').delete(id), tx.done]);
    });
    this.tell({ kind: 'changed', here: true });
  }

  async clear(): Promise<void> {
    await this.use(async (db) => {
      const tx = db.transaction(['runs', 'data'], 'readwrite');
      await Promise.all([tx.objectStore('runs').clear(), tx.objectStore('data').clear(), tx.done]);
    });
    this.tell({ kind: 'changed', here: true });
  }

  /**
   * One transaction over both stores: `summarise` reads what it needs and says what summary to
   * write (null: nothing), then the summary and `data` are written. All of it or, on failure,
   * nothing: a full disk leaves every earlier run as it was.
   */
  private async write(
    summarise: (
      runs: IDBPObjectStore<LedgerSchema, ['runs', 'data'], 'runs', 'readwrite'>,
    ) => Promise<RunSummary | null>,
    data: RunData,
  ): Promise<RunSummary | null> {
    const written = await this.use(async (db) => {
      const tx = db.transaction(['runs', 'data'], 'readwrite');
      const pending: Promise<unknown>[] = [tx.done];
      // Once one fails the others fail with the abort: that is known, not unhandled.
      pending[0].catch(() => {});
      try {
        const summary = await summarise(tx.objectStore('runs'));
        if (!summary) {
          await tx.done;
          return null;
        }
        pending.push(tx.objectStore('runs').put(summary));
        const weights = data.weights && {
          ...data.weights,
          params: new Blob([data.weights.params as Float32Array<ArrayBuffer>]),
        };
        const measurements = packMeasurements(data.measurements);
        pending.push(tx.objectStore('data').put({ ...data, id: summary.id, weights, measurements }));
        for (const p of pending) p.catch(() => {});
        await Promise.all(pending);
        return summary;
      } catch (e) {
        // A request refused at once (not through the transaction) leaves the others pending:
        // abort, so that no summary is kept without its data.
        try {
          tx.abort();
        } catch {
          // Already aborted by the failure itself.
        }
        throw e;
      }
    });
    if (written) this.tell({ kind: 'changed', here: true });
    return written;
  }

  /**
   * Runs `work` on the open database. When the browser closed it under the page (site data
   * cleared), it is opened again, once, and `work` runs on that.
   */
  private async use<T>(work: (db: IDBPDatabase<LedgerSchema>) => Promise<T>): Promise<T> {
    let db: IDBPDatabase<LedgerSchema>;
    try {
      db = await this.db;
    } catch (e) {
      // Every open failed (while the site's data was being cleared, say): try again, once a use.
      if (this.blocked) throw e;
      this.db = this.open();
      db = await this.db;
    }
    try {
      return await work(db);
    } catch (e) {
      if (this.blocked || !isClosed(db)) throw e;
      this.reopen(db);
      return work(await this.db);
    }
  }

  /**
   * Opens the database. While the browser deletes it (site data being cleared) an open can fail
   * ("The connection was closed"): it is tried again, a few times, a little later each time.
   */
  private async open(): Promise<IDBPDatabase<LedgerSchema>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.openOnce();
      } catch (e) {
        if (attempt === OPEN_ATTEMPTS || this.blocked) throw e;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  private openOnce(): Promise<IDBPDatabase<LedgerSchema>> {
    const opening: Promise<IDBPDatabase<LedgerSchema>> = openDB<LedgerSchema>(this.name, DB_VERSION, {
      upgrade(db) {
        const runs = db.createObjectStore('runs', { keyPath: 'id' });
        runs.createIndex('createdAt', 'createdAt');
        db.createObjectStore('data', { keyPath: 'id' });
      },
      // Another tab opens a newer version of the database: let it, and say so here. One deleting
      // it (no version): let it, and open the database again once it is gone.
      blocking: (_current, next) => {
        if (next === null) {
          void opening.then((db) => {
            db.close();
            this.reopen(db);
          });
          return;
        }
        this.blocked = true;
        void opening.then((db) => db.close());
        this.db = Promise.reject(new Error(NEWER_PAGE));
        this.db.catch(() => {});
      },
      terminated: () => void opening.then((db) => this.reopen(db)),
    });
    return opening;
  }

  /** The browser closed `closed` under the page: open the database again (once per closing). */
  private reopen(closed: IDBPDatabase<LedgerSchema>): void {
    if (this.closed.has(closed) || this.blocked) return;
    this.closed.add(closed);
    this.generation++;
    this.db = this.open();
    this.db.catch(() => {}); // a use tries again (use()); the failure is not unhandled
    this.tell({ kind: 'cleared' });
  }

  private tell(change: LedgerChange, broadcast = true): void {
    if (broadcast && change.kind === 'changed') this.tabs?.postMessage('changed');
    for (const listener of this.listeners) listener(change);
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
