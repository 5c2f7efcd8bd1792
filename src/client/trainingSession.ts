/**
 * The page's training session: one plain object, outside React, that owns the worker client, the
 * metrics store, the run ledger and recorder, and which run is current. Every worker event passes
 * through it once: the current run's go to the store, the recorder and the state; another run's
 * (a stopped one's last losses, say) go nowhere. React reads its state through a version channel,
 * as it reads the metrics store, and calls its methods; nothing else holds the page's state.
 */
import type { TrainConfig } from '../shared/config';
import type { BackendChoice, FromWorker } from '../shared/protocol';
import { createMetricsStore, type MetricsStore } from './metricsStore';
import { exportFiles, importedRun, importRequest, type ExportFile, type ExportKind } from './runFiles';
import { liveRunIds } from './liveRuns';
import { recorderEvents, watchLedger, type SessionHooks } from './ledgerWatch';
import { RunLedger, saveFailure, type RunData, type RunSummary } from './runLedger';
import { RunRecorder } from './runRecorder';
import { INITIAL, isRunning, reduce, type Action, type TrainingState } from './sessionState';
import { TrainingClient } from './trainingClient';
import { createChannel, type VersionChannel } from './versionChannel';

const reason = (e: unknown) => (e as Error)?.message ?? String(e);

export interface SessionParts {
  client?: TrainingClient;
  metrics?: MetricsStore;
  /** Opens the run ledger, on first use (IndexedDB). */
  ledger?: () => RunLedger;
}

export class TrainingSession {
  readonly client: TrainingClient;
  readonly metrics: MetricsStore;
  private readonly channel = createChannel();
  /** Bumped whenever `state` changed. */
  readonly changes: VersionChannel = this.channel;
  private state: TrainingState;
  /** The worker run whose events are the page's: 0 when none is (nothing run, reset, loaded). */
  private runId = 0;
  private readonly openLedger: () => RunLedger;
  private ledgerOpen: RunLedger | null = null;
  private recorderMade: RunRecorder | null = null;
  private restoring: Promise<void> | null = null;

  constructor(backend: BackendChoice, parts: SessionParts = {}) {
    this.client = parts.client ?? new TrainingClient(backend);
    this.metrics = parts.metrics ?? createMetricsStore();
    this.openLedger = parts.ledger ?? (() => new RunLedger());
    this.state = { ...INITIAL, backendChoice: backend };
    this.client.on((msg) => this.receive(msg));
    this.client.onRestart((restored) => {
      // The run of the worker replaced is over: its record says so, and it is no longer live.
      if (isRunning(this.state.run?.state))
        this.recorderMade?.receive({ type: 'state', runId: this.runId, state: 'stopped' });
      this.dispatch({ type: 'workerReplaced', restored });
    });
  }

  getState(): TrainingState {
    return this.state;
  }

  /** The run ledger (IndexedDB), opened on first use. */
  get ledger(): RunLedger {
    if (!this.ledgerOpen) {
      this.ledgerOpen = this.openLedger();
      watchLedger(this.ledgerOpen, () => this.recorderMade, this.hooks);
    }
    return this.ledgerOpen;
  }

  /**
   * Starts a run of `config`: from fresh weights, or, given `continueFrom` (the current run's
   * name), from the current model, whose architecture `config.model` must be.
   */
  train(config: TrainConfig, continueFrom?: string): void {
    if (this.refusedWhileChanging()) return;
    this.metrics.reset();
    const runId = this.client.train(config, continueFrom !== undefined ? 'current' : undefined);
    this.runId = runId;
    const { engine, backend } = this.state;
    const engineText = engine ? `${engine.label} on ${backend?.backend ?? '?'}` : '';
    // Its number is known once its record is written; a run is "Run" until then, never unnamed.
    const recording = this.recorder.start(config, engineText, continueFrom);
    this.dispatch({
      type: 'started',
      runId,
      id: recording.id,
      config,
      name: recording.name,
      continued: continueFrom !== undefined,
    });
  }

  pause(): void {
    this.client.pause();
  }

  resume(): void {
    this.client.resume();
  }

  stop(): Promise<void> {
    return this.client.stop();
  }

