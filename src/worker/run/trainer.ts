/**
 * The training loop. It never touches `self`: it takes an `emit` callback and a control object,
 * so the worker adapter and the Node tests drive the same code. Its parts: where the run is
 * (cursor.ts), the losses posted in chunks (lossChunker.ts), the last good state (snapshots.ts)
 * and what to do when a device or engine fails (recovery.ts). Per step nothing is read back;
 * between steps the loop yields to the event loop about every YIELD_MS so pause, stop and predict
 * messages get a turn within a batch.
 */
import { DataNotReady } from '../../engines/data';
import type { Engine, EngineState } from '../../engines/engine';
import { netLayout, type NetLayout } from '../../engines/layout';
import { slotCount } from '../../engines/optimizer';
import { configProblem, evalInterval, learningRateAt, type TrainConfig } from '../../shared/config';
import type { EpochSummary, Measurement, RunState } from '../../shared/protocol';
import { mulberry32, shuffledIndices } from '../../shared/random';
import { initialState, type Session } from '../session';
import { Cancelled, type MeasureJob, type MeasureResult } from '../evaluation/evaluator';
import { InlineEvaluator, type EvaluatorPort } from '../evaluation/port';
import { BatchCursor } from './cursor';
import type { Emit } from '../emit';
import { LossChunker } from './lossChunker';
import { DeviceLost, failureOf, recover, type BackendGuard } from './recovery';
import { yieldToEventLoop } from '../../shared/yield';
import { RunControl } from './runControl';
import { SnapshotKeeper } from './snapshots';

export { RunControl };

/** The loop gives the event loop a turn this often. */
export const YIELD_MS = 10;
/** The page gets the weights at most this often (and at the run's end, from the worker). */
const CHECKPOINT_MS = 2000;
/**
 * The longest a training step may take: the loop answers pause, stop and predictions between
 * steps, and the page takes a worker silent for 4 s for a dead one.
 */
export const MAX_STEP_MS = 250;
/** A micro-batch's time, for a batch trained in parts: Pause and Stop answer between parts. */
const MICRO_STEP_MS = 100;
/**
 * Measurements that may wait on the evaluator's thread; past this the run waits for it (and the
 * wait is not training time): each holds a copy of the weights, and none is dropped. As many as
 * PENDING_WEIGHTS_BYTES of weights allow, between 4 and 16: with 4 at most, a run stopped at its
 * start and at its first epoch's end while the evaluator caught up, and the measurements arriving a
 * little later cost less than that wait (docs/performance.md).
 */
const PENDING_WEIGHTS_BYTES = 16 << 20;
export function maxPendingMeasurements(paramCount: number): number {
  return Math.max(4, Math.min(16, Math.floor(PENDING_WEIGHTS_BYTES / (paramCount * 4))));
}
/** The batch a step's time is measured at, before a run with a larger batch starts. */
const PROBE_BATCH = 32;
/** The measured slices are the same in every run and every seed, so runs stay comparable. */
const SLICE_SEED = 20_240_601;

export interface TrainOptions {
  runId: number;
  config: TrainConfig;
  session: Session;
  emit: Emit;
  control: RunControl;
  guard?: BackendGuard;
  /**
   * Where the run starts: the current model's state (trained further); fresh weights drawn from
   * the config's seed when not given.
   */
  initial?: EngineState;
  /** Where measurements are taken; inline on this thread when not given. */
  evaluator?: EvaluatorPort;
  /** Called after every batch (tests check numTensors here). */
  afterBatch?: (globalBatch: number) => void;
}

/** What an epoch's summary adds to its measurement (protocol.ts's EpochSummary). */
type EpochFields = Omit<EpochSummary, keyof Measurement> & { epoch: number };

export type RunOutcome = 'done' | 'stopped' | 'diverged' | 'invalid' | 'failed';

/**
 * The fixed random slice of a set of `count` images that the measurements during a run read:
 * `size` rows (all when fewer), ascending; the same for both sets' sizes in every run.
 */
export function evalSlice(count: number, size: number, stream: number): Int32Array {
  const n = Math.min(count, size);
  return shuffledIndices(count, mulberry32(SLICE_SEED + stream))
    .slice(0, n)
    .sort();
}

