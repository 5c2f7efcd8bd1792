/**
 * The page's layout: the header with the status line, the errors, the tab bar and the open tab
 * (Train, Analysis, Runs; ui/tabs/). The training session owns the training state; App holds
 * only the settings' text, which both the Train and the Analysis tab read, and the runs ticked
 * "Compare", which outlast a visit to another tab.
 */
import { useState } from 'react';
import { isRunning } from './client/sessionState';
import type { TrainingSession } from './client/trainingSession';
import { useSettings } from './ui/hooks/useSettings';
import { useTraining } from './ui/hooks/useTraining';
import { ErrorList } from './ui/status/ErrorList';
import { Notice } from './ui/status/Notice';
import { StatusBar } from './ui/status/StatusBar';
import { UpdateNotice } from './ui/status/UpdateNotice';
import { AnalysisTab } from './ui/tabs/AnalysisTab';
import type { Tick } from './ui/runs/useCompare';
import { RunsTab } from './ui/tabs/RunsTab';
import { TabBar } from './ui/tabs/TabBar';
import { useTab } from './ui/tabs/tabs';
import { TrainTab } from './ui/tabs/TrainTab';

export function App({ session }: { session: TrainingSession }) {
  const state = useTraining(session);
  const settings = useSettings();
  const { tab, problem: tabProblem, open } = useTab();
  const running = isRunning(state.run?.state);
  const compareTicks = useState<readonly Tick[]>([]);
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
      <ErrorList errors={state.errors} onDismiss={(id) => session.dismissError(id)} />
      <UpdateNotice quiet={state.data.status === 'ready' && !running} />
      <TabBar tab={tab} onOpen={open} />
      {settings.linkHadProblems && (
        <Notice>
          This link&apos;s settings have problems, each marked in red in the settings with what it takes.
        </Notice>
      )}
      {tabProblem && <Notice>{tabProblem}</Notice>}
      <main>
        <TrainTab session={session} state={state} settings={settings} open={tab === 'train'} />
        {tab === 'runs' && <RunsTab session={session} state={state} compareTicks={compareTicks} />}
        {tab === 'analysis' && (
          <AnalysisTab
            session={session}
            state={state}
            model={state.run?.config.model ?? (settings.valid ? settings.config.model : null)}
          />
        )}
      </main>
      <footer className="app-footer">
        The reference: a PyTorch tutorial MLP, 784-64-64-64-10, Adam 0.001, batch 10, 3 epochs, reaching 96.8%
        test accuracy. Data: MNIST (LeCun, Cortes, Burges).
      </footer>
    </div>
  );
}
