/**
 * The training session's state for React, and nothing more: the session (client/trainingSession.ts)
 * owns the state and its changes; this hook mirrors it. Its changes render as transitions, in
 * slices of a few ms, because rendered at once a click on Train made one long task
 * (docs/performance.md); useSyncExternalStore's updates cannot be transitions, so the state is
 * mirrored with useState instead.
 */
import { startTransition, useEffect, useState } from 'react';
import type { TrainingState } from '../../client/sessionState';
import type { TrainingSession } from '../../client/trainingSession';

export function useTraining(session: TrainingSession): TrainingState {
  const [state, setState] = useState(() => session.getState());
  useEffect(() => {
    const sync = () => startTransition(() => setState(session.getState()));
    sync();
    return session.changes.subscribe(sync);
  }, [session]);
  // On a page's first load the last run comes back (once, however often this mounts).
  useEffect(() => void session.restoreLatest(), [session]);
  return state;
}
