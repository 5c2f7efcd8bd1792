/**
 * Keeps the current run in the ledger (runLedger.ts) as it goes: its record at once (which
 * allocates its number), then at every epoch's end (with the weights of that moment), every ~10 s
 * of new weights, and when it ends (then again when its final weights arrive). Its curves come
 * from the metrics store, its weights from the worker's checkpoints. Saves never overlap: one
 * asked for during another is made after it, with the newest data. A save runs in a task of its
 * own, not in the worker message's that asked for it: together they made one long task while the
 * CNN trained (docs/performance.md). While it records a run, the tab marks it live (liveRuns.ts).
 */
import { describeModel } from '../shared/modelSpec';
import type { TrainConfig } from '../shared/config';
import type { FromWorker, RunState } from '../shared/protocol';
import { yieldToEventLoop } from '../shared/yield';
import { holdLive } from './liveRuns';
import type { MetricsStore } from './metricsStore';
import { saveFailure, type NewRun, type RunData, type RunLedger } from './runLedger';

/** What the recorder tells the session about the run it records. */
export interface RecorderEvents {
  /** A save failed (said once until one succeeds). */
  error(message: string): void;
  /** The run's name in the ledger, once it was first written, and whenever it was renamed elsewhere. */
  named(id: string, name: string): void;
  /** The run was deleted (in another tab): it is no longer recorded. */
  gone(id: string, name: string): void;
  /** The site's data was cleared under the run: it is kept again, as `name`, from now on. */
  keptAgain(id: string, name: string): void;
}

/** Weights are written at most this often while a run trains (and at every epoch's end). */
const WEIGHTS_EVERY_MS = 10_000;

interface Current {
  summary: NewRun & { name: string; number: number };
  /** Whether its record is in the ledger (of this `generation`). */
  created: boolean;
  generation: number;
  weights: RunData['weights'];
  lastWeightsSave: number;
  /** A failed save was reported: the next failures of this run are not, until one succeeds. */
  failing: boolean;
  /** Ends its mark as live (liveRuns.ts). */
  release: () => void;
}

export class RunRecorder {
  private current: Current | null = null;
  private saving: Promise<void> | null = null;
  private again = false;
  private readonly ledger: RunLedger;
  private readonly store: MetricsStore;
  private readonly events: RecorderEvents;

  constructor(ledger: RunLedger, store: MetricsStore, events: RecorderEvents) {
    this.ledger = ledger;
    this.store = store;
    this.events = events;
  }

  /**
   * A run starts (from fresh weights, or from the model of the run named `continuedFrom`): from
   * now on the events `receive` is given are its. Its record is written at once; it is "Run" until
   * the ledger has numbered it (`events.named`).
   */
  start(config: TrainConfig, engine: string, continuedFrom?: string): { id: string; name: string } {
    this.forget();
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const summary: Current['summary'] = {
      id,
      number: 0,
      name: 'Run',
      createdAt: Date.now(),
      config,
      model: describeModel(config.model),
      engine,
      state: 'training',
      trainingSeconds: 0,
      batches: 0,
      totalBatches: 0,
      testAccuracy: null,
      bytes: 0,
      hasWeights: false,
      ...(continuedFrom !== undefined ? { continuedFrom } : {}),
    };
    this.current = {
      summary,
      created: false,
      generation: this.ledger.generation,
      weights: null,
      lastWeightsSave: performance.now(),
      failing: false,
      release: holdLive(id),
    };
    this.request();
    return { id, name: summary.name };
  }

  /** Renames the run being recorded, if it is `id`; true when it was. */
  rename(id: string, name: string): boolean {
    if (this.current?.summary.id !== id) return false;
    this.current.summary = { ...this.current.summary, name };
    return true;
  }

  /** Stops recording (a reset, another backend, a delete): what was saved stays. */
  forget(): void {
    this.current?.release();
    this.current = null;
  }

  /** Resolves once no save is under way or asked for. */
  async idle(): Promise<void> {
    while (this.saving) await this.saving;
  }

  /** The recorded run's id in the ledger, while recording. */
  get recordingId(): string | null {
    return this.current?.summary.id ?? null;
  }

