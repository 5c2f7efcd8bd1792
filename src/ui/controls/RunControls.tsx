/**
 * Train, Pause/Resume, Stop and Reset, enabled only when they make sense. A control that becomes
 * disabled (Train once a run starts, Stop once it ends) or is swapped (Pause and Resume) hands the
 * keyboard focus to the control a user wants next, instead of dropping it on the page.
 */
import { useEffect, useId, useRef } from 'react';
import { describeModel, sameModel, type ModelSpec } from '../../shared/modelSpec';
import type { RunState } from '../../shared/protocol';

interface Props {
  state: RunState;
  canTrain: boolean;
  /** Reset builds the layers the settings name, so it waits for valid settings too. */
  canReset: boolean;
  /** Why Train is disabled, shown under the buttons. */
  whyNot?: string;
  /** Offered under the buttons when the data failed to load: loads it again. */
  onRetry?: () => void;
  onTrain: () => void;
  onPause: () => void;
  onResume: () => void;
  onStop: () => void;
  onReset: () => void;
  /** The trained model Train can go on from (a finished, loaded or imported run's), or null. */
  current: { name: string; model: ModelSpec } | null;
  /** The model the settings name, to say when continuing uses the current model's instead. */
  settingsModel: ModelSpec | null;
  /** Whether Train goes on from `current` rather than fresh weights. */
  continuing: boolean;
  onContinuingChange: (on: boolean) => void;
}

export function RunControls(props: Props) {
  const { state, canTrain, canReset, whyNot, onRetry, onTrain, onPause, onResume, onStop, onReset } = props;
  const { current, settingsModel, continuing, onContinuingChange } = props;
  const hintId = useId();
  const running = state === 'training' || state === 'paused';
  const box = useRef<HTMLDivElement>(null);
  /** Whether the keyboard focus was last on one of these controls (not elsewhere, not on the pad). */
  const ours = useRef(false);
  useEffect(() => {
    const onFocus = (e: FocusEvent) => (ours.current = !!box.current?.contains(e.target as Node));
    const onPointer = (e: PointerEvent) => {
      if (!box.current?.contains(e.target as Node)) ours.current = false;
    };
    document.addEventListener('focusin', onFocus);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('focusin', onFocus);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, []);
  useEffect(() => {
    const active = document.activeElement;
    const lost =
      active === null ||
      active === document.body ||
      (box.current?.contains(active) && (active as HTMLButtonElement).disabled);
    if (!lost || !ours.current) return;
    const next =
      state === 'paused'
        ? 'train.resume'
        : running
          ? 'train.pause'
          : canTrain
            ? 'train.start'
            : 'train.reset';
    box.current
      ?.querySelector<HTMLButtonElement>(`[data-testid="${next}"]:not(:disabled)`)
      // No scrolling: on a phone the page must not move under a pen.
      ?.focus({ preventScroll: true });
  }, [state, running, canTrain]);
  return (
    <div className="run-controls" ref={box}>
      <div className="buttons">
        <button
          type="button"
          className="primary"
          onClick={onTrain}
          disabled={!canTrain}
          data-testid="train.start"
        >
          Train
        </button>
        {state === 'paused' ? (
          <button type="button" onClick={onResume} data-testid="train.resume">
            Resume
          </button>
        ) : (
          <button type="button" onClick={onPause} disabled={state !== 'training'} data-testid="train.pause">
            Pause
          </button>
        )}
        <button type="button" onClick={onStop} disabled={!running} data-testid="train.stop">
          Stop
        </button>
        <button type="button" onClick={onReset} disabled={running || !canReset} data-testid="train.reset">
          Reset
        </button>
      </div>
      <label className="continue-box">
        <input
          type="checkbox"
          checked={continuing && current !== null}
          disabled={current === null || running}
          aria-describedby={hintId}
          onChange={(e) => onContinuingChange(e.target.checked)}
          data-testid="train.continue"
        />
        Continue training the current model
      </label>
      <p className="hint" id={hintId}>
        {continuing && current
          ? `Train goes on from ${current.name}'s weights (${describeModel(current.model)}) with the settings below${
              settingsModel && !sameModel(settingsModel, current.model)
                ? `, keeping its layers instead of the model set below`
                : ''
            }.`
          : current
            ? 'Train starts from fresh weights drawn from the seed.'
            : 'Train starts from fresh weights drawn from the seed; train, load or import a model to continue from it.'}
      </p>
      {!canTrain && !running && whyNot && (
        <p className="hint" data-testid="train.hint">
          {whyNot}{' '}
          {onRetry && (
            <button type="button" onClick={onRetry} data-testid="data.retry">
              Retry
            </button>
          )}
        </p>
      )}
    </div>
  );
}
