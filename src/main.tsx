/**
 * The page's entry. The training worker starts first, so it loads its code and the data while the
 * page's own code (React, the charts: most of the bundle) loads and renders.
 */
import { getClient } from './ui/hooks/useTraining';
import './ui/app.css';
import './ui/ui.css';

getClient();

void import('./mount').then(({ mount }) => mount(document.getElementById('root')!));

// Test and benchmark hooks (window.mnistClient, window.mnistDev): dev and test builds only.
if (__DEV_HOOKS__) void import('./dev/page/hooks').then((m) => m.installPageHooks(getClient()));
