/**
 * The page: two tabs. Train, what a newcomer came for: status and settings on the left, live
 * charts in the middle, the drawing pad and test digits on the right. Analysis: where the model
 * errs and what it is. App holds only rare state (settings text, the picked digit, the chart
 * view, the open tab); training state comes from useTraining and per-batch data from the
 * metrics store.
 */
import { useEffect, useMemo, useState } from 'react';
import { TUTORIAL_PRESET } from './shared/config';
import { describeModel } from './shared/modelSpec';
import type { BackendChoice } from './shared/protocol';
import { AnalysisPanel } from './ui/analysis/AnalysisPanel';
import { AccuracyChart } from './ui/charts/AccuracyChart';
import { ChartControls, useChartView } from './ui/charts/ChartControls';
import { LossChart } from './ui/charts/LossChart';
import { ProgressPanel } from './ui/controls/ProgressPanel';
import { RunControls } from './ui/controls/RunControls';
import { configToText, parseSettings } from './ui/controls/settings';
import { SettingsForm } from './ui/controls/SettingsForm';
import { searchWithSettings, settingsFromSearch } from './ui/controls/settingsUrl';
import { getLedger, initialBackend, metricsStore, useTraining } from './ui/hooks/useTraining';
import { RunsPanel } from './ui/runs/RunsPanel';
import { download } from './ui/download';
import { PredictionPanel, type PickedDigit } from './ui/predict/PredictionPanel';
import { TestDigits } from './ui/predict/TestDigits';
import { ErrorList } from './ui/status/ErrorList';
import { StatusBar } from './ui/status/StatusBar';
import { UpdateNotice } from './ui/status/UpdateNotice';
import { panelId, TabBar, tabId } from './ui/TabBar';
import { useTab } from './ui/tabs';
import { useMountStages } from './ui/hooks/useMountStages';

