/**
 * A new build replaces the old one: the page served from the service worker's cache hears of it,
 * says "A new version of this page is ready", and "Reload to update" opens the new build. The
 * builds are a copy of dist-test served on a port of its own (the other specs' server stays as it
 * is), its index.html then changed as a new build changes it, with the new revision in sw.js's
 * precache list: what vite-plugin-pwa writes for a build whose page changed. Both cases: the first
 * visit's page, which no worker controls, and a page the worker serves.
 */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

test.use({ serviceWorkers: 'allow' });

const PORT = Number(process.env.E2E_PORT ?? 4173) + 11;

test('a new build: the page says an update is ready, and Reload to update opens it', async ({ page }) => {
  test.setTimeout(4 * 60_000);
  const site = test.info().outputPath('site');
  cpSync('dist-test', site, { recursive: true });
  const server = spawn(
    'npx',
    ['vite', 'preview', '--outDir', site, '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'],
    { stdio: 'ignore', detached: true },
  );
  const url = `http://127.0.0.1:${PORT}/`;
  try {
    await expect
      .poll(
        () =>
          fetch(url).then(
            (r) => r.status,
            () => 0,
          ),
        { timeout: 60_000 },
      )
      .toBe(200);
    await page.goto(url);
    const notice = page.getByTestId('app.update');
    await expect(notice).toContainText('Ready offline', { timeout: 120_000 });

    // A new build: its page changed, and so did the page's revision in sw.js's precache list.
    const build = (name: string) => {
      const html = readFileSync(`${site}/index.html`, 'utf8').replace(/<meta name="build"[^>]*>/, '');
      writeFileSync(
        `${site}/index.html`,
        html.replace('<head>', `<head><meta name="build" content="${name}">`),
      );
      const sw = readFileSync(`${site}/sw.js`, 'utf8');
      const next = sw.replace(/url:"index.html",revision:"[0-9a-z]+"/, `url:"index.html",revision:"${name}"`);
      expect(next).not.toBe(sw);
      writeFileSync(`${site}/sw.js`, next);
    };
    const served = () =>
      page.evaluate(() => document.querySelector('meta[name="build"]')?.getAttribute('content') ?? null);
    // Twice: from the first visit's page (no worker controls it yet), then from a page the
    // worker serves (the new worker waits until the user says).
    for (const [name, controlled] of [
      ['second', false],
      ['third', true],
    ] as const) {
      expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(controlled);
      build(name);
      // A browser checks for a new service worker on navigations and now and then; here, at once.
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
      await expect(notice).toContainText('A new version of this page is ready.', { timeout: 120_000 });
      // Until the user says so the page stays as it is.
      expect(await served()).not.toBe(name);
      await page.getByRole('button', { name: 'Reload to update' }).click();
      await expect(page.locator('meta[name="build"]')).toHaveAttribute('content', name, { timeout: 60_000 });
      await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();
    }
  } finally {
    if (server.pid) process.kill(-server.pid);
  }
});
