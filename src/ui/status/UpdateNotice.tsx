/**
 * The service worker's news (vite-plugin-pwa's registerSW): "ready offline" once the app and the
 * data are cached, and "a new version is ready" when a new build has been fetched; that one waits
 * for the user, since reloading drops the page's state.
 */
import { useEffect, useState } from 'react';
import { registerSW } from 'virtual:pwa-register';

type News = null | { kind: 'offline' } | { kind: 'update'; update: () => void };

export function UpdateNotice() {
  const [news, setNews] = useState<News>(null);
  useEffect(() => {
    // Built pages only: the dev server has no service worker to register.
    if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
    const update = registerSW({
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
  }, []);
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
