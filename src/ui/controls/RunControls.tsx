/**
 * Train, Pause/Resume, Stop and Reset, enabled only when they make sense. A control that becomes
 * disabled (Train once a run starts, Stop once it ends) or is swapped (Pause and Resume) hands the
 * keyboard focus to the control a user wants next, instead of dropping it on the page.
 */
import { useEffect, useRef } from 'react';
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
}

export function RunControls(props: Props) {
  const { state, canTrain, canReset, whyNot, onRetry, onTrain, onPause, onResume, onStop, onReset } = props;
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
