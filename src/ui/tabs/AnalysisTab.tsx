/** The Analysis tab: where the current model errs, and what it is. */
import type { TrainingState } from '../../client/sessionState';
import type { TrainingSession } from '../../client/trainingSession';
import type { ModelSpec } from '../../shared/modelSpec';
import { AnalysisPanel } from '../analysis/AnalysisPanel';
import { TabPanel } from './TabBar';

interface Props {
  session: TrainingSession;
  state: TrainingState;
  /** The model of the run shown, or of the settings before any run; null when they are invalid. */
  model: ModelSpec | null;
}

export function AnalysisTab({ session, state, model }: Props) {
  // A loaded or imported model (no worker run behind it) is measured afresh.
  const current =
    state.run?.runId === 0 && state.trained ? { name: state.run.name, version: state.modelVersion } : null;
  return (
    <TabPanel tab="analysis" className="analysis-tab">
      <AnalysisPanel store={session.metrics} client={session.client} model={model} current={current} />
    </TabPanel>
  );
}
