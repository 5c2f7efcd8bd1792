/**
 * The page's entry. React's DOM renderer loads first, then the training session starts its worker
 * (which loads its code and the data while the page's own code loads and renders), then the app.
 * Each in a task of its own: each module graph is evaluated in one main-thread task, and together
 * they made one long task while the page opened (docs/performance.md).
 */
import { backendFromSearch } from './client/trainingClient';
import { TrainingSession } from './client/trainingSession';
import './ui/app.css';
import './ui/ui.css';

/** A task boundary: what follows runs in a task of its own. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

void import('react-dom/client').then(nextTask).then(() => {
  const session = new TrainingSession(backendFromSearch(location.search));
  // Test and benchmark hooks (window.mnistClient, window.mnistDev): dev and test builds only.
  if (__DEV_HOOKS__) void import('./dev/page/hooks').then((m) => m.installPageHooks(session.client));
  return import('./mount').then(({ mount }) => mount(document.getElementById('root')!, session));
});
