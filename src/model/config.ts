/**
 * Training settings: the presets and the validation both the form and the worker apply.
 * A config that fails validation never starts a run.
 */
import type { DecayKind, OptimizerName, TrainConfig } from '../protocol/messages';

/** The PyTorch tutorial this app reproduces: 784-64-64-64-10, Adam 0.001, batch 10, 3 epochs. */
export const TUTORIAL_PRESET: TrainConfig = {
  epochs: 3,
  batchSize: 10,
  learningRate: 0.001,
  optimizer: 'adam',
  decay: 'none',
  decayRate: 0.5,
  decaySteps: 1,
  hiddenLayers: [64, 64, 64],
  seed: 0,
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
  hiddenLayers: { count: { min: 1, max: 5 }, size: { min: 1, max: 1024 } },
  decayRate: { min: 0, max: 1 },
  decaySteps: { min: 1, max: 100 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

export interface FieldError {
  field: keyof TrainConfig;
  message: string;
}

/** Every problem with `config`, one per field, each naming the field and the allowed range. */
export function validateConfig(config: TrainConfig): FieldError[] {
  const errors: FieldError[] = [];
  const integer = (field: keyof TrainConfig, label: string, value: unknown, min: number, max: number) => {
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
  const { count, size } = LIMITS.hiddenLayers;
  const layers = config.hiddenLayers;
  if (
    !Array.isArray(layers) ||
    layers.length < count.min ||
    layers.length > count.max ||
    !layers.every((n) => Number.isInteger(n) && n >= size.min && n <= size.max)
  ) {
    errors.push({
      field: 'hiddenLayers',
      message: `Hidden layers must be ${count.min} to ${count.max} sizes, each a whole number from ${size.min} to ${size.max}`,
    });
  }
  integer('seed', 'Seed', config.seed, LIMITS.seed.min, LIMITS.seed.max);
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
