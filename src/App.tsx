/**
 * The page: status and settings on the left, live charts in the middle, the drawing pad and test
 * digits on the right. App holds only rare state (settings text, the picked digit); training
 * state comes from useTraining and per-batch data from the metrics store.
 */
import { useMemo, useState } from 'react';
import { TUTORIAL_PRESET } from './shared/config';
import type { BackendChoice } from './shared/protocol';
import { AccuracyChart } from './ui/charts/AccuracyChart';
import { LossChart } from './ui/charts/LossChart';
import { ProgressPanel } from './ui/controls/ProgressPanel';
import { RunControls } from './ui/controls/RunControls';
import { configToText, parseSettings } from './ui/controls/settings';
import { SettingsForm } from './ui/controls/SettingsForm';
import { initialBackend, metricsStore, useTraining } from './ui/hooks/useTraining';
import { PredictionPanel, type PickedDigit } from './ui/predict/PredictionPanel';
import { TestDigits } from './ui/predict/TestDigits';
import { ErrorList } from './ui/status/ErrorList';
import { StatusBar } from './ui/status/StatusBar';

export function App() {
  const { state, client, train, reset, switchBackend, retryData, dismissError } = useTraining();
  const [text, setText] = useState(() => configToText(TUTORIAL_PRESET));
  const [backend, setBackend] = useState<BackendChoice>(initialBackend);
  const [picked, setPicked] = useState<PickedDigit | null>(null);
  const { config, errors } = useMemo(() => parseSettings(text), [text]);

  const runState = state.run?.state ?? 'idle';
  const running = runState === 'training' || runState === 'paused';
  const dataReady = state.data.status === 'ready';
  const valid = Object.keys(errors).length === 0;

  return (
    <div className="app">
      <header className="app-header">
        <h1>MNIST in your browser</h1>
        <p className="tagline">
          Train a neural network on 60,000 real handwritten digits right here, watch it learn live, then draw
          a digit and see it read. Nothing leaves this page.
        </p>
        <StatusBar backend={state.backend} engine={state.engine} data={state.data} run={state.run} />
      </header>
      <ErrorList errors={state.errors} onDismiss={dismissError} />
      <main className="layout">
        <aside className="panel controls" aria-label="Training controls">
          <RunControls
            state={runState}
            canTrain={dataReady && valid && !running}
            whyNot={
              state.data.status === 'error'
                ? `The data failed to load: ${state.data.message}`
                : !dataReady
                  ? 'The data is still loading.'
                  : !valid
                    ? 'Fix the settings marked in red first.'
                    : undefined
            }
            onRetry={state.data.status === 'error' ? retryData : undefined}
            onTrain={() => train(config)}
            onPause={() => client.pause()}
            onResume={() => client.resume()}
            onStop={() => void client.stop()}
            canReset={valid}
            onReset={() => reset(config)}
          />
          <ProgressPanel
            store={metricsStore}
            run={state.run}
            trainCount={state.data.status === 'ready' ? state.data.trainCount : 60000}
          />
          <SettingsForm
            text={text}
            errors={errors}
            onChange={setText}
            // The backend in use: a fallback from the one asked for shows as what runs (auto stays auto).
            backend={backend !== 'auto' && state.backend ? state.backend.backend : backend}
            onBackendChange={(b) => {
              setBackend(b);
              switchBackend(b);
            }}
            locked={running}
          />
        </aside>
        <section className="charts" aria-label="Charts">
          <LossChart store={metricsStore} />
          <AccuracyChart store={metricsStore} />
        </section>
        <div className="side">
          <PredictionPanel
            client={client}
            modelVersion={state.modelVersion}
            trained={state.trained}
            picked={picked}
          />
          <TestDigits
            client={client}
            modelVersion={state.modelVersion}
            dataReady={dataReady}
            trained={state.trained}
            onPick={setPicked}
          />
        </div>
      </main>
      <footer className="app-footer">
        The reference: a PyTorch tutorial MLP, 784-64-64-64-10, Adam 0.001, batch 10, 3 epochs, reaching 96.8%
        test accuracy. Data: MNIST (LeCun, Cortes, Burges).
      </footer>
    </div>
  );
}
