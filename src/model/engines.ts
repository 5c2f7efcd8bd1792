/**
 * What the training loop (worker/trainer.ts) drives, one per session engine: tfjs kernels with
 * the losses kept on the device (step.ts), or plain loops on the CPU (cpuMlp.ts). Both train the
 * session's model in place, so predict during training sees the live weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../protocol/messages';
import { createCpuTrainer } from './cpuOptimizers';
import type { DeviceSplit } from './dataset';
import { createMlp, type Mlp, type MlpLayout } from './mlp';
import { createOptimizer, type FlatOptimizer } from './optimizers';
import type { Session } from './session';
import { evaluateSplit, trainStep, type Evaluation } from './step';
import { LOSS_BUFFER, supportsWebglStep, WebglStep } from './webglStep';

/** Settles like `p`, or rejects when the device is lost (BackendGuard.unlessLost). */
export type Guarded = <T>(p: Promise<T>) => Promise<T>;

/** Where a run starts from: weights, and optimizer state when resuming (optimizers.ts order). */
export interface EngineStart {
  layout: MlpLayout;
  optimizer: OptimizerName;
  params: Float32Array;
  slots?: Float32Array;
  steps: number;
}

export interface StepEngine {
  /** The epoch's shuffle: [trainCount] row indices. */
  setOrder(order: Int32Array): void;
  /** One optimizer step on the batch order[start, start + size). */
  step(start: number, size: number, learningRate: number): void;
  /** Optimizer steps taken so far (Adam's bias correction). */
  steps(): number;
  /**
   * The losses of the steps since the last drain, in order, then (withState) the weights and
   * the optimizer slots, all in one new array.
   */
  drain(withState: boolean, guarded: Guarded): Promise<{ losses: Float32Array; state?: Float32Array }>;
  evaluateTrain(guarded: Guarded): Promise<Evaluation>;
  evaluateTest(guarded: Guarded): Promise<Evaluation>;
  /** Puts `params` back as the model's weights (after a divergence). */
  restore(params: Float32Array): void;
  /** Releases what the engine holds (not the session's model). */
  dispose(): void;
}

/** An engine for `session`, whose model it replaces with start.params (copied). */
export function createEngine(session: Session, start: EngineStart): StepEngine {
  return session.engine === 'js' ? cpuEngine(session, start) : tfEngine(session, start);
}

function tfEngine(session: Session, start: EngineStart): StepEngine {
  session.replaceModel(createMlp(start.layout, start.params));
  const P = start.layout.paramCount;
  const optimizer: FlatOptimizer = createOptimizer(start.optimizer, P, start.slots, start.steps);
  const device = deviceSteps(session.model, optimizer);
  let order: tf.Tensor1D | null = null;
  return {
    setOrder(values) {
      order?.dispose();
      order = tf.tensor1d(values, 'int32');
    },
    step(first, size, lr) {
      device.step(session.ensureDevice().train, order!, first, size, lr);
    },
    steps: () => optimizer.steps,
    async drain(withState, guarded) {
      const { losses, extra } = await device.drain(
        withState ? [session.model.params, ...optimizer.slots] : [],
        guarded,
      );
      return { losses, state: withState ? extra : undefined };
    },
    evaluateTrain(guarded) {
      const device = session.ensureDevice();
      return guarded(evaluateSplit(session.model, device.train, device.trainEvalIndices));
    },
    evaluateTest: (guarded) => guarded(evaluateSplit(session.model, session.ensureDevice().test)),
    restore(params) {
      tf.tidy(() => session.model.params.assign(tf.tensor1d(params)));
    },
    dispose() {
      device.dispose();
      order?.dispose();
      optimizer.dispose();
    },
  };
}

export interface DeviceSteps {
  /** Which step runs: the hand-written WebGL programs, or tfjs core ops. */
  readonly impl: 'programs' | 'core-ops';
  /**
   * One step of the model on the batch order[start, start + size) of `split`; order: [count]
   * int32, the epoch's shuffle (the caller's). Nothing is read back.
   */
  step(split: DeviceSplit, order: tf.Tensor1D, start: number, size: number, learningRate: number): void;
  /**
   * With one sync: the losses of the steps since the last drain, and the values of the tensors in
   * `extra` (the caller's; e.g. the weights), flat, one after another.
   */
  drain(extra: tf.Tensor[], guarded?: Guarded): Promise<{ losses: Float32Array; extra: Float32Array }>;
  /** Releases the loss buffer (not the model or the optimizer). */
  dispose(): void;
}