/**
 * Trains a model (fresh seeded weights from config, or `initial`) on the session's data; the
 * model stays the session's when the run ends. Resolves when the run is done, stopped, diverged or failed; every
 * outcome has been emitted.
 */
export async function train(options: TrainOptions): Promise<RunOutcome> {
  const { runId, config, session, emit } = options;
  const problem = configProblem(config);
  if (problem || !session.data.loaded) {
    emit({
      type: 'error',
      runId,
      ...(problem
        ? { code: 'invalid-config', message: problem }
        : { code: 'data-not-ready', message: new DataNotReady().message }),
    });
    return 'invalid';
  }
  // Engines that must prove themselves on this device do so first (a failure routes elsewhere).
  await session.verify(netLayout(config.model), config.optimizer);
  const slow = await tooSlow(config, session);
  if (slow && 'refused' in slow) {
    emit({ type: 'error', runId, code: 'invalid-config', message: slow.refused });
    return 'invalid';
  }
  try {
    return await new TrainingRun(options, slow?.microBatch ?? 0).loop();
  } catch (e) {
    emit({
      type: 'error',
      code: 'internal',
      runId,
      message: `Training failed: ${(e as Error).message ?? String(e)}`,
    });
    emit({ type: 'state', runId, state: 'stopped' });
    return 'failed';
  }
}

/**
 * What to do about a step of `config` too slow here (over MAX_STEP_MS); null when it is not. A
 * step cannot be interrupted, so a run whose steps take seconds could not answer Pause or Stop:
 * on an engine with micro-batches each batch is trained in parts of about MICRO_STEP_MS (the same
 * maths: the parts' gradients summed, one optimizer step); on another it is refused before it
 * starts, saying what would fit. The estimate fits time = fixed + perImage * batch to steps of 1
 * and of up to PROBE_BATCH images (a step's fixed cost, a device's readback say, must not be
 * multiplied by the batch). A probe that fails is left to the run, whose recovery knows what to
 * do with a failing engine or device.
 */
async function tooSlow(
  config: TrainConfig,
  session: Session,
): Promise<{ microBatch: number } | { refused: string } | null> {
  const batch = config.batchSize;
  const probe = Math.min(batch, PROBE_BATCH);
  const sizes = probe > 1 ? [1, probe] : [1];
  const measure = () => session.timeSteps(netLayout(config.model), config.optimizer, sizes).catch(() => null);
  const fit = (times: number[]) => {
    const [one, many = one] = times;
    const perImage = probe > 1 ? Math.max(0, (many - one) / (probe - 1)) : one;
    const fixed = probe > 1 ? Math.max(0, one - perImage) : 0;
    return { perImage, fixed, estimate: fixed + perImage * batch };
  };
  const first = await measure();
  if (!first || fit(first.times).estimate <= MAX_STEP_MS) return null;
  const { microBatches } = first;
  // A refusal is measured twice, each size's least time kept: one slow probe step makes the slope,
  // and the estimate at a large batch, several times too large, refusing runs that fit
  // (docs/performance.md).
  const second = await measure();
  const times = second ? first.times.map((t, i) => Math.min(t, second.times[i])) : first.times;
  const { perImage, fixed, estimate } = fit(times);
  if (estimate <= MAX_STEP_MS) return null;
  const fits = Math.floor((MAX_STEP_MS - fixed) / Math.max(perImage, 1e-9));
  if (microBatches)
    return { microBatch: Math.max(1, Math.floor((MICRO_STEP_MS - fixed) / Math.max(perImage, 1e-9))) };
  const seconds = estimate >= 10_000 ? Math.round(estimate / 1000) : +(estimate / 1000).toFixed(1);
  const instead =
    fits >= 1 ? `Use a batch size of at most ${fits}, or a smaller model.` : 'Use a smaller model.';
  return {
    refused: `A training step of this model at batch ${batch} would take about ${seconds} s here (measured at batch ${sizes.join(' and ')}): Pause and Stop could not answer until it ended. ${instead}`,
  };
}

