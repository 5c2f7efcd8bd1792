/**
 * Keeps the current run in the ledger (runLedger.ts) as it goes: at every epoch's end, every
 * ~10 s of new weights, and when it ends (then again when its final weights arrive). Its curves
 * come from the metrics store, its weights from the worker's checkpoints. Saves never overlap: one
 * asked for during another is made after it, with the newest data. A save runs in a task of its
 * own, not in the worker message's that asked for it: together they made one long task while the
 * CNN trained (docs/performance.md).
 */
import { describeModel } from '../shared/modelSpec';
import type { TrainConfig } from '../shared/config';
import type { FromWorker, RunState } from '../shared/protocol';
import { yieldToEventLoop } from '../shared/yield';
import type { MetricsStore } from './metricsStore';
import { saveFailure, type RunData, type RunLedger, type RunSummary } from './runLedger';

/** Weights are written at most this often while a run trains. */
const WEIGHTS_EVERY_MS = 10_000;

interface Current {
  summary: RunSummary;
  weights: RunData['weights'];
  lastWeightsSave: number;
  /** A failed save was reported: the next failures of this run are not, until one succeeds. */
  failing: boolean;
}

export class RunRecorder {
  private current: Current | null = null;
  private saving: Promise<void> | null = null;
  private again = false;
  private readonly ledger: RunLedger;
  private readonly store: MetricsStore;
  private readonly onError: (message: string) => void;
  private readonly onSaved: () => void;

  constructor(
    ledger: RunLedger,
    store: MetricsStore,
    onError: (message: string) => void,
    onSaved: () => void,
  ) {
    this.ledger = ledger;
    this.store = store;
    this.onError = onError;
    this.onSaved = onSaved;
  }

  /**
   * A run starts (from fresh weights, or from the model of the run named `continuedFrom`): from
   * now on the events `receive` is given are its.
   */
  start(config: TrainConfig, engine: string, continuedFrom?: string): RunSummary {
    const summary: RunSummary = {
      id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
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
    this.current = { summary, weights: null, lastWeightsSave: performance.now(), failing: false };
    return summary;
  }

  /** Renames the run being recorded, if it is `id` (its number too, when given); true when it was. */
  rename(id: string, name: string, number?: number): boolean {
    if (this.current?.summary.id !== id) return false;
    this.current.summary = { ...this.current.summary, name, number: number ?? this.current.summary.number };
    return true;
  }

  /** Stops recording (a reset, another backend): what was saved stays. */
  forget(): void {
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
    const summary: RunSummary = {
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
      await this.ledger.save(summary, data);
      c.failing = false;
      this.onSaved();
    } catch (e) {
      if (!c.failing) this.onError(saveFailure(e, summary.name));
      c.failing = true;
    }
  }
}
