/**
 * Keeps what the page shows of its run true to the ledger when something other than the page
 * changes it: another tab (a rename, a delete) or the browser (the site's data cleared). The
 * session hands it what it may see and do (`SessionHooks`); the recorder reports what its saves
 * found (`recorderEvents`).
 */
import type { LedgerChange, RunLedger } from './runLedger';
import type { RecorderEvents, RunRecorder } from './runRecorder';
import type { Action, RunInfo } from './sessionState';

export interface SessionHooks {
  /** The run the page shows, if any. */
  current(): RunInfo | null;
  dispatch(action: Action): void;
  /** Stops recording (and training) the current run, its saves done. */
  letGoOfCurrent(): Promise<void>;
  /** No run is shown any more (its record is gone): the charts empty, the model stays. */
  forgetShown(): void;
}

const CLEARED = "This site's saved data was cleared (in the browser's settings, or by the browser)";

const notice = (hooks: SessionHooks, message: string) =>
  hooks.dispatch({ type: 'notice', code: 'ledger', message });

/**
 * On every change to the ledger, lists refresh; on one made elsewhere, the run shown here is
 * checked: the recorder reads its training run's record (and reports, below); a run only shown
 * (or one that has ended) is renamed or forgotten as the ledger now has it.
 */
export function watchLedger(
  ledger: RunLedger,
  recorder: () => RunRecorder | null,
  hooks: SessionHooks,
): void {
  ledger.onChange?.((change: LedgerChange) => {
    hooks.dispatch({ type: 'ledgerChanged' });
    if (change.kind === 'changed' && change.here) return;
    const training = recorder()?.training ? recorder() : null;
    if (change.kind === 'cleared' && !training)
      notice(hooks, `${CLEARED}: the saved runs are gone. New runs are kept again.`);
    if (training) {
      void training.check();
      return;
    }
    const run = hooks.current();
    if (!run) return;
    void ledger.summary(run.id).then(
      (saved) => {
        const now = hooks.current();
        if (now?.id !== run.id) return;
        if (!saved) hooks.forgetShown();
        else if (saved.name !== now.name) hooks.dispatch({ type: 'renamedCurrent', name: saved.name });
      },
      () => {}, // unreadable now: the list says so
    );
  });
}

/** What the session does when the recorder finds its run renamed, deleted or cleared away. */
export function recorderEvents(hooks: SessionHooks): RecorderEvents {
  const named = (id: string, name: string) => {
    if (hooks.current()?.id === id) hooks.dispatch({ type: 'renamedCurrent', name });
  };
  return {
    error: (message) => hooks.dispatch({ type: 'notice', code: 'storage', message }),
    named,
    gone: (id, name) => {
      if (hooks.current()?.id !== id) return;
      void hooks
        .letGoOfCurrent()
        .catch(() => {}) // a worker that did not answer Stop was replaced: the run is over anyway
        .then(() => {
          if (hooks.current()?.id === id) hooks.forgetShown();
          notice(
            hooks,
            `"${name}" was deleted in another tab: its training stopped here, and nothing of it is kept.`,
          );
        });
    },
    keptAgain: (id, name) => {
      named(id, name);
      notice(
        hooks,
        `${CLEARED}: the earlier runs are gone. The run training now is kept again, as "${name}".`,
      );
    },
  };
}
