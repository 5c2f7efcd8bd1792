/**
 * Locked down as a static app that runs code on users' machines should be: a Content-Security-
 * Policy on the page and the worker, cross-origin isolation and nosniff headers, and no request
 * that leaves the origin (the fixture fails any test that makes one, or triggers a CSP violation).
 */
import { expect, test } from './fixtures/fixtures';

const POLICY = [
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
];

test('the page and its worker are served with the policy and the isolation headers', async ({
  app,
  page,
}) => {
  const responses: { url: string; headers: Record<string, string> }[] = [];
  page.on('response', async (r) => responses.push({ url: r.url(), headers: await r.allHeaders() }));
  await app.open();
  await app.waitForData();
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  for (const rule of POLICY) expect(meta, 'the page’s meta policy').toContain(rule);
  const doc = responses.find((r) => new URL(r.url).pathname === '/')!;
  const worker = responses.find((r) => /training\.worker.*\.js$/.test(r.url))!;
  expect(worker, 'the worker script was fetched').toBeTruthy();
  for (const r of [doc, worker]) {
    for (const rule of POLICY) expect(r.headers['content-security-policy'], r.url).toContain(rule);
    expect(r.headers['cross-origin-opener-policy'], r.url).toBe('same-origin');
    expect(r.headers['cross-origin-embedder-policy'], r.url).toBe('require-corp');
    expect(r.headers['x-content-type-options'], r.url).toBe('nosniff');
  }
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});

for (const backend of ['auto', 'wasm', 'webgl', 'cpu'] as const) {
  test(`under the policy it trains on ${backend}, with no violation and no request off the origin`, async ({
    app,
  }) => {
    await app.open(`/?backend=${backend}`);
    await app.waitForData();
    // Epochs enough that the CPU engine (~0.5 s an epoch here) is still training at Stop.
    await app.setSettings({ 'Batch size': '128', Epochs: '10' });
    await app.button('Train').click();
    await expect.poll(() => app.batchCount(), { timeout: 120_000 }).toBeGreaterThan(20);
    await app.drawOne();
    await expect(app.prediction()).toContainText('Prediction:');
    await app.button('Stop').click();
    await expect(app.page.getByTestId('status.run')).toHaveText('stopped');
  });
}