  /**
   * The ledger changed elsewhere (another tab, or the browser cleared it): reads the recorded
   * run's record (a read: another tab's save must not make this one save, and so on) to find out
   * whether it was renamed, deleted or cleared away.
   */
  async check(): Promise<void> {
    const c = this.current;
    if (!c?.created) return;
    const saved = await this.ledger.summary(c.summary.id).catch(() => null);
    if (this.current !== c || saved === null) return; // let go of meanwhile, or unreadable now
    if (!saved) return this.missing(c);
    c.generation = this.ledger.generation;
    if (saved.name !== c.summary.name) {
      c.summary = { ...c.summary, name: saved.name };
      this.events.named(c.summary.id, saved.name);
    }
  }

  /** Whether the recorded run still trains (its end not yet seen). */
  get training(): boolean {
    return this.current?.summary.state === 'training';
  }

  /** An event of the recorded run (the session passes only the current run's): its epoch ends, state changes and weights. */
  receive(msg: FromWorker): void {
    const c = this.current;
    if (!c) return;
    if (msg.type === 'epochEnd') this.request();
    else if (msg.type === 'state' && msg.state !== 'training' && msg.state !== 'paused') {
      c.summary.state = msg.state as RunState;
      this.request();
    } else if (msg.type === 'checkpoint') {
      c.weights = { model: msg.model, params: msg.params, batch: this.store.getLosses().length };
      const ended = c.summary.state !== 'training';
      if (ended || performance.now() - c.lastWeightsSave >= WEIGHTS_EVERY_MS) {
        c.lastWeightsSave = performance.now();
        this.request();
      }
    }
  }

  /** Saves now, or right after the save under way. */
  private request(): void {
    if (this.saving) {
      this.again = true;
      return;
    }
    this.saving = yieldToEventLoop()
      .then(() => this.save())
      .finally(() => {
        this.saving = null;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }

  private async save(): Promise<void> {
    const c = this.current;
    if (!c) return;
    const { store } = this;
    const losses = store.getLosses().slice();
    const epochs = store.getEpochs();
    const last = epochs.at(-1);
    const times = store.getTimes();
    const summary: Current['summary'] = {
      ...c.summary,
      batches: losses.length,
      totalBatches: store.getTotalBatches(),
      trainingSeconds: Math.max(
        times.at(-1)?.seconds ?? 0,
        store.getMeasurements().at(-1)?.trainingSeconds ?? 0,
      ),
      testAccuracy: last ? last.testAccuracy : null,
      bytes: losses.byteLength + (c.weights?.params.byteLength ?? 0),
      hasWeights: c.weights !== null,
    };
    const data: RunData = {
      id: summary.id,
      losses,
      times: [...times],
      measurements: [...store.getMeasurements()],
      epochs: [...epochs],
      weights: c.weights,
    };
    try {
      const created = c.created;
      // A run re-created after the site's data was cleared keeps a name the user gave it; "Run N"
      // is numbered anew.
      const named = c.summary.number > 0 && c.summary.name !== `Run ${c.summary.number}`;
      const written = created
        ? await this.ledger.update(summary, data)
        : await this.ledger.create({ ...summary, name: named ? summary.name : undefined }, data);
      if (this.current !== c) return; // let go of meanwhile
      if (!written) return this.missing(c);
      c.created = true;
      c.failing = false;
      // The ledger's name, unless this tab renamed the run while the save was under way.
      const renamed = written.name !== summary.name && c.summary.name === summary.name;
      if (renamed) c.summary = { ...c.summary, name: written.name };
      c.summary = { ...c.summary, number: written.number };
      const keptAgain = !created && c.generation !== this.ledger.generation;
      // Written to the database as it is now: a later loss of the record is a deletion.
      c.generation = this.ledger.generation;
      if (keptAgain) this.events.keptAgain(summary.id, c.summary.name);
      else if (renamed) this.events.named(summary.id, written.name);
      if (summary.state !== 'training') c.release();
    } catch (e) {
      if (!c.failing) this.events.error(saveFailure(e, summary.name));
      c.failing = true;
    }
  }

  /**
   * The recorded run's record is not in the ledger: the site's data was cleared under it (written
   * again, from now on) or another tab deleted it (no longer recorded).
   */
  private missing(c: Current): void {
    if (c.generation !== this.ledger.generation && c.summary.state === 'training') {
      c.created = false;
      this.request();
      return;
    }
    if (c.generation !== this.ledger.generation) {
      // A run that has ended, cleared away with the rest: the user's (or the browser's) wish.
      this.forget();
      return;
    }
    this.forget();
    this.events.gone(c.summary.id, c.summary.name);
  }
}
