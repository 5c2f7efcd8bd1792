import { defineConfig, devices } from '@playwright/test';

/**
 * E2E tests run the test build (npm run build:test: the production build plus the test hooks of
 * src/dev/, served by vite preview) on a loopback port in the system's Chromium:
 * this never downloads a browser. CHROMIUM_PATH points elsewhere for machines whose Chromium
 * lives elsewhere; with internet access, `npx playwright install chromium` and CHROMIUM_PATH=bundled
 * use Playwright's own build instead.
 */
const PORT = Number(process.env.E2E_PORT ?? 4173);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Headless Chromium without a GPU gives WebGL through SwiftShader only when this is allowed.
  '--enable-unsafe-swiftshader',
];

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  // Two cores: one browser at a time keeps the worker's timing honest and the run predictable.
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'on-first-retry',
    // The service worker (offline use) would answer requests the tests route: only the offline
    // test lets it run.
    serviceWorkers: 'block',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: chromiumPath === 'bundled' ? undefined : chromiumPath,
          args: CHROMIUM_ARGS,
        },
      },
    },
  ],
  webServer: {
    command: `npx vite preview --outDir dist-test --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
