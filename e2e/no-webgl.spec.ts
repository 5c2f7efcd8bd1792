/** Without WebGL (a browser with it switched off), auto falls back and the app still trains. */
import { CHROMIUM_ARGS } from '../playwright.config';
import { expect, test } from './fixtures/fixtures';

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // --disable-webgl does not reach OffscreenCanvas in a worker; no GPU and no software rasterizer does.
    args: [
      ...CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-swiftshader'),
      '--disable-gpu',
      '--disable-software-rasterizer',
    ],
  },
});

test('auto falls back and still trains', async ({ app }) => {
  await app.open();
  await app.waitForData();
  await expect(app.page.getByTestId('status.backend')).toContainText(/^(WebAssembly|JavaScript CPU)/);
  await expect(app.page.getByTestId('status.backend')).toContainText('WebGL 2 is not available');
  await app.setSettings({ 'Batch size': '64', Epochs: '1' });
  await app.button('Train').click();
  await expect.poll(() => app.batchCount(), { timeout: 120_000 }).toBeGreaterThan(100);
  expect(Number.isFinite(await app.latestLoss())).toBe(true);
});

test('asked for WebGL, it says WebGL is unavailable and trains on the fallback', async ({ app }) => {
  await app.open('/?backend=webgl');
  await app.waitForData();
  await expect(app.page.getByTestId('status.backend')).toContainText(/^(WebAssembly|JavaScript CPU)/);
  await expect(app.page.getByTestId('status.backend')).toContainText(/WebGL/);
  // The Backend select shows the backend in use, not the one asked for.
  await expect(app.field('Backend')).not.toHaveValue('webgl');
  await expect(app.field('Backend')).toHaveValue(/^(wasm|cpu)$/);
});
