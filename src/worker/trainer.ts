/**
 * The training loop. It never touches `self`: it takes an `emit` callback and a control object,
 * so the worker adapter and the Node tests drive the same code.
 *
 * Per step nothing is read back: each batch's loss is appended to a small device tensor, and about
 * every CHUNK_MS those losses (and, now and then, a snapshot of the weights) come back with one
 * async data() call and leave as one `metrics` message. Between steps the loop yields to the
 * event loop about every YIELD_MS so pause/stop/predict messages get a turn within a batch.
 */
import { learningRateAt, validateConfig } from '../model/config';
import { createEngine, type StepEngine } from '../model/engines';
import { initialParams, mlpLayout } from '../model/mlp';
import { slotCount } from '../model/optimizers';
import { deriveSeed, mulberry32, shuffledIndices } from '../model/random';
import type { BackendInfo, FromWorker, TrainConfig } from '../protocol/messages';
import { RunControl, yieldToEventLoop } from '../model/runControl';
import type { Session } from '../model/session';

export { RunControl };

/** Losses are read back and posted about this often: ~10 messages a second, well under 30. */
export const CHUNK_MS = 100;
/** The loop gives the event loop a turn this often. */
export const YIELD_MS = 10;
/** A CPU copy of the weights (for divergence and context loss) is taken at most this often. */
const SNAPSHOT_MS = 500;

export type Emit = (msg: FromWorker, transfer?: Transferable[]) => void;

/** What the trainer needs from the backend layer to survive a lost WebGL context. */
export interface BackendGuard {
  /** True once the current backend's device state can no longer be trusted. */
  lost(): boolean;
  /** Whether `error`, thrown by a tf call, means the device is gone (marks it lost if so). */
  isDeviceFailure(error: unknown): boolean;
  /** Settles like `p`, or rejects once the device is lost (a lost context may never answer). */
  unlessLost<T>(p: Promise<T>): Promise<T>;
  /** Switches to the next backend in the fallback chain; null when none is left. */
  fallback(): Promise<BackendInfo | null>;
}

export interface TrainOptions {
  runId: number;
  config: TrainConfig;
  session: Session;
  emit: Emit;
  control: RunControl;
  guard?: BackendGuard;
  /** Called after every batch (tests check numTensors here; the benchmark times steps). */
  afterBatch?: (globalBatch: number) => void;
}

export type RunOutcome = 'done' | 'stopped' | 'diverged' | 'invalid' | 'failed';

/** Weights and optimizer state on the CPU, known finite, to fall back on. */
interface Snapshot {
  params: Float32Array;
  slots?: Float32Array;
  steps: number;
}

class DeviceLost extends Error {}

/**
 * Trains a fresh model (seeded weights from config) on session.mnist, replacing session.model.
 * Resolves when the run is done, stopped, diverged or failed; every outcome has been emitted.
 */
