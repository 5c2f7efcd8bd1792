/**
 * What the worker keeps between commands: the resident data set and the current model, an engine
 * (src/engines/) chosen for it on this backend, with a copy of its weights on the CPU. predict,
 * evaluate and samples read the model; a run, a reset, a restore or an import installs a new one
 * (adopt). The session never asks which engine it has.
 */
import { DataNotReady, ResidentData, type Split } from '../engines/data';
import {
  evaluate,
  softmax,
  type CheckFigures,
  type CheckResult,
  type Engine,
  type EngineState,
  type Evaluation,
  type InjectedFault,
} from '../engines/engine';
import { initialParams, netLayout, type NetLayout } from '../engines/layout';
import { chooseEngine, loadTfjsEngines } from '../engines/registry';
import type { OptimizerName, TrainConfig } from '../shared/config';
import { argMax, IMAGE_SIZE, NUM_CLASSES, bytesToUnit } from '../shared/mnist';
import { describeModel, sameModel, type ModelSpec } from '../shared/modelSpec';
import type { BackendName, EngineName, SampleDigit } from '../shared/protocol';
import { mulberry32 } from '../shared/random';
import { yieldToEventLoop } from '../shared/yield';
import { CommandError, type Emit } from './emit';

/** The most sample digits one request returns. */
export const MAX_SAMPLES = 100;

/** Fresh seeded weights and no optimizer state: where a run or a reset starts. */
export function initialState(layout: NetLayout, seed: number): EngineState {
  return { params: initialParams(layout, seed), slots: new Float32Array(0), steps: 0 };
}

/** The current model on the CPU: its architecture and optimizer, and its weights and state. */
export interface KeptModel {
  config: Pick<TrainConfig, 'model' | 'optimizer'>;
  state: EngineState;
}

export class Session {
  readonly data = new ResidentData();
  /** False until a run has taken a step since the model was installed by a reset. */
  trained = false;
  /**
   * The current model's last state on the CPU (after a run, a reset, a restore or an import):
   * what a run continues from, and what rebuilds the model when its device is lost.
   */
  kept: KeptModel | null = null;
  private current: Engine | null = null;
  /** Engines that failed on this backend (name -> why): the next install passes them over. */
  private failed: Partial<Record<EngineName, string>> = {};
  /** Start-up checks run on this backend (engine, model, optimizer -> their verdict). */
  private readonly checks = new Map<string, Promise<CheckResult>>();
  /** What the last start-up check measured (the test hooks report it). */
  lastCheck: CheckFigures | null = null;
  /** A fault a test builds into the engines from now on (test builds only: engine.ts, InjectedFault). */
  private fault: InjectedFault = null;
  private sampleRandom = mulberry32(1);
  private readonly backend: () => BackendName;
  private readonly emit: Emit;
  /** Loads and starts TensorFlow.js (BackendManager.tfjs). */
  private readonly tfjs: () => Promise<unknown>;

  constructor(backend: () => BackendName, emit: Emit, tfjs: () => Promise<unknown>) {
    this.backend = backend;
    this.tfjs = tfjs;
    this.emit = emit;
  }

  /** The current model. */
  get engine(): Engine {
    if (!this.current) throw new Error('no model yet');
    return this.current;
  }

  /**
   * Loads what the engine `layout` gets here runs on, before install: TensorFlow.js and its
   * engines on its own backends, and on the CPU engine's ('js') only for a model it cannot train.
   */
  async prepare(layout: NetLayout): Promise<void> {
    const backend = this.backend();
    if (backend === 'js' && !chooseEngine(layout, backend, this.failed).kind.tfjs) return;
    await this.tfjs();
    await loadTfjsEngines();
  }

  /**
   * Makes a model of `layout` starting from `state` current (prepare first), on the fastest engine that supports
   * it here, releases the previous one and tells the page which engine and why.
   */
  install(layout: NetLayout, optimizer: OptimizerName, state: EngineState): Engine {
    const { kind, reason } = chooseEngine(layout, this.backend(), this.failed);
    const engine = kind.create({ layout, data: this.data, optimizer, state, fault: this.fault });
    this.releaseCurrent();
    this.current = engine;
    this.emit({
      type: 'engine',
      engine: kind.name,
      label: kind.label,
      reason,
      model: describeModel(layout.spec),
    });
    return engine;
  }

  /**
   * ms of one training step of `layout` at each of `batches` images, on the engine it would get
   * here: measured on a scratch model (the least of two steps after a warm-up one, which
   * compiles), yielding between steps, which is then released. Also whether that engine trains a
   * batch in micro-batches (engine.ts, accumulate).
   */
  async timeSteps(
    layout: NetLayout,
    optimizer: OptimizerName,
    batches: number[],
  ): Promise<{ times: number[]; microBatches: boolean }> {
    await this.prepare(layout);
    const { kind } = chooseEngine(layout, this.backend(), this.failed);
    const engine = kind.create({ layout, data: this.data, optimizer, state: initialState(layout, 0) });
    const step = async (batch: number) => {
      const t0 = performance.now();
      engine.step(0, batch, 0.001);
      await engine.drain(false);
      const ms = performance.now() - t0;
      await yieldToEventLoop();
      return ms;
    };
    try {
      engine.setOrder(Int32Array.from({ length: this.data.require().train.count }, (_, i) => i));
      const times: number[] = [];
      for (const batch of batches) {
        await step(batch);
        times.push(Math.min(await step(batch), await step(batch)));
      }
      return { times, microBatches: !!engine.accumulate && !!engine.applyAccumulated };
    } finally {
      engine.dispose();
    }
  }

