/**
 * The page's entry. React's DOM renderer loads first, then the training worker starts (it loads
 * its code and the data while the page's own code loads and renders), then the app.
 *
 * Why in that order: each module graph is evaluated in one main-thread task, and react-dom's
 * (~210 kB) shares the machine with the worker's start. Measured 2026-12-04 (headless Chromium, 2
 * cores, 7 page loads each, interleaved): with the worker started first, the longest task before
 * the data was ready was 71 ms (median; react-dom's evaluation), and the data ready after 1,156
 * ms; started after react-dom, no task over 50 ms in 4 loads of 7 (median 0 ms), and the data
 * ready after 1,286 ms.
 */
import { getClient } from './ui/hooks/useTraining';
import './ui/app.css';
import './ui/ui.css';

/** A task boundary: what follows runs in a task of its own. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

// react-dom's evaluation and the worker's start each in a task of their own: in one, they made a
// task of 46-67 ms (a trace of 3 page loads, 2026-12-05: 38-49 ms evaluating, then 8-14 ms).
void import('react-dom/client')
  .then(nextTask)
  .then(() => {
    getClient();
    // Test and benchmark hooks (window.mnistClient, window.mnistDev): dev and test builds only.
    if (__DEV_HOOKS__) void import('./dev/page/hooks').then((m) => m.installPageHooks(getClient()));
    return import('./mount');
  })
  .then(({ mount }) => mount(document.getElementById('root')!));
