import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { TrainingClient } from './client/trainingClient';
import { getClient } from './ui/hooks/useTraining';
import './ui/app.css';
import './ui/ui.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

declare global {
  interface Window {
    /** The page's training client, for the console and the e2e tests. */
    mnistClient?: TrainingClient;
  }
}
window.mnistClient = getClient();