  /** Fresh weights for the model `config` names; the charts start over. */
  reset(config: TrainConfig): void {
    if (this.refusedWhileChanging()) return;
    this.detach();
    this.client.reset(config.model, config.seed);
    this.dispatch({ type: 'reset' });
  }

  /** Restarts the worker on another backend: the model and the charts start over. */
  switchBackend(backend: BackendChoice): void {
    this.detach();
    this.client.setBackend(backend);
    this.dispatch({ type: 'restarted', backend });
  }

  /** Loads the data again after it failed to. */
  retryData(): void {
    this.dispatch({ type: 'retryData' });
    this.client.loadData();
  }

  dismissError(id: number): void {
    this.dispatch({ type: 'dismiss', id });
  }

  /** On a page's first load, the last run is back: its curves on the charts, its model in the worker. */
  restoreLatest(): Promise<void> {
    this.restoring ??= (async () => {
      try {
        // The newest run no other tab is training.
        const live = await liveRunIds();
        const latest = (await this.ledger.list()).find((r) => !live.has(r.id));
        const data = latest && (await this.ledger.data(latest.id));
        // Only if nothing started or was loaded meanwhile.
        if (latest && data && !this.state.run) this.show(latest, data);
      } catch (e) {
        this.notice(`The saved runs could not be read: ${reason(e)}. Training works; runs are not kept.`);
      }
    })();
    return this.restoring;
  }

  /** Shows a saved run and makes its model the current one. */
  async loadRun(id: string): Promise<void> {
    await this.changeModel('Loading a saved run', async () => {
      if ((await liveRunIds()).has(id))
        throw new Error('That run is training in another tab: load it once it has ended there.');
      const { summary, data } = await this.saved(id);
      this.show(summary, data);
    });
  }

  async renameRun(id: string, name: string): Promise<void> {
    await this.ledger.rename(id, name);
    this.recorderMade?.rename(id, name);
    if (this.state.run?.id === id) this.dispatch({ type: 'renamedCurrent', name });
  }

  /**
   * Deletes a saved run. The current run's record is let go first (a run training is stopped,
   * its last save waited for), so nothing writes it back; no run is shown after, the model stays.
   */
  async deleteRun(id: string): Promise<void> {
    const current = this.state.run?.id === id;
    if (current) await this.letGoOfCurrent();
    await this.ledger.remove(id);
    if (current) this.dispatch({ type: 'forgotten' });
  }

  async deleteAllRuns(): Promise<void> {
    const current = this.state.run !== null;
    if (current) await this.letGoOfCurrent();
    await this.ledger.clear();
    if (current) this.dispatch({ type: 'forgotten' });
  }

  /**
   * Makes the model in the files a user picked (one .safetensors, or a TF.js model.json with its
   * weights files) the current one, measured on the test set and kept in the ledger; rejects with
   * a message naming the problem (the current model stays).
   */
  async importModel(files: File[]): Promise<{ name: string; model: string; accuracy: number }> {
    const what = `Importing ${files.map((f) => f.name).join(' and ')}`;
    // The model is the imported one, and shown as the current run, before the change ends.
    const { name, imported, summary } = await this.changeModel(what, async () => {
      const { name, body, transfer } = await importRequest(files);
      const imported = await this.client.request(body, transfer);
      this.client.adopted(imported.model, imported.params);
      const summary = importedRun(name, imported);
      this.detach();
      this.dispatch({ type: 'loaded', summary, weightsAt: 0 });
      return { name, imported, summary };
    });
    const weights = { model: imported.model, params: imported.params, batch: 0 };
    try {
      await this.ledger.create(summary, {
        id: summary.id,
        losses: new Float32Array(0),
        times: [],
        measurements: [],
        epochs: [],
        weights,
      });
    } catch (e) {
      this.notice(saveFailure(e, summary.name));
    }
    return { name, model: summary.model, accuracy: imported.accuracy };
  }

  /** A saved run as files: its weights for PyTorch (safetensors) or TF.js, or its log (CSV). */
  async exportRun(id: string, as: ExportKind): Promise<ExportFile[]> {
    const { summary, data } = await this.saved(id);
    return exportFiles(this.client, summary, data, as);
  }

