/** Keyboard and screen readers: axe-core finds no serious or critical violation; focus never falls to the page. */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './fixtures/fixtures';

test('axe finds no serious or critical violation, before and after training', async ({ app }) => {
  await app.open();
  await app.waitForData();
  const check = async (when: string) => {
    const { violations } = await new AxeBuilder({ page: app.page }).analyze();
    const bad = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(bad, when).toEqual([]);
  };
  await check('before training');
  await app.setSettings({ 'Batch size': '128', Epochs: '1' });
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 120_000 });
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction:');
  await check('after training, with a digit drawn');
});

test('the chart plots add no tab stops of their own; the chart controls are all reachable', async ({
  app,
}) => {
  await app.open();
  await app.waitForData();
  await app.setSettings({ 'Batch size': '128', Epochs: '1' });
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 120_000 });
  const stops = await app.page
    .locator(
      ['[tabindex]:not([tabindex="-1"])', 'button', 'a[href]', 'input', 'select']
        .map((s) => `[aria-label="Charts"] .chart-plot ${s}`)
        .join(', '),
    )
    .count();
  expect(stops).toBe(0);
  // What the section does offer, each a control of its own with its name.
  const charts = app.page.getByRole('region', { name: 'Charts' });
  await expect(charts.getByRole('slider', { name: 'Smoothing' })).toBeEnabled();
  await expect(charts.getByRole('checkbox', { name: 'Log scale' })).toBeEnabled();
  await expect(charts.getByRole('combobox', { name: 'X axis' })).toBeEnabled();
  await expect(charts.getByRole('button', { name: 'Download CSV' })).toBeEnabled();
  await expect(charts.getByRole('button', { name: 'Show loss data' })).toBeEnabled();
  await expect(charts.getByRole('button', { name: 'Show accuracy data' })).toBeEnabled();
});

test('after Train and after Stop, focus stays on a control, not on the page', async ({ app }) => {
  await app.open();
  await app.waitForData();
  await app.setSettings({ 'Batch size': '32', Epochs: '10' });
  await app.button('Train').focus();
  await app.page.keyboard.press('Enter');
  await expect(app.button('Stop')).toBeEnabled();
  const focused = () =>
    app.page.evaluate(() => document.activeElement?.textContent ?? document.activeElement?.tagName);
  await expect.poll(focused).toMatch(/Pause|Stop/);
  await app.button('Stop').focus();
  await app.page.keyboard.press('Enter');
  await expect(app.page.getByTestId('status.run')).toHaveText('stopped');
  await expect.poll(focused).toBe('Train');
});

test('the run state is announced: it lives in a status region', async ({ app }) => {
  await app.open();
  await app.waitForData();
  await expect(app.page.getByRole('status', { name: 'Run status' })).toHaveText('not started');
});

test('without a pointer, a test digit can be read: the pad says how, and the strip works by keyboard', async ({
  app,
}) => {
  await app.open();
  await app.waitForData();
  await expect(app.page.getByLabel('Drawing pad')).toHaveAccessibleDescription(
    /No pointer\? Pick a test digit/,
  );
  const digit = app.page.getByRole('button', { name: /^Test image \d+: label/ }).first();
  await digit.focus();
  await app.page.keyboard.press('Enter');
  await expect(app.prediction()).toContainText('Prediction:');
  await expect(app.page.getByText(/Test image #\d+, label \d/)).toBeVisible();
});
