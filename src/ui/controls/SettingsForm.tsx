/**
 * The training settings: presets plus one validated field per setting. Invalid values are marked
 * with their reason as you type; the whole form is disabled while a run is under way.
 */
import { useId } from 'react';
import { DECAYS, evalInterval, OPTIMIZERS, type SettingsField } from '../../shared/config';
import { MODEL_KINDS } from '../../shared/modelSpec';
import type { BackendChoice } from '../../shared/protocol';
import { applyPreset, configToText, PRESETS, sameSettings, type SettingsText } from './settings';

interface Props {
  text: SettingsText;
  errors: Partial<Record<SettingsField, string>>;
  onChange: (text: SettingsText) => void;
  backend: BackendChoice;
  onBackendChange: (backend: BackendChoice) => void;
  /** True while a run is training or paused: settings cannot change under it. */
  locked: boolean;
  /** Training images, for the automatic "Evaluate every". */
  trainCount?: number;
}

/** The settings typed as text (the rest are chosen from lists). */
type TextKey =
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'decayRate'
  | 'decaySteps'
  | 'convLayers'
  | 'hiddenLayers'
  | 'seed'
  | 'evalEvery'
  | 'evalSamples';

const BACKENDS: Record<BackendChoice, string> = {
  auto: 'Auto (fastest here)',
  webgl: 'WebGL (GPU)',
  wasm: 'WebAssembly (CPU)',
  cpu: 'JavaScript (CPU)',
  js: 'JavaScript (optimised CPU)',
};

export function SettingsForm({
  text,
  errors,
  onChange,
  backend,
  onBackendChange,
  locked,
  trainCount = 60_000,
}: Props) {
  const set = <K extends keyof SettingsText>(key: K, value: SettingsText[K]) =>
    onChange({ ...text, [key]: value });
  const textField = (
    key: TextKey,
    label: string,
    inputMode?: 'numeric' | 'decimal',
    hint?: string,
    number?: { placeholder?: string; min: number },
  ) => (
    <TextField
      label={label}
      value={text[key]}
      error={errors[key]}
      onChange={(v) => set(key, v)}
      inputMode={inputMode}
      hint={hint}
      number={number}
    />
  );
  const batch = Number(text.batchSize);
  const autoEvery =
    Number.isInteger(batch) && batch > 0
      ? evalInterval({ evalEvery: 0 }, Math.ceil(trainCount / batch))
      : null;
  const presetName = PRESETS.find((p) => sameSettings(configToText(p.config), text))?.name ?? '';

  return (
    <fieldset className="settings" disabled={locked}>
      <legend>Settings</legend>
      <div className="preset-row" role="group" aria-label="Presets">
        {PRESETS.map((p) => (
          <button
            key={p.name}
            type="button"
            className={presetName === p.name ? 'preset active' : 'preset'}
            aria-pressed={presetName === p.name}
            title={p.description}
            onClick={() => onChange(applyPreset(p, text))}
          >
            {p.name}
          </button>
        ))}
      </div>
      <div className="fields">
        {textField('epochs', 'Epochs', 'numeric')}
        {textField('batchSize', 'Batch size', 'numeric')}
        {textField('learningRate', 'Learning rate', 'decimal')}
        <SelectField
          label="Optimizer"
          value={text.optimizer}
          options={OPTIMIZERS}
          onChange={(v) => set('optimizer', v)}
          error={errors.optimizer}
        />
        <SelectField
          label="Decay"
          value={text.decay}
          options={DECAYS}
          onChange={(v) => set('decay', v)}
          error={errors.decay}
        />
        {text.decay !== 'none' && textField('decayRate', 'Decay rate', 'decimal')}
        {text.decay === 'step' && textField('decaySteps', 'Decay every (epochs)', 'numeric')}
        <SelectField
          label="Model"
          value={text.model}
          options={MODEL_KINDS}
          onChange={(v) => set('model', v)}
          error={errors.model}
        />
        {text.model === 'cnn' &&
          textField(
            'convLayers',
            'Conv layers',
            undefined,
            'filters x kernel, each followed by ReLU and 2x2 max-pool',
          )}
        {textField(
          'hiddenLayers',
          'Hidden layers',
          undefined,
          text.model === 'cnn' ? 'dense layers after the convs; may be empty' : undefined,
        )}
        {textField('seed', 'Seed', 'numeric')}
        {textField(
          'evalEvery',
          'Evaluate every',
          'numeric',
          `batches between measurements of train and test loss and accuracy; empty: about 20 an epoch${autoEvery ? ` (${autoEvery})` : ''}`,
          { placeholder: autoEvery ? `auto (${autoEvery})` : 'auto', min: 1 },
        )}
        {textField('evalSamples', 'Evaluation images', 'numeric', 'of each set, a fixed random slice', {
          min: 100,
        })}
        <SelectField label="Backend" value={backend} options={BACKENDS} onChange={onBackendChange} />
      </div>
    </fieldset>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  error?: string;
  onChange: (value: string) => void;
  inputMode?: 'numeric' | 'decimal';
  /** What the field takes, shown under it. */
  hint?: string;
  /** A number input (a spin button) rather than text. */
  number?: { placeholder?: string; min: number };
}

function TextField({ label, value, error, onChange, inputMode, hint, number }: TextFieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className={`field${hint ? ' wide' : ''}${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        inputMode={inputMode}
        type={number ? 'number' : undefined}
        min={number?.min}
        step={number ? 1 : undefined}
        placeholder={number?.placeholder}
        aria-invalid={!!error}
        aria-describedby={described || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: Record<T, string>;
  onChange: (value: T) => void;
  error?: string;
}

function SelectField<T extends string>({ label, value, options, onChange, error }: SelectFieldProps<T>) {
  const id = useId();
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={!!error}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value as T)}
      >
        {(Object.keys(options) as T[]).map((k) => (
          <option key={k} value={k}>
            {options[k]}
          </option>
        ))}
      </select>
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
