/**
 * The one interface every engine implements, and what is computed once for all of them on top of
 * it (evaluation with the confusion counts, probabilities, PyTorch-named weights). The worker
 * chooses an engine once per run (registry.ts) and from then on never asks which one it has.
 *
 * An engine owns a model's weights and optimizer state for one layout (layout.ts) and trains it
 * on the resident data set (data.ts): tfjs kernels on their device, hand-written WebGL programs,
 * or the project's CPU loops. Each is held to the plain reference in reference/ by one test
 * (engines.test.ts; the WebGL engine in e2e/engine.spec.ts through the same conformance run).
 */
import type { OptimizerName } from '../shared/config';
import { argMax, NUM_CLASSES } from '../shared/mnist';
import type { BackendName, EngineName } from '../shared/protocol';
import type { ResidentData, Split } from './data';
import { fromNamed, toNamed, type NamedTensor, type NetLayout } from './layout';

/** Weights and optimizer state on the CPU: a snapshot to restart from. */
export interface EngineState {
  /** [paramCount], layout.ts's order. */
  params: Float32Array;
  /**
   * The optimizer's state vectors, [paramCount] each, slot after slot (optimizer.ts's order);
   * empty for a fresh start (all zeros).
   */
  slots: Float32Array;
  /** Optimizer steps taken (Adam's bias correction). */
  steps: number;
}

export interface EngineInit {
  layout: NetLayout;
  data: ResidentData;
  optimizer: OptimizerName;
  /** Where to start: the weights (copied) and, when resuming, the optimizer's state. */
  state: EngineState;
  /**
   * Test builds only: a fault to build into the engine's device code, so that a test sees its
   * start-up check catch it (see InjectedFault). Absent in production.
   */
  fault?: InjectedFault;
}

/**
 * A fault a test injects, as a broken device would have it: the name of a WebGL program whose
 * outputs are made wrong (as a miscompiling driver's would be), or 'mediump' for a GPU without
 * highp floats. Only the test build's hooks set one; production builds drop the code that reads it.
 */
export type InjectedFault = string | null;

/** What a start-up check measured against the float64 reference. */
export interface CheckFigures {
  /** The largest loss difference over the steps, relative to max(1, loss). */
  loss: number;
  weights: number;
  logits: number;
}

/** A start-up check's verdict: why the engine cannot be trusted here (null: it can), and its figures. */
export interface CheckResult {
  problem: string | null;
  /** Null when the check stopped before measuring (a missing capability). */
  figures: CheckFigures | null;
}

/** A kind of engine: what it supports, why to pick it, and how to make one (registry.ts lists them). */
export interface EngineKind {
  name: EngineName;
  /** As the status line names it. */
  label: string;
  /** Why it cannot train `layout` on `backend`, or null when it can. */
  unsupported(layout: NetLayout, backend: BackendName): string | null;
  /** Why it is the one to use when it is first in line. */
  strength(layout: NetLayout, backend: BackendName): string;
  /** Whether it runs on TensorFlow.js, which then must be loaded first (loadTfjsEngines). */
  tfjs: boolean;
  create(init: EngineInit): Engine;
  /**
   * Proves the engine on this device before it trains (engines whose code has not run on every
   * device, such as the hand-written WebGL programs).
   */
  selfCheck?(layout: NetLayout, optimizer: OptimizerName, fault?: InjectedFault): Promise<CheckResult>;
}