/**
 * Where a run starts: fresh weights from its seed, or `initial`'s weights; its optimizer state
 * goes on only when it is this optimizer's (a loaded or imported model has none: Adam's moments
 * then start anew, as in a PyTorch script that loads a state_dict into a new optimizer).
 */
function startState({ initial, config }: TrainOptions, layout: NetLayout): EngineState {
  if (!initial) return initialState(layout, config.seed);
  if (initial.params.length !== layout.paramCount)
    throw new Error('the current model is not this run’s model');
  const keepSlots = initial.slots.length === layout.paramCount * slotCount(config.optimizer);
  return {
    params: initial.params.slice(),
    slots: keepSlots ? initial.slots.slice() : new Float32Array(0),
    steps: keepSlots ? initial.steps : 0,
  };
}

class TrainingRun {
  private readonly o: TrainOptions;
  private readonly layout: NetLayout;
  private readonly cursor: BatchCursor;
  private readonly losses: LossChunker;
  private readonly snapshots: SnapshotKeeper;
  private readonly evaluator: EvaluatorPort;
  /** The slices of both sets measured every `evalEvery` batches. */
  private readonly trainSlice: Int32Array;
  private readonly testSlice: Int32Array;
  private readonly evalEvery: number;
  /** Measurements under way on the evaluator's thread, and how many may be. */
  private readonly measuring = new Set<Promise<void>>();
  private readonly maxMeasuring: number;
  private engine: Engine;
  /** performance.now() at the start, and the ms since spent paused or waiting for measurements. */
  private readonly started = performance.now();
  private idleMs = 0;
  /** Training ms when the current epoch started. */
  private epochStartMs = 0;
  private lastYield = performance.now();
  /** The global index of the first batch whose loss was not finite. */
  private divergedAt = 0;
  private lastCheckpoint = performance.now();

  /**
   * Images a part of a batch trains at most (0: each batch in one step), when a whole batch's
   * step would be too slow (tooSlow).
   */
  private readonly microBatch: number;

  constructor(o: TrainOptions, microBatch = 0) {
    this.o = o;
    this.microBatch = microBatch;
    const { config, session } = o;
    const { train, test } = session.data.require();
    this.layout = netLayout(config.model);
    this.maxMeasuring = maxPendingMeasurements(this.layout.paramCount);
    this.cursor = new BatchCursor(train.count, config.batchSize, config.epochs, config.seed);
    this.losses = new LossChunker(o.runId, this.cursor.total, o.emit);
    const floats = this.layout.paramCount * (1 + slotCount(config.optimizer));
    this.snapshots = new SnapshotKeeper(startState(o, this.layout), floats);
    this.evaluator = o.evaluator ?? new InlineEvaluator(session.data);
    this.evaluator.cancelBefore(o.runId);
    this.trainSlice = evalSlice(train.count, config.evalSamples, 0);
    this.testSlice = evalSlice(test.count, config.evalSamples, 1);
    this.evalEvery = evalInterval(config, this.cursor.perEpoch);
    this.engine = session.install(this.layout, config.optimizer, this.snapshots.good.state);
    session.trained = false;
  }

  /** Milliseconds of training so far: pauses and waits for measurements left out. */
  private trainingMs(): number {
    return performance.now() - this.started - this.idleMs;
  }

