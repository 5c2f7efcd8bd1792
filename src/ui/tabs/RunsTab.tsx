/** The Runs tab: every run kept in this browser, what each can become (a file, the current model). */
import { isRunning, type TrainingState } from '../../client/sessionState';
import type { TrainingSession } from '../../client/trainingSession';
import { download } from '../download';
import { RunsPanel } from '../runs/RunsPanel';
import type { CompareTicks } from '../runs/useCompare';
import { TabPanel } from './TabBar';

interface Props {
  session: TrainingSession;
  state: TrainingState;
  /** The runs ticked "Compare": held by the page, so that they outlast a visit to another tab. */
  compareTicks: CompareTicks;
}

export function RunsTab({ session, state, compareTicks }: Props) {
  const running = isRunning(state.run?.state);
  return (
    <TabPanel tab="runs" className="runs-tab">
      <RunsPanel
        ledger={session.ledger}
        version={state.ledgerVersion}
        currentId={state.run?.id ?? null}
        trainingId={running ? (state.run?.id ?? null) : null}
        canLoad={!running && state.data.status === 'ready' && !state.modelChange}
        canImport={!running && !state.modelChange}
        compareTicks={compareTicks}
        changing={state.modelChange}
        onLoad={(id) => session.loadRun(id)}
        onRename={(id, name) => session.renameRun(id, name)}
        onDelete={(id) => session.deleteRun(id)}
        onDeleteAll={() => session.deleteAllRuns()}
        onImport={(files) => session.importModel(files)}
        onExport={async (id, as) => {
          for (const file of await session.exportRun(id, as)) download(file.data, file.type, file.name);
        }}
      />
    </TabPanel>
  );
}
