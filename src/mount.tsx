import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { TrainingSession } from './client/trainingSession';

/**
 * Renders the page into `root` as a transition: React renders it in slices of a few ms, yielding
 * between them, so opening the page does not block the main thread for long (npm run bench:
 * longestLoadTaskMs).
 */
export function mount(root: HTMLElement, session: TrainingSession): void {
  startTransition(() =>
    createRoot(root).render(
      <StrictMode>
        <App session={session} />
      </StrictMode>,
    ),
  );
}