  /** Every event of the worker, once: the current run's fanned out, another run's dropped. */
  private receive(msg: FromWorker): void {
    if ('runId' in msg && msg.type !== 'error' && msg.runId !== this.runId) return;
    switch (msg.type) {
      case 'metrics':
        this.metrics.appendLosses(msg.firstBatch, msg.losses, msg.totalBatches, msg.trainingSeconds);
        // Only the run's first batch matters to the state ("trained"); the rest is the store's.
        if (msg.firstBatch === 0) this.dispatch({ type: 'event', msg });
        return;
      case 'measurement':
        this.metrics.addMeasurement(msg);
        return;
      case 'epochEnd':
        this.metrics.addEpoch(msg);
        // After the store: a save reads the run's curves from it.
        this.recorder.receive(msg);
        this.dispatch({ type: 'event', msg });
        return;
      case 'state':
        this.recorder.receive(msg);
        this.dispatch({ type: 'event', msg });
        return;
      case 'checkpoint':
        this.recorder.receive(msg);
        return;
      case 'error': {
        const current = msg.runId !== undefined && msg.runId === this.runId;
        this.dispatch({ type: 'notice', code: msg.code, message: msg.message, endsRun: current });
        return;
      }
      case 'reply':
      case 'pong':
        return; // the client's own: they never reach its listeners
      default:
        this.dispatch({ type: 'event', msg });
    }
  }

  /**
   * Runs `change` as the one model change under way, shown as `what` while it runs; rejects,
   * saying why, while another runs or a run trains.
   */
  private async changeModel<T>(what: string, change: () => Promise<T>): Promise<T> {
    const { modelChange, run } = this.state;
    if (modelChange) throw new Error(`${modelChange} is under way: wait for it to finish.`);
    if (isRunning(run?.state)) throw new Error('A run is training: stop it first.');
    this.dispatch({ type: 'modelChange', what });
    try {
      return await change();
    } finally {
      this.dispatch({ type: 'modelChange', what: null });
    }
  }

  /** Whether a model change under way refuses a train or a reset now (and says so). */
  private refusedWhileChanging(): boolean {
    const { modelChange } = this.state;
    if (modelChange)
      this.dispatch({
        type: 'notice',
        code: 'busy',
        message: `${modelChange} is under way: wait for it to finish.`,
      });
    return modelChange !== null;
  }

  private dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.channel.bump();
  }

  private notice(message: string): void {
    this.dispatch({ type: 'notice', code: 'storage', message });
  }

  /** The current run is no longer recorded or trained: stopped if it trains, its saves done. */
  private async letGoOfCurrent(): Promise<void> {
    this.recorderMade?.forget();
    if (isRunning(this.state.run?.state)) await this.stop();
    this.detach();
    await this.recorderMade?.idle();
  }

  /** No run is current any more (a reset, a load, an import, another backend): what was saved stays. */
  private detach(): void {
    this.runId = 0;
    this.recorderMade?.forget();
    this.metrics.reset();
  }

  /** Puts a saved run on the charts and, when it has weights, into the worker as the model. */
  private show(summary: RunSummary, data: RunData): void {
    this.detach();
    this.metrics.load({ ...data, totalBatches: summary.totalBatches });
    if (data.weights) this.client.restore(data.weights.model, data.weights.params);
    this.dispatch({ type: 'loaded', summary, weightsAt: data.weights?.batch ?? null });
  }

  /** A saved run's summary and data; rejects when it is no longer saved. */
  private async saved(id: string): Promise<{ summary: RunSummary; data: RunData }> {
    const summary = (await this.ledger.list()).find((r) => r.id === id);
    const data = await this.ledger.data(id);
    if (!summary || !data) throw new Error('That run is no longer saved.');
    return { summary, data };
  }

  /** What the ledger's watcher and the recorder's reports may see and do (ledgerWatch.ts). */
  private readonly hooks: SessionHooks = {
    current: () => this.state.run,
    dispatch: (action) => this.dispatch(action),
    letGoOfCurrent: () => this.letGoOfCurrent(),
    forgetShown: () => {
      this.detach();
      this.dispatch({ type: 'forgotten' });
    },
  };

  private get recorder(): RunRecorder {
    this.recorderMade ??= new RunRecorder(this.ledger, this.metrics, recorderEvents(this.hooks));
    return this.recorderMade;
  }
}
