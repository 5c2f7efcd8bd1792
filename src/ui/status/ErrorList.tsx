/** Errors from the worker, each saying what happened and what to do, each dismissable. */
import type { AppError } from '../../client/sessionState';

const TITLES: Record<AppError['code'], string> = {
  'invalid-config': 'Invalid settings',
  'data-missing': 'Data missing',
  'data-corrupt': 'Data corrupt',
  'data-not-ready': 'Data not ready',
  'backend-failed': 'Backend failed',
  'context-lost': 'GPU context lost',
  diverged: 'Training diverged',
  busy: 'Busy',
  storage: 'Not saved',
  'invalid-model': 'Model not imported',
  collapsed: 'Training collapsed',
  ledger: 'Saved runs changed',
  internal: 'Something went wrong',
};

export function ErrorList({ errors, onDismiss }: { errors: AppError[]; onDismiss: (id: number) => void }) {
  if (errors.length === 0) return null;
  return (
    <div className="errors">
      {errors.map((e) => (
        <div key={e.id} className="error" role="alert" data-testid={`error.${e.code}`}>
          <p>
            <strong>{TITLES[e.code]}.</strong> {e.message}
          </p>
          <button
            type="button"
            className="dismiss"
            aria-label="Dismiss message"
            onClick={() => onDismiss(e.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
