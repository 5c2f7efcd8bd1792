/**
 * The service worker's news (vite-plugin-pwa's registerSW): "ready offline" once the app and the
 * data are cached, and "a new version is ready" when a new build has been fetched; that one waits
 * for the user, since reloading drops the page's state.
 *
 * On a first visit the worker is registered only once the data is ready and no run has gone on for
 * QUIET_MS: installing, it downloads the app and the ~13 MB of data again (Workbox fetches
 * revisioned files with cache: 'reload'), and registered at the page's load event (registerSW's
 * default) it did so while the page loaded its data and trained its first run, slowing both
 * (docs/performance.md). A visit with a worker already registered registers at once: the browser
 * checks that worker for updates on every navigation anyway.
 */
import { useEffect, useState } from 'react';
import { registerSW } from 'virtual:pwa-register';
import { QUIET_MS } from './installWhenQuiet';

type News = null | { kind: 'offline' } | { kind: 'update'; update: () => void };

/**
 * @param quiet the data is ready and no run is going on: a first visit's worker waits for
 *   QUIET_MS of it.
 */
export function UpdateNotice({ quiet }: { quiet: boolean }) {
  const [news, setNews] = useState<News>(null);
  const supported = import.meta.env.PROD && 'serviceWorker' in navigator;
  const [mayRegister, setMayRegister] = useState(false);
  // A worker from an earlier visit: registering again only checks it for updates.
  useEffect(() => {
    if (!supported) return;
    let live = true;
    void navigator.serviceWorker.getRegistration().then((r) => live && r && setMayRegister(true));
    return () => {
      live = false;
    };
  }, [supported]);
  useEffect(() => {
    if (!supported || !quiet || mayRegister) return;
    const timer = setTimeout(() => setMayRegister(true), QUIET_MS);
    return () => clearTimeout(timer);
  }, [supported, quiet, mayRegister]);
  useEffect(() => {
    // Built pages only: the dev server has no service worker to register.
    if (!supported || !mayRegister) return;
    // immediate: the page's load event is long past.
    const update = registerSW({
      immediate: true,
      onOfflineReady: () => setNews({ kind: 'offline' }),
      onNeedRefresh: () =>
        setNews({
          kind: 'update',
          update: () => {
            // registerSW reloads a controlled page itself once the new worker takes over.
            if (!navigator.serviceWorker.controller) void reloadUncontrolled();
            else void update(true);
          },
        }),
    });
  }, [supported, mayRegister]);
  if (!news) return null;
  return (
    <p className="notice" role="status" data-testid="app.update">
      {news.kind === 'offline'
        ? 'Ready offline: the app and the data are kept in this browser, so this page opens and trains without a network.'
        : 'A new version of this page is ready.'}{' '}
      {news.kind === 'update' && (
        <button type="button" onClick={news.update}>
          Reload to update
        </button>
      )}
      <button type="button" className="link-button" onClick={() => setNews(null)}>
        Dismiss
      </button>
    </p>
  );
}

/**
 * Reloads a page no service worker controls (the first visit's: no clients.claim) into the new
 * build. Such a page holds no worker back, but the new one may not be active yet: a reload then is
 * served by the old worker, still active, and opens the old build (seen once in an e2e run). So it
 * is asked to skip waiting (the generated worker listens for SKIP_WAITING), and the reload waits
 * until it is active.
 */
async function reloadUncontrolled(): Promise<void> {
  const registration = await navigator.serviceWorker.getRegistration();
  const next = registration?.waiting ?? registration?.installing;
  if (next) {
    await new Promise<void>((resolve) => {
      const settled = () => next.state === 'activated' || next.state === 'redundant';
      next.addEventListener('statechange', () => settled() && resolve());
      if (settled()) resolve();
      next.postMessage({ type: 'SKIP_WAITING' });
    });
  }
  location.reload();
}
