/**
 * Screenshots of the page as a user sees it after training, with a digit drawn, on a laptop and a
 * phone, saved to screenshots/ for people to look at (they are not compared pixel by pixel).
 */
import { expect, test } from './fixtures/fixtures';

for (const [name, viewport] of [
  ['desktop', { width: 1440, height: 960 }],
  ['phone', { width: 375, height: 812 }],
] as const) {
  test(`after training, with a digit drawn (${name})`, async ({ app }) => {
    await app.page.setViewportSize(viewport);
    await app.open();
    await app.waitForData();
    await app.setSettings({ 'Batch size': '128', Epochs: '2', 'Learning rate': '0.003' });
    await app.button('Train').click();
    await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 180_000 });
    await app.page.getByLabel('Drawing pad').scrollIntoViewIfNeeded();
    await app.draw([
      [0.3, 0.2],
      [0.7, 0.2],
      [0.45, 0.85],
    ]);
    await expect(app.prediction()).toContainText('Prediction: 7');
    await app.page.evaluate(() => window.scrollTo(0, 0));
    await app.page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
  });
}

test('the Small CNN after one epoch, with a digit drawn (desktop)', async ({ app }) => {
  await app.page.setViewportSize({ width: 1440, height: 960 });
  await app.open();
  await app.waitForData();
  await app.button('Small CNN').click();
  await app.setSettings({ Epochs: '1' });
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 300_000 });
  await app.draw([
    [0.3, 0.2],
    [0.7, 0.2],
    [0.45, 0.85],
  ]);
  await expect(app.prediction()).toContainText('Prediction: 7');
  await app.page.screenshot({ path: 'screenshots/small-cnn.png', fullPage: true });
});
