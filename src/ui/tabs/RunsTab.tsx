/** The Runs tab: every run kept in this browser, what each can become (a file, the current model). */
import { isRunning, type TrainingState } from '../../client/sessionState';
import type { TrainingSession } from '../../client/trainingSession';
import { download } from '../download';
import { RunsPanel } from '../runs/RunsPanel';
import { TabPanel } from './TabBar';

export function RunsTab({ session, state }: { session: TrainingSession; state: TrainingState }) {
  const running = isRunning(state.run?.state);
  return (
    <TabPanel tab="runs" className="runs-tab">
      <RunsPanel
        ledger={session.ledger}
        version={state.ledgerVersion}
        currentId={state.run?.id ?? null}
        trainingId={running ? (state.run?.id ?? null) : null}
        canLoad={!running && state.data.status === 'ready' && !state.modelChange}
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
