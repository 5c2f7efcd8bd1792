import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getClient } from './ui/hooks/useTraining';
import './ui/app.css';
import './ui/ui.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Test and benchmark hooks (window.mnistClient, window.mnistDev): dev and test builds only.
if (__DEV_HOOKS__) void import('./dev/page/hooks').then((m) => m.installPageHooks(getClient()));