export async function train(options: TrainOptions): Promise<RunOutcome> {
  const { runId, config, session, emit, control, guard } = options;
  const problems = validateConfig(config);
  if (problems.length > 0) {
    emit({
      type: 'error',
      code: 'invalid-config',
      runId,
      message: problems.map((p) => p.message).join('; '),
    });
    return 'invalid';
  }
  const mnist = session.mnist;
  if (!mnist) {
    emit({
      type: 'error',
      code: 'data-not-ready',
      runId,
      message: 'The MNIST data has not finished loading yet.',
    });
    return 'invalid';
  }
  const layout = mlpLayout(config.hiddenLayers);
  const P = layout.paramCount;
  const n = mnist.train.count;
  const perEpoch = Math.ceil(n / config.batchSize);
  const totalBatches = perEpoch * config.epochs;
  let good: Snapshot = { params: initialParams(layout, config.seed), steps: 0 };
  const startFrom = (s: Snapshot) => createEngine(session, { layout, optimizer: config.optimizer, ...s });
  if (session.engine === 'tf') session.ensureDevice();
  let engine: StepEngine = startFrom(good);
  session.trained = false;
  let pending = 0; // steps whose losses have not been drained
  let orderValues: Int32Array | null = null;
  let epoch = 0;
  let batch = 0; // next global batch to train
  let chunkFirst = 0; // global index of losses[0]
  let epochLossSum = 0;
  let epochLossCount = 0;
  let lastSnapshot = performance.now();
  let divergedAt = 0;
  const snapshotMs = Math.max(SNAPSHOT_MS, (P * (1 + slotCount(config.optimizer))) / 4000);

  const guarded = <T>(p: Promise<T>): Promise<T> => (guard ? guard.unlessLost(p) : p);
  const state = (s: 'training' | 'paused' | 'stopped' | 'done', message?: string) =>
    emit({ type: 'state', runId, state: s, message });
  const cleanup = () => engine.dispose();

  /**
   * Reads the chunk's losses back (one sync), posts them, and now and then a weights snapshot.
   * Returns false when a loss is not finite (the finite ones before it are still posted).
   */
  const flush = async (): Promise<boolean> => {
    const k = pending;
    if (k === 0) return true;
    const withSnapshot = performance.now() - lastSnapshot >= snapshotMs || batch === totalBatches;
    const steps = engine.steps();
    pending = 0;
    const { losses: values, state } = await engine.drain(withSnapshot, guarded);
    if (guard?.lost()) throw new DeviceLost();
    let finite = 0;
    while (finite < k && Number.isFinite(values[finite])) finite++;
    if (finite > 0) {
      const chunk = values.slice(0, finite);
      for (const v of chunk) epochLossSum += v;
      epochLossCount += finite;
      emit({ type: 'metrics', runId, epoch, firstBatch: chunkFirst, losses: chunk, totalBatches }, [
        chunk.buffer,
      ]);
    }
    chunkFirst += k;
    if (finite < k) {
      divergedAt = chunkFirst - k + finite;
      return false;
    }
    if (state) {
      lastSnapshot = performance.now();
      if (state.every(Number.isFinite)) {
        good = {
          params: state.slice(0, P),
          slots: state.length > P ? state.slice(P) : undefined,
          steps,
        };
      }
    }
    return true;
  };

  /** Rebuilds everything on the next backend from the last good snapshot; false if none is left. */
  const recover = async (): Promise<boolean> => {
    try {
      cleanup();
      session.dropDevice();
    } catch {
      // Releasing textures of a lost context can fail; they are gone either way.
    }
    const info = guard ? await guard.fallback() : null;
    if (!info) return false;
    emit({ type: 'backendChanged', ...info });
    session.ensureDevice();
    engine = startFrom(good);
    pending = 0;
    if (orderValues) engine.setOrder(orderValues);
    // Batches whose losses were posted stay posted; the ones since are redone from the snapshot's weights.
    batch = chunkFirst;
    return true;
  };

  const startEpoch = () => {
    epoch = Math.floor(batch / perEpoch) + 1;
    orderValues = shuffledIndices(n, mulberry32(deriveSeed(config.seed, epoch)));
    engine.setOrder(orderValues);
    epochLossSum = 0;
    epochLossCount = 0;
  };

  try {
    state('training');
    let epochStart = performance.now();
    let pausedMs = 0;
    let lastYield = performance.now();
    let lastFlush = performance.now();
    while (batch < totalBatches) {
      try {
        if (batch % perEpoch === 0 && (orderValues === null || epoch !== Math.floor(batch / perEpoch) + 1)) {
          startEpoch();
          epochStart = performance.now();
          pausedMs = 0;
        }
        const s = batch % perEpoch;
        const start = s * config.batchSize;
        const size = Math.min(config.batchSize, n - start);
        const lr = learningRateAt(config, epoch);
        engine.step(start, size, lr);
        pending++;
        session.trained = true;
        batch++;
        if (guard?.lost()) throw new DeviceLost();
        const epochDone = batch % perEpoch === 0;
        const now = performance.now();
        if (epochDone || now - lastFlush >= CHUNK_MS || control.stopRequested || control.pauseRequested) {
          lastFlush = now;
          if (!(await flush())) return await diverged();
        }
        options.afterBatch?.(batch - 1);
        if (epochDone) {
          const seconds = (performance.now() - epochStart - pausedMs) / 1000;
          const trainEval = await engine.evaluateTrain(guarded);
          const testEval = await engine.evaluateTest(guarded);
          if (guard?.lost()) throw new DeviceLost();
          emit({
            type: 'epochEnd',
            runId,
            epoch,
            epochs: config.epochs,
            lastBatch: batch - 1,
            trainLoss: epochLossCount ? epochLossSum / epochLossCount : NaN,
            trainAccuracy: trainEval.accuracy,
            trainAccuracySamples: trainEval.count,
            testAccuracy: testEval.accuracy,
            testLoss: testEval.loss,
            learningRate: lr,
            seconds,
            samplesPerSecond: n / seconds,
          });
        }
        if (performance.now() - lastYield >= YIELD_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
        if (control.stopRequested) {
          state('stopped');
          return 'stopped';
        }
        if (control.pauseRequested) {
          const pausedAt = performance.now();
          state('paused');
          await control.waitForResume();
          pausedMs += performance.now() - pausedAt;
          if (control.stopRequested) {
            state('stopped');
            return 'stopped';
          }
          state('training');
        }
      } catch (e) {
        if (!(e instanceof DeviceLost) && !guard?.isDeviceFailure(e)) throw e;
        if (!(await recover())) {
          emit({
            type: 'error',
            code: 'context-lost',
            runId,
            message: 'The GPU context was lost and no other backend could start.',
          });
          state('stopped');
          return 'failed';
        }
        lastFlush = performance.now();
      }
    }
    state('done');
    return 'done';
  } catch (e) {
    emit({
      type: 'error',
      code: 'internal',
      runId,
      message: `Training failed: ${(e as Error).message ?? String(e)}`,
    });
    state('stopped');
    return 'failed';
  } finally {
    cleanup();
  }

  async function diverged(): Promise<RunOutcome> {
    // Back to the last weights known finite, so the model stays usable for predict.
    engine.restore(good.params);
    emit({
      type: 'error',
      code: 'diverged',
      runId,
      message: `The loss became NaN or infinite at batch ${divergedAt}: the learning rate (${config.learningRate}) is likely too high. The last good weights are kept.`,
    });
    state('stopped');
    return 'diverged';
  }
}