  /**
   * Proves the engine `layout` would get here, once per model and optimizer, where the engine
   * asks for it (registry.ts, selfCheck): one that fails is marked failed, so the install after
   * takes the next in line and its reason says why.
   */
  async verify(layout: NetLayout, optimizer: OptimizerName): Promise<void> {
    await this.prepare(layout);
    const { kind } = chooseEngine(layout, this.backend(), this.failed);
    if (!kind.selfCheck) return;
    const key = `${kind.name} ${describeModel(layout.spec)} ${optimizer}`;
    let check = this.checks.get(key);
    if (!check) {
      check = kind.selfCheck(layout, optimizer, this.fault);
      this.checks.set(key, check);
    }
    const { problem, figures } = await check;
    if (figures) this.lastCheck = figures;
    if (problem) this.failed[kind.name] = problem;
  }

  /** Forgets the checks passed (the backend changed, or a test injects a fault and asks again). */
  forgetChecks(): void {
    this.checks.clear();
    this.failed = {};
  }

  /** Builds `fault` into the engines installed from now on, and checks them again (a test's). */
  injectFault(fault: InjectedFault): void {
    this.fault = fault;
    this.forgetChecks();
  }

  /** Marks the current engine as unable to run here (`why`); the next install takes another. */
  markFailed(why: string): void {
    if (this.current) this.failed[this.current.name] = why;
    this.releaseCurrent();
  }

  /** Releases everything held on the device (the backend is changing); the model must be reinstalled. */
  dropDevice(): void {
    this.releaseCurrent();
    this.data.dropDeviceForms();
    this.forgetChecks();
  }

  /**
   * Makes `model` at `state` the current model (the engine it gets here installed) and keeps its
   * state; `trained` says whether its weights were trained (a restored or imported model) or are
   * fresh ones.
   */
  async adopt(model: ModelSpec, state: EngineState, trained: boolean): Promise<void> {
    const layout = netLayout(model);
    await this.prepare(layout);
    this.install(layout, 'adam', state);
    this.trained = trained;
    this.kept = { config: { model, optimizer: 'adam' }, state };
  }

  /** Fresh weights for `spec` drawn from `seed` (the reset command). */
  reset(spec: ModelSpec, seed: number): Promise<void> {
    return this.adopt(spec, initialState(netLayout(spec), seed), false);
  }

  /**
   * The current model's state, for a run that trains it further with `config`, which must name
   * the same model; a CommandError saying what differs otherwise.
   */
  continueFrom(config: TrainConfig): EngineState {
    if (!this.kept)
      throw new CommandError(
        'invalid-config',
        'There is no trained model to continue from: press Train alone.',
      );
    const { model } = this.kept.config;
    if (!sameModel(model, config.model))
      throw new CommandError(
        'invalid-config',
        `The current model is ${describeModel(model)}; these settings describe ${describeModel(config.model)}, so training cannot continue from it.`,
      );
    return this.kept.state;
  }

  /** Probabilities of the 10 digits for one image of 784 floats 0..1. */
  async predict(pixels: Float32Array): Promise<Float32Array> {
    if (pixels.length !== IMAGE_SIZE)
      throw new Error(`predict needs ${IMAGE_SIZE} pixels, got ${pixels.length}`);
    return softmax(await this.engine.logitsOf(pixels, 1));
  }

  /** Loss, accuracy and confusion counts on `split` (or its `rows`). */
  evaluate(split: Split, rows?: Int32Array): Promise<Evaluation> {
    return evaluate(this.engine, this.data, split, rows);
  }

  /** Labelled images with the model's guesses: `indices`, or `count` random ones. */
  async samples(split: Split, count: number, indices?: number[]): Promise<SampleDigit[]> {
    if (!this.data.loaded) throw new DataNotReady();
    const set = this.data.require()[split];
    const chosen = (
      indices ??
      Array.from({ length: Math.max(0, Math.min(count, MAX_SAMPLES)) }, () =>
        Math.floor(this.sampleRandom() * set.count),
      )
    )
      .slice(0, MAX_SAMPLES)
      .filter((i) => Number.isInteger(i) && i >= 0 && i < set.count);
    if (chosen.length === 0) return [];
    const pixels = chosen.map((i) => set.images.slice(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE));
    const input = new Float32Array(chosen.length * IMAGE_SIZE);
    pixels.forEach((p, k) => bytesToUnit(p, input.subarray(k * IMAGE_SIZE, (k + 1) * IMAGE_SIZE)));
    const logits = await this.engine.logitsOf(input, chosen.length);
    return chosen.map((index, k) => ({
      index,
      label: set.labels[index],
      predicted: argMax(logits.subarray(k * NUM_CLASSES, (k + 1) * NUM_CLASSES)),
      pixels: pixels[k],
    }));
  }

  /** Releases every tensor the session holds. */
  dispose(): void {
    this.releaseCurrent();
    this.data.dropDeviceForms();
  }

  private releaseCurrent(): void {
    try {
      this.current?.dispose();
    } catch {
      // Releasing textures of a lost context can fail; they are gone either way.
    }
    this.current = null;
  }
}
