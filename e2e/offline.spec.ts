/**
 * Offline: after one visit the service worker (vite-plugin-pwa's Workbox) holds the app and the
 * data, so with the network gone the page opens, loads its 70,000 images and trains.
 */
import { expect, test } from './fixtures/fixtures';
import { QUIET_MS } from '../src/ui/status/installWhenQuiet';

test.use({ serviceWorkers: 'allow' });

test('after a first visit, the page opens and trains with no network', async ({ app, context }) => {
  test.setTimeout(5 * 60_000);
  await app.open();
  await app.waitForData();
  // The worker has cached everything: the page says so.
  await expect(app.page.getByTestId('app.update')).toContainText('Ready offline', { timeout: 120_000 });
  const installable = await app.page.evaluate(async () => {
    const link = document.querySelector('link[rel="manifest"]')?.getAttribute('href');
    return link ? (await (await fetch(link)).json()).name : null;
  });
  expect(installable).toBe('MNIST in your browser');

  await context.setOffline(true);
  await app.page.reload();
  // Served by the service worker: nothing else could answer with the network gone.
  expect(await app.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await app.waitForData();
  await app.setSettings({ 'Batch size': '512', Epochs: '1' });
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 120_000 });
  await expect(app.accuracyCaption()).toContainText('Latest: epoch 1 of 1');
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction:');
  await context.setOffline(false);
});

test('a first visit installs its offline copy only once the data is ready and no run goes on', async ({
  app,
}) => {
  test.setTimeout(4 * 60_000);
  // Installing downloads the app and the data again: not while the page loads its data, nor while
  // the run a newcomer starts at once trains.
  const registered = () => app.page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration()));
  await app.open();
  await app.waitForData();
  expect(await registered()).toBe(false);
  // A run held paused is still a run: however fast this machine trains, it lasts the wait. The
  // Tutorial's (the settings a page opens with) lasts seconds, long enough to be paused.
  await app.button('Train').click();
  await app.button('Pause').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('paused');
  await app.page.waitForTimeout(QUIET_MS + 1000);
  expect(await registered()).toBe(false);
  await app.button('Resume').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 120_000 });
  await expect(app.page.getByTestId('app.update')).toContainText('Ready offline', { timeout: 120_000 });
  expect(await registered()).toBe(true);
});
