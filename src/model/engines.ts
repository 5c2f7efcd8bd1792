/**
 * What the training loop (worker/trainer.ts) drives, one per session engine: tfjs kernels with
 * the losses kept on the device (step.ts), or plain loops on the CPU (cpuMlp.ts). Both train the
 * session's model in place, so predict during training sees the live weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../protocol/messages';
import { createCpuOptimizer, type CpuOptimizer } from './cpuOptimizers';
import { createMlp, type MlpLayout } from './mlp';
import { createOptimizer, type FlatOptimizer } from './optimizers';
import type { Session } from './session';
import { evaluateSplit, trainStep, type Evaluation } from './step';

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
  let losses: tf.Tensor1D = tf.zeros([0]);
  let order: tf.Tensor1D | null = null;
  return {
    setOrder(values) {
      order?.dispose();
      order = tf.tensor1d(values, 'int32');
    },
    step(first, size, lr) {
      const next = trainStep(
        session.model,
        optimizer,
        session.ensureDevice().train,
        order!,
        first,
        size,
        lr,
        losses,
      );
      losses.dispose();
      losses = next;
    },
    steps: () => optimizer.steps,
    async drain(withState, guarded) {
      const k = losses.shape[0];
      const read = withState ? tf.concat([losses, session.model.params, ...optimizer.slots]) : losses;
      try {
        const values = (await guarded(read.data())) as Float32Array;
        return { losses: values.slice(0, k), state: withState ? values.slice(k) : undefined };
      } finally {
        if (read !== losses) read.dispose();
        losses.dispose();
        losses = tf.zeros([0]);
      }
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
      tf.dispose([losses, ...(order ? [order] : [])]);
      optimizer.dispose();
    },
  };
}

function cpuEngine(session: Session, start: EngineStart): StepEngine {
  session.setWeights(start.layout, start.params.slice());
  const model = session.cpuModel!;
  const data = session.ensureCpuData();
  const labels = session.mnist!.train.labels;
  const P = start.layout.paramCount;
  const optimizer: CpuOptimizer = createCpuOptimizer(start.optimizer, P, start.slots, start.steps);
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
