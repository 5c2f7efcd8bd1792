/**
 * The runs ticked "Compare" in the Runs list: in the order ticked, each with its colour, their
 * data read from the ledger once ticked.
 */
import { useState } from 'react';
import type { RunData, RunLedger, RunSummary } from '../../client/runLedger';
import { MAX_COMPARED, RUN_COLORS, type ComparedRun } from './compare';

export function useCompare(
  ledger: RunLedger,
  runs: readonly RunSummary[],
  onProblem: (problem: string) => void,
) {
  const [ticked, setTicked] = useState<{ id: string; color: string }[]>([]);
  const [loaded, setLoaded] = useState<ReadonlyMap<string, RunData>>(new Map());
  const toggleCompare = (run: RunSummary, on: boolean) => {
    if (!on) {
      setTicked((t) => t.filter((x) => x.id !== run.id));
      return;
    }
    setTicked((t) => {
      if (t.length >= MAX_COMPARED || t.some((x) => x.id === run.id)) return t;
      const used = new Set(t.map((x) => x.color));
      return [...t, { id: run.id, color: RUN_COLORS.find((k) => !used.has(k)) ?? RUN_COLORS[0] }];
    });
    if (loaded.has(run.id)) return;
    void ledger.data(run.id).then(
      (data) => {
        if (data) setLoaded((m) => new Map(m).set(run.id, data));
        else onProblem(`"${run.name}" is no longer saved.`);
      },
      (e: Error) => onProblem(`"${run.name}" could not be read: ${e.message}`),
    );
  };
  const compared: ComparedRun[] = ticked.flatMap(({ id, color }) => {
    const summary = runs.find((r) => r.id === id);
    const data = loaded.get(id);
    return summary && data ? [{ summary, data, color }] : [];
  });
  return { ticked, compared, toggleCompare };
}
