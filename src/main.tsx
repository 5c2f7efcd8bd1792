/**
 * The page's entry. The training worker starts first, so it loads its code and the data while the
 * page's own code (React, the charts: most of the bundle) loads and renders.
 */
import { getClient } from './ui/hooks/useTraining';
import './ui/app.css';
import './ui/ui.css';

getClient();

// React's DOM renderer first, then the app: each module graph is evaluated in one main-thread
// task, and together they were one of 40-120 ms (2 cores, 2026-12-04).
void import('react-dom/client')
  .then(() => import('./mount'))
  .then(({ mount }) => mount(document.getElementById('root')!));

// Test and benchmark hooks (window.mnistClient, window.mnistDev): dev and test builds only.
if (__DEV_HOOKS__) void import('./dev/page/hooks').then((m) => m.installPageHooks(getClient()));