  /** The loop: a batch, its losses now and then, measurements, an epoch's end, pause and stop. */
  async loop(): Promise<RunOutcome> {
    const { cursor, losses, o } = this;
    this.state('training');
    while (!cursor.done) {
      try {
        const order = cursor.newOrder();
        if (order) this.startEpoch(order);
        const { start, size } = cursor.batch();
        const rate = learningRateAt(o.config, cursor.epoch);
        if (!(await this.trainBatch(start, size, rate))) {
          // Stopped within a batch: what it had accumulated is dropped, the batches before it kept.
          if (losses.pending > 0 && !(await this.flush(false))) return this.diverged();
          this.state('stopped');
          return 'stopped';
        }
        losses.pending++;
        o.session.trained = true;
        const epochDone = cursor.advance();
        if (o.guard?.lost()) throw new DeviceLost();
        const { stopRequested, pauseRequested } = o.control;
        if (losses.due(epochDone || stopRequested || pauseRequested) && !(await this.flush(epochDone)))
          return this.diverged();
        o.afterBatch?.(cursor.next - 1);
        if (epochDone) await this.endEpoch();
        else if (cursor.next % this.evalEvery === 0) await this.measure(null);
        if (performance.now() - this.lastYield >= YIELD_MS) {
          await yieldToEventLoop();
          this.lastYield = performance.now();
        }
        if (o.control.pauseRequested) await this.pause();
        if (o.control.stopRequested) {
          // What is being measured still arrives; the run does not wait for it.
          this.state('stopped');
          return 'stopped';
        }
      } catch (e) {
        if (!(await this.recover(e))) return 'failed';
      }
    }
    // Done means every number of the run is in: the last epoch's measurement too.
    while (this.measuring.size > 0) await Promise.all(this.measuring);
    this.state('done');
    return 'done';
  }

  /**
   * One optimizer step on a batch: whole, or in micro-batches (this.microBatch images each) with
   * Pause and Stop answered between them. False when stopped within it (no step taken).
   */
  private async trainBatch(start: number, size: number, rate: number): Promise<boolean> {
    const { engine, o } = this;
    const part = this.microBatch;
    if (!part || size <= part || !engine.accumulate || !engine.applyAccumulated) {
      engine.step(start, size, rate);
      return true;
    }
    for (let done = 0; done < size; done += part) {
      engine.accumulate(start + done, Math.min(part, size - done), size);
      if (done + part >= size) break;
      await yieldToEventLoop();
      this.lastYield = performance.now();
      if (o.control.pauseRequested) await this.pause();
      if (o.control.stopRequested) {
        engine.discardAccumulated?.();
        return false;
      }
    }
    engine.applyAccumulated(rate);
    return true;
  }

  state(state: Exclude<RunState, 'idle'>): void {
    this.o.emit({ type: 'state', runId: this.o.runId, state });
  }

  private startEpoch(order: Int32Array): void {
    this.engine.setOrder(order);
    this.epochStartMs = this.trainingMs();
  }

  /**
   * Drains and posts the pending losses (and, at an epoch's end and now and then, a snapshot);
   * false on a non-finite loss.
   */
  private async flush(epochDone: boolean): Promise<boolean> {
    const withState = this.snapshots.due(epochDone);
    const { losses, state } = await this.guarded(this.engine.drain(withState));
    if (this.o.guard?.lost()) throw new DeviceLost();
    const bad = this.losses.post(losses, this.cursor.epoch, this.trainingMs() / 1000);
    if (bad >= 0) {
      this.divergedAt = bad;
      return false;
    }
    if (state) {
      this.snapshots.offer(state, this.cursor.next);
      this.checkpoint(epochDone);
    }
    return true;
  }

  /**
   * Now and then, and at every epoch's end (`now`), the last good weights to the page: if the
   * worker dies, a new one restores them; if the page goes away, the ledger has them. A copy is
   * transferred; the snapshot keeps its own.
   */
  private checkpoint(now: boolean): void {
    if (!now && performance.now() - this.lastCheckpoint < CHECKPOINT_MS) return;
    this.lastCheckpoint = performance.now();
    const params = this.snapshots.good.state.params.slice();
    this.o.emit({ type: 'checkpoint', runId: this.o.runId, model: this.o.config.model, params }, [
      params.buffer,
    ]);
  }

