/**
 * Training settings: what defines a run, the tutorial's values, and the validation both the form
 * and the worker apply. A config that fails validation never starts a run.
 */
import { TUTORIAL_MODEL, validateModel, type ModelError, type ModelSpec } from './modelSpec';

export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop';
export type DecayKind = 'none' | 'step' | 'exponential';

/** Everything that defines a training run. `validateConfig` checks it. */
export interface TrainConfig {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerName;
  /** none; step: multiply the rate by decayRate every decaySteps epochs; exponential: by decayRate each epoch. */
  decay: DecayKind;
  decayRate: number;
  decaySteps: number;
  /** The network (shared/modelSpec.ts). The tutorial: an MLP with hidden layers [64, 64, 64]. */
  model: ModelSpec;
  /** Same seed and engine: same initial weights and same shuffles. */
  seed: number;
  /**
   * In-sample and out-of-sample loss and accuracy are measured every this many batches; 0 is
   * automatic: about EVALS_PER_EPOCH times an epoch (`evalInterval`).
   */
  evalEvery: number;
  /** Images of each set (a fixed random slice) those measurements read. */
  evalSamples: number;
}

/** Measurements an epoch when "Evaluate every" is automatic. */
export const EVALS_PER_EPOCH = 20;

/** Batches between measurements: the config's, or about EVALS_PER_EPOCH an epoch. */
export function evalInterval(config: Pick<TrainConfig, 'evalEvery'>, batchesPerEpoch: number): number {
  return config.evalEvery > 0 ? config.evalEvery : Math.max(1, Math.round(batchesPerEpoch / EVALS_PER_EPOCH));
}

/** The PyTorch tutorial this app reproduces: 784-64-64-64-10, Adam 0.001, batch 10, 3 epochs. */
export const TUTORIAL_PRESET: TrainConfig = {
  epochs: 3,
  batchSize: 10,
  learningRate: 0.001,
  optimizer: 'adam',
  decay: 'none',
  decayRate: 0.5,
  decaySteps: 1,
  model: TUTORIAL_MODEL,
  seed: 0,
  evalEvery: 0,
  evalSamples: 1000,
};

export const OPTIMIZERS: Record<OptimizerName, string> = {
  adam: 'Adam',
  sgd: 'SGD',
  momentum: 'SGD with momentum',
  rmsprop: 'RMSprop',
};

export const DECAYS: Record<DecayKind, string> = {
  none: 'None',
  step: 'Step',
  exponential: 'Exponential',
};

export const LIMITS = {
  epochs: { min: 1, max: 100 },
  batchSize: { min: 1, max: 4096 },
  learningRate: { min: 0, max: 1 },
  decayRate: { min: 0, max: 1 },
  decaySteps: { min: 1, max: 100 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  evalEvery: { min: 0, max: 1_000_000 },
  evalSamples: { min: 100, max: 10_000 },
} as const;

/** A settings field: the config's own, or one of the model's (modelSpec.ts). */
export type SettingsField = Exclude<keyof TrainConfig, 'model'> | ModelError['field'];

export interface FieldError {
  field: SettingsField;
  message: string;
}

/** Everything wrong with `config` in one sentence (its problems joined), or null when it is valid. */
export function configProblem(config: TrainConfig): string | null {
  const problems = validateConfig(config);
  return problems.length > 0 ? problems.map((p) => p.message).join('; ') : null;
}

/** Every problem with `config`, one per field, each naming the field and the allowed range. */
export function validateConfig(config: TrainConfig): FieldError[] {
  const errors: FieldError[] = [];
  const integer = (field: SettingsField, label: string, value: unknown, min: number, max: number) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      errors.push({ field, message: `${label} must be a whole number from ${min} to ${max}` });
    }
  };
  integer('epochs', 'Epochs', config.epochs, LIMITS.epochs.min, LIMITS.epochs.max);
  integer('batchSize', 'Batch size', config.batchSize, LIMITS.batchSize.min, LIMITS.batchSize.max);
  const lr = config.learningRate;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0 || lr > 1) {
    errors.push({ field: 'learningRate', message: 'Learning rate must be a number above 0 and at most 1' });
  }
  if (!(config.optimizer in OPTIMIZERS)) {
    errors.push({
      field: 'optimizer',
      message: `Optimizer must be one of ${Object.values(OPTIMIZERS).join(', ')}`,
    });
  }
  if (!(config.decay in DECAYS)) {
    errors.push({ field: 'decay', message: 'Decay must be none, step or exponential' });
  } else if (config.decay !== 'none') {
    const r = config.decayRate;
    if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0 || r > 1) {
      errors.push({ field: 'decayRate', message: 'Decay rate must be a number above 0 and at most 1' });
    }
    if (config.decay === 'step') {
      integer('decaySteps', 'Decay every', config.decaySteps, LIMITS.decaySteps.min, LIMITS.decaySteps.max);
    }
  }
  errors.push(...validateModel(config.model));
  integer('seed', 'Seed', config.seed, LIMITS.seed.min, LIMITS.seed.max);
  if (config.evalEvery !== 0)
    integer('evalEvery', 'Evaluate every', config.evalEvery, 1, LIMITS.evalEvery.max);
  integer(
    'evalSamples',
    'Evaluation images',
    config.evalSamples,
    LIMITS.evalSamples.min,
    LIMITS.evalSamples.max,
  );
  return errors;
}

/** The learning rate in force during `epoch` (1-based) under the config's decay schedule. */
export function learningRateAt(config: TrainConfig, epoch: number): number {
  switch (config.decay) {
    case 'none':
      return config.learningRate;
    case 'step':
      return config.learningRate * config.decayRate ** Math.floor((epoch - 1) / config.decaySteps);
    case 'exponential':
      return config.learningRate * config.decayRate ** (epoch - 1);
    default: {
      const _exhaustive: never = config.decay;
      return _exhaustive;
    }
  }
}