export function App() {
  const {
    state,
    client,
    train,
    reset,
    switchBackend,
    retryData,
    dismissError,
    loadRun,
    renameRun,
    deleteRun,
    deleteAllRuns,
    exportRun,
    importModel,
  } = useTraining();
  // The settings a link carries (?batch=64&lr=0.002), else the Tutorial's.
  const [fromLink] = useState(() => settingsFromSearch(location.search, configToText(TUTORIAL_PRESET)));
  const [text, setText] = useState(fromLink.text);
  const [backend, setBackend] = useState<BackendChoice>(initialBackend);
  const [picked, setPicked] = useState<PickedDigit | null>(null);
  const { config, errors } = useMemo(() => parseSettings(text), [text]);
  // The address follows the form, so that copying it shares these settings.
  useEffect(() => {
    const search = searchWithSettings(location.search, text, configToText(TUTORIAL_PRESET));
    if (search !== location.search)
      history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`);
  }, [text]);
  const linkHasProblems = fromLink.fromLink && Object.keys(parseSettings(fromLink.text).errors).length > 0;
  const [linkProblemSeen, setLinkProblemSeen] = useState(false);
  const [view, setView] = useChartView();
  const { tab, problem: tabProblem, open } = useTab();
  const [tabProblemSeen, setTabProblemSeen] = useState(false);

  const runState = state.run?.state ?? 'idle';
  const running = runState === 'training' || runState === 'paused';
  const dataReady = state.data.status === 'ready';
  const valid = Object.keys(errors).length === 0;
  const trainCount = state.data.status === 'ready' ? state.data.trainCount : 60000;
  const batchesPerEpoch = state.run ? Math.ceil(trainCount / state.run.config.batchSize) : 0;
  const runName = state.run ? `${state.run.name} ${describeModel(state.run.config.model)}` : null;
  const shownModel = state.run?.config.model ?? (valid ? config.model : null);
  // The model Train may go on from: the current run's, once it has trained weights and has ended.
  const current =
    state.trained && state.run && !running ? { name: state.run.name, model: state.run.config.model } : null;
  const [continuing, setContinuing] = useState(false);
  // The Train tab's three columns mount one a frame after the page's frame (useMountStages.ts).
  const stage = useMountStages(3);

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
      <UpdateNotice quiet={dataReady && !running} />
      <TabBar tab={tab} onOpen={open} />
      {linkHasProblems && !linkProblemSeen && (
        <p className="notice" role="status">
          This link&apos;s settings have problems, each marked in red in the settings with what it takes.{' '}
          <button type="button" className="link-button" onClick={() => setLinkProblemSeen(true)}>
            Dismiss
          </button>
        </p>
      )}
      {tabProblem && !tabProblemSeen && (
        <p className="notice" role="status">
          {tabProblem}{' '}
          <button type="button" className="link-button" onClick={() => setTabProblemSeen(true)}>
            Dismiss
          </button>
        </p>
      )}
      <main>
        <div
          className="layout"
          role="tabpanel"
          id={panelId('train')}
          aria-labelledby={tabId('train')}
          hidden={tab !== 'train'}
        >
          <aside className="panel controls" aria-label="Training controls">
            {stage >= 1 && (
              <>
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
                  onTrain={() =>
                    continuing && current
                      ? train({ ...config, model: current.model }, current.name)
                      : train(config)
                  }
                  current={current}
                  settingsModel={valid ? config.model : null}
                  continuing={continuing}
                  onContinuingChange={setContinuing}
                  onPause={() => client.pause()}
                  onResume={() => client.resume()}
                  onStop={() => void client.stop()}
                  canReset={valid}
                  onReset={() => reset(config)}
                />
                <ProgressPanel store={metricsStore} run={state.run} trainCount={trainCount} />
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
                  trainCount={trainCount}
                />
              </>
            )}
          </aside>
          <section className="charts" aria-label="Charts">
            {stage >= 2 && (
              <>
                <ChartControls
                  view={view}
                  onChange={setView}
                  store={metricsStore}
                  runName={runName}
                  batchesPerEpoch={batchesPerEpoch}
                />
                {/* Views of the store alone: unmounted under another tab, they draw nothing there. The
                rest of the tab stays mounted (hidden), so a drawing on the pad is kept. */}
                {tab === 'train' && (
                  <>
                    <LossChart store={metricsStore} view={view} batchesPerEpoch={batchesPerEpoch} />
                    <AccuracyChart
                      store={metricsStore}
                      view={view}
                      batchesPerEpoch={batchesPerEpoch}
                      totalBatches={state.run ? batchesPerEpoch * state.run.config.epochs : 0}
                    />
                  </>
                )}
              </>
            )}
          </section>
          <div className="side">
            {stage >= 3 && (
              <>
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
              </>
            )}
          </div>
        </div>
        {tab === 'runs' && (
          <div className="runs-tab" role="tabpanel" id={panelId('runs')} aria-labelledby={tabId('runs')}>
            <RunsPanel
              ledger={getLedger()}
              version={state.ledgerVersion}
              currentName={state.run?.name ?? null}
              canLoad={!running && dataReady}
              onLoad={loadRun}
              onRename={renameRun}
              onDelete={deleteRun}
              onDeleteAll={deleteAllRuns}
              onImport={importModel}
              onExport={async (id, as) => {
                for (const file of await exportRun(id, as)) download(file.data, file.type, file.name);
              }}
            />
          </div>
        )}
        {tab === 'analysis' && (
          <div
            className="analysis-tab"
            role="tabpanel"
            id={panelId('analysis')}
            aria-labelledby={tabId('analysis')}
          >
            <AnalysisPanel
              store={metricsStore}
              client={client}
              model={shownModel}
              current={
                state.run?.runId === 0 && state.trained
                  ? { name: state.run.name, version: state.modelVersion }
                  : null
              }
            />
          </div>
        )}
      </main>
      <footer className="app-footer">
        The reference: a PyTorch tutorial MLP, 784-64-64-64-10, Adam 0.001, batch 10, 3 epochs, reaching 96.8%
        test accuracy. Data: MNIST (LeCun, Cortes, Burges).
      </footer>
    </div>
  );
}
