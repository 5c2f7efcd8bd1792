/**
 * The page's tabs and the address that names the open one: `?tab=analysis`; no `tab` is the
 * Train tab, the one a newcomer came for. Pure but for the hook.
 */
import { useCallback, useEffect, useState } from 'react';

export const TABS = { train: 'Train', analysis: 'Analysis', runs: 'Runs' } as const;
export type TabName = keyof typeof TABS;

/** The tab a query string names, and a message when it names one that does not exist. */
export function tabFromSearch(search: string): { tab: TabName; problem: string | null } {
  const asked = new URLSearchParams(search).get('tab');
  if (asked === null || asked === '') return { tab: 'train', problem: null };
  if (asked in TABS) return { tab: asked as TabName, problem: null };
  return {
    tab: 'train',
    problem: `The link asks for a tab "${asked.slice(0, 40)}" that this page does not have; here is ${TABS.train}. The tabs are ${Object.values(TABS).join(', ')}.`,
  };
}

/** The query string with `tab` set (or removed, for the Train tab), other parameters kept. */
export function searchWithTab(search: string, tab: TabName): string {
  const params = new URLSearchParams(search);
  if (tab === 'train') params.delete('tab');
  else params.set('tab', tab);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The open tab, kept in the address (Back and Forward move between tabs). */
export function useTab(): { tab: TabName; problem: string | null; open: (tab: TabName) => void } {
  const [state, setState] = useState(() => tabFromSearch(location.search));
  useEffect(() => {
    const onPop = () => setState(tabFromSearch(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const open = useCallback((tab: TabName) => {
    history.pushState(null, '', `${location.pathname}${searchWithTab(location.search, tab)}${location.hash}`);
    setState({ tab, problem: null });
  }, []);
  return { ...state, open };
}
