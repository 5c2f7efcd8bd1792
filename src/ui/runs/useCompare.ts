/**
 * The runs ticked "Compare" in the Runs list: in the order ticked, each with its colour, their
 * data read from the ledger once ticked. The ticks are held above the tab (`CompareTicks`), so
 * they outlast a visit to another tab; a run no longer in the list loses its tick.
 */
import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type { RunData, RunLedger, RunSummary } from '../../client/runLedger';
import { MAX_COMPARED, RUN_COLORS, type ComparedRun } from './compare';

export interface Tick {
  id: string;
  color: string;
}

/** The ticks and their setter, as useState gives them. */
export type CompareTicks = [readonly Tick[], Dispatch<SetStateAction<readonly Tick[]>>];

/**
 * `runs`: the list as read from the ledger, or null while it is being read (ticks wait for it).
 */
export function useCompare(
  ledger: RunLedger,
  runs: readonly RunSummary[] | null,
  [ticks, setTicks]: CompareTicks,
  onProblem: (problem: string) => void,
) {
  const [loaded, setLoaded] = useState<ReadonlyMap<string, RunData>>(new Map());

  // A deleted run (here or in another tab) is compared no more, and frees its place.
  useEffect(() => {
    if (runs && ticks.some((t) => !runs.some((r) => r.id === t.id)))
      setTicks((t) => t.filter((x) => runs.some((r) => r.id === x.id)));
  }, [runs, ticks, setTicks]);

  // The data of each ticked run, read once while the tab is open.
  const requested = useRef(new Set<string>());
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  useEffect(() => {
    for (const { id } of ticks) {
      const run = runs?.find((r) => r.id === id);
      if (!run || requested.current.has(id)) continue;
      requested.current.add(id);
      void ledger.data(id).then(
        (data) => {
          if (!mounted.current) return;
          if (data) setLoaded((m) => new Map(m).set(id, data));
          else onProblem(`"${run.name}" is no longer saved.`);
        },
        (e: Error) => {
          requested.current.delete(id); // ticked again, it is read again
          if (mounted.current) onProblem(`"${run.name}" could not be read: ${e.message}`);
        },
      );
    }
  }, [ledger, runs, ticks, onProblem]);

  const toggleCompare = (run: RunSummary, on: boolean) =>
    setTicks((t) => {
      if (!on) return t.filter((x) => x.id !== run.id);
      if (t.length >= MAX_COMPARED || t.some((x) => x.id === run.id)) return t;
      const used = new Set(t.map((x) => x.color));
      return [...t, { id: run.id, color: RUN_COLORS.find((k) => !used.has(k)) ?? RUN_COLORS[0] }];
    });
  const compared: ComparedRun[] = ticks.flatMap(({ id, color }) => {
    const summary = runs?.find((r) => r.id === id);
    const data = loaded.get(id);
    return summary && data ? [{ summary, data, color }] : [];
  });
  return { ticked: ticks, compared, toggleCompare };
}
