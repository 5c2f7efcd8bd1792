/**
 * What the worker keeps between the page's messages, in one object that the handlers
 * (handlers.ts) and the dev hooks (src/dev/worker/, dev and test builds only) share: the backend,
 * the session once init has run, the run under way, the evaluator's thread, and the way out to
 * the page. It answers the questions every handler asks first (is there a session, is a run in
 * the way, is the data there) in one place each.
 */
import { DataNotReady } from '../engines/data';
import type { EngineState } from '../engines/engine';
import { netLayout } from '../engines/layout';
import { TUTORIAL_PRESET, type TrainConfig } from '../shared/config';
import {
  CURRENT_MODEL,
  type BackendChoice,
  type MistakesAnswer,
  type MistakesQuery,
} from '../shared/protocol';
import { BackendManager } from './backend';
import { CommandError, errorMessage, type Emit } from './emit';
import type { EvaluatorPort } from './evaluation/port';
import { recover } from './run/recovery';
import type { RunControl, RunOutcome } from './run/trainer';
import { initialState, Session, type KeptModel } from './session';

/** The run under way. */
export interface RunSlot {
  runId: number;
  control: RunControl;
  done: Promise<RunOutcome>;
}

export class WorkerContext {
  readonly backend = new BackendManager();
  readonly post: Emit;
  /** The session, once init has finished (nothing but `ready` may reach the page before it). */
  session: Session | null = null;
  run: RunSlot | null = null;
  /** The last run's id: a `state` sent when no run is under way still names it. */
  lastRunId = 0;
  /** Measures the runs' models on its own thread (evaluation/); started once the data has arrived. */
  evaluator: EvaluatorPort | null = null;
  /** What follows the data's arrival (the engine's form of it, the evaluator): a run waits for it. */
  afterData: Promise<void> = Promise.resolve();
  /** The data's load under way or done; null before the first and after a failed one. */
  dataLoad: Promise<void> | null = null;
  private initDone: Promise<Session> | null = null;
  /** The model changes queued so far: each waits for the one before it. */
  private changes: Promise<unknown> = Promise.resolve();
  /** The kept model's measurement on the test set, for its mistakes (currentMistakes). */
  private measured: { model: KeptModel; done: Promise<unknown> } | null = null;

  constructor(post: Emit) {
    this.post = post;
    this.backend.onContextLost = () => this.contextLost();
  }

  /** Starts the backend `choice` asks for and the session on it, once; later calls wait for it. */
  init(choice: BackendChoice): Promise<Session> {
    this.initDone ??= this.backend.init(choice).then(
      async (info) => {
        this.post({ type: 'ready', ...info });
        const s = new Session(
          () => this.backend.info!.backend,
          this.post,
          () => this.backend.tfjs(),
        );
        await s.reset(TUTORIAL_PRESET.model, TUTORIAL_PRESET.seed);
        this.session = s;
        return s;
      },
      (e: Error) => {
        throw new CommandError('backend-failed', `No TensorFlow.js backend could start: ${e.message}`);
      },
    );
    return this.initDone;
  }

  /** The session, once init has run. */
  ready(): Promise<Session> {
    if (!this.initDone)
      return Promise.reject(new CommandError('internal', 'Send init before any other command.'));
    return this.initDone;
  }

  /** Whether a run is under way. */
  busy(): boolean {
    return this.run !== null;
  }

  /**
   * Runs `change` (a run's start, a reset, a restore, an import) once every model change asked
   * for before it has finished: their awaits would otherwise interleave, and a run could start
   * on a model an import was replacing.
   */
  changeModel<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change, change);
    this.changes = next.catch(() => {});
    return next;
  }

  /**
   * Throws the page's `busy` error, saying `message`, while a run is under way. Call it where
   * nothing awaits between the check and what the run would be in the way of.
   */
  notRunning(message: string): void {
    if (this.run) throw new CommandError('busy', message);
  }

  /**
   * The session, with the data set loaded and what follows it ready (the engine's form of the
   * data, the evaluator's copy): a request made while the data loads waits for it, so that one
   * made as the page says "ready" is not refused.
   */
  async withData(): Promise<Session> {
    const s = await this.ready();
    await this.dataLoad?.catch(() => {}); // its failure is the page's to show, not this request's
    await this.afterData;
    if (!s.data.loaded) throw new DataNotReady();
    return s;
  }

  /**
   * After a run: the model's state kept on the CPU, and its weights handed to the page as a
   * checkpoint. A reset or a new run may come first (the run slot is free as soon as the run
   * ends): then the model is no longer the run's, and nothing is kept.
   */
  async keepRun(s: Session, runId: number, config: TrainConfig): Promise<void> {
    const engine = s.engine;
    const state: EngineState | null = await this.backend.unlessLost(engine.readState()).catch(() => null);
    if (!state || s.engine !== engine) return;
    s.kept = { config, state };
    const params = state.params.slice(); // a copy: the session keeps its own
    this.post({ type: 'checkpoint', runId, model: config.model, params }, [params.buffer]);
  }

  /**
   * The mistakes of the current model outside a run (loaded or imported): it is measured on the
   * whole test set once, on the evaluator's thread, when first asked; again if a run's epoch-end
   * measurement took the evaluator's place meanwhile.
   */
  async currentMistakes(e: EvaluatorPort, query: MistakesQuery): Promise<MistakesAnswer> {
    const model = this.session?.kept;
    if (!model || !this.session?.trained)
      throw new CommandError('internal', 'There is no trained model to analyse: train, load or import one.');
    const measure = () =>
      e.measure({
        runId: CURRENT_MODEL,
        model: model.config.model,
        params: model.state.params.slice(),
        batch: 0,
        epoch: 0,
        trainingSeconds: 0,
        trainRows: new Int32Array(0),
        testRows: null,
      });
    if (this.measured?.model !== model) this.measured = { model, done: measure() };
    await this.measured.done;
    try {
      return await e.mistakes(query);
    } catch {
      this.measured = { model, done: measure() };
      await this.measured.done;
      return e.mistakes(query);
    }
  }

  /** A context lost between runs: move to the fallback and rebuild the model from its CPU copy. */
  private contextLost(): void {
    const s = this.session;
    if (this.run || !s) return; // a run recovers by itself
    const { model, optimizer } = s.kept?.config ?? TUTORIAL_PRESET;
    const layout = netLayout(model);
    const state = s.kept?.state ?? initialState(layout, TUTORIAL_PRESET.seed);
    void recover('device', new Error('context lost'), s, this.backend, this.post, {
      layout,
      optimizer,
      state,
    })
      .then((engine) => {
        if (!engine)
          throw new CommandError(
            'context-lost',
            'The GPU context was lost and no other backend could start.',
          );
      })
      .catch((e) => this.post(errorMessage(e)));
  }
}
