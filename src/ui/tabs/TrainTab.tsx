/**
 * The Train tab, what a newcomer came for: status and settings on the left, live charts in the
 * middle, the drawing pad and test digits on the right. It stays mounted under the other tabs
 * (hidden), so a drawing on the pad is kept; the charts, views of the metrics store alone, are
 * unmounted there and draw nothing.
 */
import { useState } from 'react';
import { isRunning, type TrainingState } from '../../client/sessionState';
import type { TrainingSession } from '../../client/trainingSession';
import { describeModel } from '../../shared/modelSpec';
import { AccuracyChart } from '../charts/AccuracyChart';
import { ChartControls, useChartView } from '../charts/ChartControls';
import { LossChart } from '../charts/LossChart';
import { ProgressPanel } from '../controls/ProgressPanel';
import { RunControls } from '../controls/RunControls';
import { SettingsForm } from '../controls/SettingsForm';
import { useMountStages } from '../hooks/useMountStages';
import type { Settings } from '../hooks/useSettings';
import { PredictionPanel, type PickedDigit } from '../predict/PredictionPanel';
import { TestDigits } from '../predict/TestDigits';
import { TabPanel } from './TabBar';

interface Props {
  session: TrainingSession;
  state: TrainingState;
  settings: Settings;
  /** Whether the tab is the one open. */
  open: boolean;
}

/** Why Train is disabled, in a sentence, or undefined when it is not. */
function whyNotTrain(state: TrainingState, valid: boolean): string | undefined {
  if (state.modelChange) return `${state.modelChange}: Train waits until it has finished.`;
  if (state.data.status === 'error') return `The data failed to load: ${state.data.message}`;
  if (state.data.status !== 'ready') return 'The data is still loading.';
  if (!valid) return 'Fix the settings marked in red first.';
  return undefined;
}

export function TrainTab({ session, state, settings, open }: Props) {
  const [picked, setPicked] = useState<PickedDigit | null>(null);
  // The tab's three columns mount one a frame after the page's frame (useMountStages.ts).
  const stage = useMountStages(3);
  const trainCount = state.data.status === 'ready' ? state.data.trainCount : 60000;
  const batchesPerEpoch = state.run ? Math.ceil(trainCount / state.run.config.batchSize) : 0;
  return (
    <TabPanel tab="train" className="layout" hidden={!open}>
      <aside className="panel controls" aria-label="Training controls">
        {stage >= 1 && (
          <Controls session={session} state={state} settings={settings} trainCount={trainCount} />
        )}
      </aside>
      <section className="charts" aria-label="Charts">
        {stage >= 2 && (
          <Charts session={session} state={state} batchesPerEpoch={batchesPerEpoch} drawn={open} />
        )}
      </section>
      <div className="side">
        {stage >= 3 && (
          <>
            <PredictionPanel
              client={session.client}
              modelVersion={state.modelVersion}
              trained={state.trained}
              picked={picked}
            />
            <TestDigits
              client={session.client}
              modelVersion={state.modelVersion}
              dataReady={state.data.status === 'ready'}
              trained={state.trained}
              onPick={setPicked}
            />
          </>
        )}
      </div>
    </TabPanel>
  );
}

/** Train, Pause, Stop and Reset, the run's progress, and the settings. */
function Controls({ session, state, settings, trainCount }: Omit<Props, 'open'> & { trainCount: number }) {
  const { config, valid } = settings;
  const [continuing, setContinuing] = useState(false);
  const runState = state.run?.state ?? 'idle';
  const running = isRunning(runState);
  // The model Train may go on from: the current run's, once it has trained weights and has ended.
  const current =
    state.trained && state.run && !running ? { name: state.run.name, model: state.run.config.model } : null;
  const { backendChoice } = state;
  return (
    <>
      <RunControls
        state={runState}
        canTrain={state.data.status === 'ready' && valid && !running && !state.modelChange}
        whyNot={whyNotTrain(state, valid)}
        onRetry={state.data.status === 'error' ? () => session.retryData() : undefined}
        onTrain={() =>
          continuing && current
            ? session.train({ ...config, model: current.model }, current.name)
            : session.train(config)
        }
        current={current}
        settingsModel={valid ? config.model : null}
        continuing={continuing}
        onContinuingChange={setContinuing}
        onPause={() => session.pause()}
        onResume={() => session.resume()}
        onStop={() => void session.stop()}
        canReset={valid && !state.modelChange}
        onReset={() => session.reset(config)}
      />
      <ProgressPanel store={session.metrics} run={state.run} trainCount={trainCount} />
      <SettingsForm
        text={settings.text}
        errors={settings.errors}
        onChange={settings.setText}
        // The backend in use: a fallback from the one asked for shows as what runs (auto stays auto).
        backend={backendChoice !== 'auto' && state.backend ? state.backend.backend : backendChoice}
        onBackendChange={(b) => session.switchBackend(b)}
        locked={running}
        trainCount={trainCount}
      />
    </>
  );
}

/**
 * The chart view's controls, and the loss and accuracy charts while `drawn` (the tab is open):
 * views of the metrics store alone, they draw nothing under another tab.
 */
function Charts({
  session,
  state,
  batchesPerEpoch,
  drawn,
}: Pick<Props, 'session' | 'state'> & { batchesPerEpoch: number; drawn: boolean }) {
  const [view, setView] = useChartView();
  const { run } = state;
  return (
    <>
      <ChartControls
        view={view}
        onChange={setView}
        store={session.metrics}
        runName={run ? `${run.name} ${describeModel(run.config.model)}` : null}
        batchesPerEpoch={batchesPerEpoch}
      />
      {drawn && (
        <>
          <LossChart store={session.metrics} view={view} batchesPerEpoch={batchesPerEpoch} />
          <AccuracyChart
            store={session.metrics}
            view={view}
            batchesPerEpoch={batchesPerEpoch}
            totalBatches={run ? batchesPerEpoch * run.config.epochs : 0}
          />
        </>
      )}
    </>
  );
}