/**
 * Training steps of a tfjs model on the device, losses kept there until drained: the hand-written
 * WebGL programs (webglStep.ts) where they apply, which write each loss into a buffer at `count`;
 * the core-ops step (step.ts) elsewhere, which appends it, so that buffer is always `count` long.
 * If the programs fail on the first step (a driver that rejects a shader), the core-ops step
 * takes over.
 */
export function deviceSteps(model: Mlp, optimizer: FlatOptimizer): DeviceSteps {
  let webgl = supportsWebglStep(model.layout) ? new WebglStep(model.layout, optimizer.name) : null;
  const emptyLosses = (): tf.Tensor1D => tf.zeros([webgl ? LOSS_BUFFER : 0]);
  let losses = emptyLosses();
  let count = 0;
  let proven = false;
  const coreOps = (split: DeviceSplit, order: tf.Tensor1D, start: number, size: number, lr: number) =>
    trainStep(model, optimizer, split, order, start, size, lr, losses);
  return {
    get impl() {
      return webgl ? 'programs' : 'core-ops';
    },
    step(split, order, start, size, lr) {
      let next: tf.Tensor1D;
      if (!webgl) {
        next = coreOps(split, order, start, size, lr);
      } else if (proven) {
        next = webgl.step(model.params, optimizer, split, order, start, size, lr, losses, count);
      } else {
        try {
          next = webgl.step(model.params, optimizer, split, order, start, size, lr, losses, count);
          proven = true;
        } catch {
          // Nothing changed (the step updates state only after every program ran): start over
          // on core ops. A lost context fails there too, and the trainer handles it.
          webgl = null;
          losses.dispose();
          losses = emptyLosses();
          next = coreOps(split, order, start, size, lr);
        }
      }
      losses.dispose();
      losses = next;
      count++;
    },
    async drain(extra, guarded = (p) => p) {
      const k = count;
      const read = extra.length ? tf.concat([losses, ...extra]) : losses;
      try {
        const values = (await guarded(read.data())) as Float32Array;
        return { losses: values.slice(0, k), extra: values.slice(losses.shape[0]) };
      } finally {
        if (read !== losses) read.dispose();
        count = 0;
        // The WebGL buffer is reused: positions past `count` are ignored.
        if (!webgl) {
          losses.dispose();
          losses = emptyLosses();
        }
      }
    },
    dispose: () => losses.dispose(),
  };
}

function cpuEngine(session: Session, start: EngineStart): StepEngine {
  const { model, optimizer } = createCpuTrainer(
    start.layout,
    start.params,
    start.optimizer,
    start.slots,
    start.steps,
  );
  session.cpuModel = model;
  const data = session.ensureCpuData();
  const labels = session.mnist!.train.labels;
  const P = start.layout.paramCount;
  let order: Int32Array = new Int32Array(0);
  let losses: number[] = [];
  return {
    setOrder(values) {
      order = values;
    },
    step(first, size, lr) {
      losses.push(model.lossAndGradient(data.train, labels, order, first, size));
      optimizer.apply(model.params, model.gradient, lr);
    },
    steps: () => optimizer.steps,
    async drain(withState) {
      const out = { losses: Float32Array.from(losses), state: undefined as Float32Array | undefined };
      losses = [];
      if (withState) {
        const state = new Float32Array(P * (1 + optimizer.slots.length));
        state.set(model.params);
        optimizer.slots.forEach((s, i) => state.set(s, P * (i + 1)));
        out.state = state;
      }
      return out;
    },
    async evaluateTrain() {
      return model.evaluate(data.train, labels, data.trainEvalIndices);
    },
    async evaluateTest() {
      return model.evaluate(data.test, session.mnist!.test.labels);
    },
    restore(params) {
      model.params.set(params);
      model.gradient.fill(0);
    },
    dispose() {},
  };
}