export interface Engine {
  readonly name: EngineName;
  readonly layout: NetLayout;
  /**
   * Builds what the engine trains from out of the resident data (device tensors, sparse rows),
   * once the data has loaded, so that it is not built on the clock of the first epoch.
   */
  prepare(): void;
  /** The epoch's shuffle: [train count] row indices. */
  setOrder(order: Int32Array): void;
  /**
   * One optimizer step on the training images order[start, start + size): the weights and the
   * optimizer state change in place; the batch's mean loss is kept until the next drain. Nothing
   * is read back from a device.
   */
  step(start: number, size: number, learningRate: number): void;
  /**
   * Micro-batches, for a batch whose step would take too long to answer Pause and Stop meanwhile
   * (engines without them refuse such a batch): adds the gradient of the training images
   * order[start, start + size) as part of a batch of `batch` images, the same maths as one step
   * of the whole batch once all its parts are in...
   */
  accumulate?(start: number, size: number, batch: number): void;
  /** ... then one optimizer step with the gradient accumulated, and the batch's loss. */
  applyAccumulated?(learningRate: number): void;
  /** Forgets the gradient accumulated (a run stopped within a batch). */
  discardAccumulated?(): void;
  /** The losses of the steps since the last drain, in order; with `withState`, the state too. */
  drain(withState: boolean): Promise<{ losses: Float32Array; state?: EngineState }>;
  /** A copy of the weights and optimizer state (pending losses stay pending). */
  readState(): Promise<EngineState>;
  /** Puts `state` back as the weights and optimizer state (after a divergence). */
  setState(state: EngineState): void;
  /** Logits [rows, 10] of the images `rows` of `split`, or of all of them. */
  logits(split: Split, rows?: Int32Array): Promise<Float32Array>;
  /** Logits [k, 10] of k images of 784 floats 0..1, image after image. */
  logitsOf(images: Float32Array, k: number): Promise<Float32Array>;
  /** Releases what the engine holds (device memory); the resident data stays. */
  dispose(): void;
}

/** Loss, accuracy and where the model errs, on a split or part of it. */
export interface Evaluation {
  accuracy: number;
  /** Mean negative log-likelihood of the true digit. */
  loss: number;
  count: number;
  /** 100 counts: confusion[true * 10 + predicted]. */
  confusion: Int32Array;
}

/** Evaluates `engine` on `split` (or its `rows`): one set of logits, everything else from them. */
export async function evaluate(
  engine: Engine,
  data: ResidentData,
  split: Split,
  rows?: Int32Array,
): Promise<Evaluation> {
  const labels = data.require()[split].labels;
  const logits = await engine.logits(split, rows);
  return summarize(logits, (i) => labels[rows ? rows[i] : i]);
}

/** Accuracy, mean loss and confusion counts of logits [n, 10] against `label(i)`. */
export function summarize(logits: Float32Array, label: (i: number) => number): Evaluation {
  const count = logits.length / NUM_CLASSES;
  const confusion = new Int32Array(NUM_CLASSES * NUM_CLASSES);
  let lossSum = 0;
  for (let i = 0; i < count; i++) {
    const z = logits.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
    const best = argMax(z);
    let sum = 0;
    for (let j = 0; j < NUM_CLASSES; j++) sum += Math.exp(z[j] - z[best]);
    const truth = label(i);
    confusion[truth * NUM_CLASSES + best]++;
    lossSum -= z[truth] - z[best] - Math.log(sum);
  }
  let correct = 0;
  for (let j = 0; j < NUM_CLASSES; j++) correct += confusion[j * NUM_CLASSES + j];
  return count === 0
    ? { accuracy: 0, loss: 0, count, confusion }
    : { accuracy: correct / count, loss: lossSum / count, count, confusion };
}

/** Softmax of logits [k, 10], row by row, into a new array. */
export function softmax(logits: Float32Array): Float32Array {
  const out = new Float32Array(logits.length);
  for (let o = 0; o < logits.length; o += NUM_CLASSES) {
    const z = logits.subarray(o, o + NUM_CLASSES);
    const max = z[argMax(z)];
    let sum = 0;
    for (let j = 0; j < NUM_CLASSES; j++) sum += Math.exp(z[j] - max);
    for (let j = 0; j < NUM_CLASSES; j++) out[o + j] = Math.exp(z[j] - max) / sum;
  }
  return out;
}

/** The model's weights as PyTorch's state_dict names and shapes them. */
export async function namedWeights(engine: Engine): Promise<NamedTensor[]> {
  return toNamed(engine.layout, (await engine.readState()).params);
}

/**
 * Makes PyTorch-named tensors the model's weights, its optimizer state fresh. Throws, naming the
 * tensor, when one is missing, unexpected or misshapen; the model is unchanged then.
 */
export function setNamedWeights(engine: Engine, named: readonly NamedTensor[]): void {
  engine.setState({ params: fromNamed(engine.layout, named), slots: new Float32Array(0), steps: 0 });
}

/**
 * Thrown by an engine that cannot run on this device after all (a shader the driver rejects), on
 * its first step and before changing anything: the worker moves to the next engine.
 */
export class EngineFailed extends Error {}
