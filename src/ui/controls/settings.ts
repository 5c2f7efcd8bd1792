/**
 * The settings form's text fields <-> TrainConfig. The form keeps what the user typed as text,
 * so "abc" or "" can be shown with a reason instead of being silently coerced.
 */
import { TUTORIAL_PRESET, validateConfig, type FieldError } from '../../model/config';
import type { DecayKind, OptimizerName, TrainConfig } from '../../protocol/messages';

export interface SettingsText {
  epochs: string;
  batchSize: string;
  learningRate: string;
  optimizer: OptimizerName;
  decay: DecayKind;
  decayRate: string;
  decaySteps: string;
  hiddenLayers: string;
  seed: string;
}

export interface Preset {
  name: string;
  description: string;
  config: TrainConfig;
}

/**
 * "Tutorial" is the PyTorch original. "Fast" trades the tiny batch for a larger one and a higher
 * rate: far fewer steps, so far less fixed per-step overhead in the browser (see README, Performance).
 */
export const PRESETS: Preset[] = [
  {
    name: 'Tutorial',
    description: 'The PyTorch tutorial: batch 10, Adam 0.001, 3 epochs',
    config: TUTORIAL_PRESET,
  },
  {
    name: 'Fast',
    // Measured on the js path (2 cores): 0.9705 test accuracy after 2 epochs, ~3.2 s of training.
    description: 'Batch 48, Adam 0.0035 decaying fast, 3 epochs: 0.97 after 2',
    config: {
      ...TUTORIAL_PRESET,
      batchSize: 48,
      learningRate: 0.0035,
      epochs: 3,
      decay: 'exponential',
      decayRate: 0.3,
    },
  },
];

export function configToText(c: TrainConfig): SettingsText {
  return {
    epochs: String(c.epochs),
    batchSize: String(c.batchSize),
    learningRate: String(c.learningRate),
    optimizer: c.optimizer,
    decay: c.decay,
    decayRate: String(c.decayRate),
    decaySteps: String(c.decaySteps),
    hiddenLayers: c.hiddenLayers.join(', '),
    seed: String(c.seed),
  };
}

/** A strictly parsed number: "", "abc", "1e" and "12px" are NaN, not 0 or 12. */
function parseNumber(text: string): number {
  const t = text.trim();
  return t === '' ? NaN : Number(t);
}

/** Parses and validates; `errors` is keyed by field, and `config` is only usable when it is empty. */
export function parseSettings(text: SettingsText): {
  config: TrainConfig;
  errors: Partial<Record<keyof TrainConfig, string>>;
} {
  const config: TrainConfig = {
    epochs: parseNumber(text.epochs),
    batchSize: parseNumber(text.batchSize),
    learningRate: parseNumber(text.learningRate),
    optimizer: text.optimizer,
    decay: text.decay,
    decayRate: parseNumber(text.decayRate),
    decaySteps: parseNumber(text.decaySteps),
    hiddenLayers: text.hiddenLayers
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(parseNumber),
    seed: parseNumber(text.seed),
  };
  const errors: Partial<Record<keyof TrainConfig, string>> = {};
  validateConfig(config).forEach((e: FieldError) => (errors[e.field] = e.message));
  return { config, errors };
}
