/** The tab list, as WAI-ARIA's tabs pattern: arrow keys, Home and End move between tabs. */
import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { TABS, type TabName } from './tabs';

const NAMES = Object.keys(TABS) as TabName[];

export function tabId(tab: TabName): string {
  return `tab-${tab}`;
}
export function panelId(tab: TabName): string {
  return `panel-${tab}`;
}

export function TabBar({ tab, onOpen }: { tab: TabName; onOpen: (tab: TabName) => void }) {
  const refs = useRef(new Map<TabName, HTMLButtonElement>());
  const onKeyDown = (e: KeyboardEvent) => {
    const i = NAMES.indexOf(tab);
    const next =
      e.key === 'ArrowRight'
        ? NAMES[(i + 1) % NAMES.length]
        : e.key === 'ArrowLeft'
          ? NAMES[(i - 1 + NAMES.length) % NAMES.length]
          : e.key === 'Home'
            ? NAMES[0]
            : e.key === 'End'
              ? NAMES[NAMES.length - 1]
              : null;
    if (!next) return;
    e.preventDefault();
    onOpen(next);
    refs.current.get(next)?.focus();
  };
  return (
    <div className="tab-bar" role="tablist" aria-label="Views" onKeyDown={onKeyDown}>
      {NAMES.map((name) => (
        <button
          key={name}
          ref={(el) => {
            if (el) refs.current.set(name, el);
            else refs.current.delete(name);
          }}
          type="button"
          role="tab"
          id={tabId(name)}
          aria-selected={tab === name}
          aria-controls={panelId(name)}
          tabIndex={tab === name ? 0 : -1}
          onClick={() => onOpen(name)}
        >
          {TABS[name]}
        </button>
      ))}
    </div>
  );
}

/** The panel of tab `tab`, labelled by its tab. */
export function TabPanel({
  tab,
  className,
  hidden,
  children,
}: {
  tab: TabName;
  className: string;
  hidden?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={className} role="tabpanel" id={panelId(tab)} aria-labelledby={tabId(tab)} hidden={hidden}>
      {children}
    </div>
  );
}
