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
            // A page no service worker controls (the first visit's: no clients.claim) holds no
            // worker back, so the new one is active already and a reload opens the new build.
            // registerSW reloads a controlled page itself once the new worker takes over.
            if (!navigator.serviceWorker.controller) location.reload();
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