  /**
   * Measures the weights as they are now: on the slices of both sets, or (`epoch` given, at its
   * end) on all of both, which posts the epoch's summary. On the evaluator's own thread training
   * goes on meanwhile; inline, it waits, and the wait is not training time.
   */
  private async measure(epoch: Omit<EpochFields, 'confusion'> | null): Promise<void> {
    const { o, cursor } = this;
    const waitStart = performance.now();
    while (this.measuring.size >= this.maxMeasuring) await Promise.race(this.measuring);
    this.idleMs += performance.now() - waitStart;
    // Reading the weights is the training thread's own cost: training time.
    const { params } = await this.guarded(this.engine.readState());
    if (o.guard?.lost()) throw new DeviceLost();
    const job: MeasureJob = {
      runId: o.runId,
      model: o.config.model,
      params,
      batch: cursor.next,
      epoch: cursor.next / cursor.perEpoch,
      trainingSeconds: this.trainingMs() / 1000,
      trainRows: epoch ? null : this.trainSlice,
      testRows: epoch ? null : this.testSlice,
    };
    const measureStart = performance.now();
    const measured = this.evaluator.measure(job).then(
      (result) => this.post(result, epoch),
      (e: unknown) => {
        if (e instanceof Cancelled) return;
        o.emit({
          type: 'error',
          code: 'internal',
          runId: o.runId,
          message: `A measurement at batch ${job.batch} failed: ${(e as Error).message ?? String(e)}`,
        });
      },
    );
    if (this.evaluator.inline) {
      await measured;
      this.idleMs += performance.now() - measureStart;
      return;
    }
    this.measuring.add(measured);
    void measured.finally(() => this.measuring.delete(measured));
  }

  private post(
    { measurement, confusion }: MeasureResult,
    epoch: Omit<EpochFields, 'confusion'> | null,
  ): void {
    if (!epoch) {
      this.o.emit({ type: 'measurement', ...measurement });
      return;
    }
    this.o.emit({ type: 'epochEnd', ...measurement, ...epoch, confusion: Array.from(confusion) });
  }

  /** The epoch's end: its pace, then the measurement on all of both sets (measure). */
  private async endEpoch(): Promise<void> {
    const { o, cursor } = this;
    const seconds = (this.trainingMs() - this.epochStartMs) / 1000;
    const last = cursor.next - 1;
    const n = o.session.data.require().train.count;
    await this.measure({
      epoch: cursor.epoch,
      epochs: o.config.epochs,
      lastBatch: last,
      meanBatchLoss: this.losses.mean(last + 1 - cursor.perEpoch, last),
      learningRate: learningRateAt(o.config, cursor.epoch),
      seconds,
      samplesPerSecond: n / seconds,
    });
  }

  private async pause(): Promise<void> {
    const { control } = this.o;
    const pausedAt = performance.now();
    this.state('paused');
    await control.waitForResume();
    this.idleMs += performance.now() - pausedAt;
    if (!control.stopRequested) this.state('training');
  }

  /**
   * After a failure: the model rebuilt from the last good snapshot on the next backend or engine,
   * and the batches since that snapshot trained (and posted) again. False (and said so) when it
   * cannot go on; a failure that is neither a device's nor an engine's is rethrown.
   */
  private async recover(error: unknown): Promise<boolean> {
    const { o, cursor, losses } = this;
    const failure = failureOf(error, o.guard);
    if (!failure) throw error;
    const { state, batch } = this.snapshots.good;
    const start = { layout: this.layout, optimizer: o.config.optimizer, state };
    const engine = await recover(failure, error, o.session, o.guard, o.emit, start);
    if (!engine) {
      o.emit({
        type: 'error',
        code: 'context-lost',
        runId: o.runId,
        message: 'The GPU context was lost and no other backend could start.',
      });
      this.state('stopped');
      return false;
    }
    this.engine = engine;
    cursor.rewind(batch);
    losses.rewind(batch);
    const order = cursor.newOrder();
    if (order) this.startEpoch(order);
    else engine.setOrder(cursor.order);
    return true;
  }

  /** Back to the last weights known finite, so the model stays usable for predict. */
  private diverged(): RunOutcome {
    this.engine.setState(this.snapshots.good.state);
    this.o.emit({
      type: 'error',
      code: 'diverged',
      runId: this.o.runId,
      message: `The loss became NaN or infinite at batch ${this.divergedAt}: the learning rate (${this.o.config.learningRate}) is likely too high. The last good weights are kept.`,
    });
    this.state('stopped');
    return 'diverged';
  }

  private guarded<T>(p: Promise<T>): Promise<T> {
    return this.o.guard ? this.o.guard.unlessLost(p) : p;
  }
}
