/**
 * A careless user and a flaky machine: a worker that dies silently, one that throws, one that is
 * busy while someone draws. Faults are injected through the test build's hooks (src/dev/).
 */
import { expect, test } from './fixtures/fixtures';

test.describe('the training worker fails', () => {
  // An error nothing catches is logged by the browser too.
  test.use({ allowConsole: [/injected by a test/] });

  test('a worker that dies silently mid-run is noticed, replaced, its weights restored, the run stopped', async ({
    app,
  }) => {
    await app.open();
    await app.waitForData();
    // Epochs enough that the run is still going when the worker dies (~1 s an epoch here).
    await app.setSettings({ 'Batch size': '32', Epochs: '20' });
    await app.button('Train').click();
    // Past a checkpoint of trained weights (the worker sends them every ~2 s).
    await expect.poll(() => app.batchCount(), { timeout: 60_000 }).toBeGreaterThan(2000);
    await app.page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const off = window.mnistClient!.on((m) => {
            if (m.type === 'checkpoint') {
              off();
              resolve();
            }
          });
        }),
    );
    await app.page.evaluate(() => window.mnistDev!.closeWorker());
    const alert = app.page.getByRole('alert');
    await expect(alert).toContainText('stopped answering', { timeout: 10_000 });
    await expect(alert).toContainText('weights it last saved are restored');
    await expect(app.page.getByTestId('status.run')).toHaveText('stopped');
    await app.waitForData();
    // The restored model is the trained one: it reads a drawn digit, not as an untrained guess.
    await app.drawOne();
    await expect(app.prediction()).toContainText('Prediction: 1');
    await expect(app.prediction()).not.toContainText('untrained');
    await expect(app.button('Train')).toBeEnabled();
  });

  test('an error the worker does not catch is reported as such, and training goes on', async ({ app }) => {
    await app.open();
    await app.waitForData();
    await app.setSettings({ 'Batch size': '32', Epochs: '10' });
    await app.button('Train').click();
    await expect.poll(() => app.batchCount(), { timeout: 60_000 }).toBeGreaterThan(100);
    await app.page.evaluate(() => window.mnistDev!.throwInWorker());
    await expect(app.page.getByRole('alert')).toContainText('unexpected error');
    await expect(app.page.getByRole('alert')).not.toContainText(/crash/i);
    const after = await app.batchCount();
    await expect.poll(() => app.batchCount(), { timeout: 30_000 }).toBeGreaterThan(after + 100);
    await expect(app.page.getByTestId('status.run')).toHaveText('training');
  });
});

test('a new drawing never shows the previous drawing’s answer while the worker is busy', async ({ app }) => {
  await app.open();
  await app.waitForData();
  await app.drawZero();
  await expect(app.prediction()).toContainText('Prediction:');
  const first = (await app.prediction().textContent())!;
  // Too busy to predict until the test says so (a thread blocked for a fixed 3.2 s made this test
  // depend on how fast a loaded machine draws): the page waits, then says so.
  await app.page.evaluate(() => window.mnistDev!.holdPredictions());
  await app.button('Clear').click();
  await app.drawOne();
  await expect(app.prediction()).toContainText('Reading');
  expect(await app.prediction().textContent()).not.toBe(first);
  await expect(app.prediction()).not.toContainText('Prediction:');
  await expect(app.prediction()).toContainText('has not answered', { timeout: 10_000 });
  await app.page.evaluate(() => window.mnistDev!.releasePredictions());
  // The worker answers again: the answer is for this drawing.
  await expect(app.prediction()).toContainText('Prediction:', { timeout: 20_000 });
  await expect(app.prediction()).not.toContainText('has not answered');
});

test('a batch whose step would take seconds trains in parts: Pause, a drawing and Stop are answered meanwhile', async ({
  app,
}) => {
  test.setTimeout(3 * 60_000);
  await app.open();
  await app.waitForData();
  // Measured at 2.7-3.4 s a step here (the issue that asked for this): the CPU engine trains each
  // batch in micro-batches of about 0.1 s, their gradients summed into one step (engines.test.ts).
  await app.setSettings({
    'Hidden layers': '1024, 1024, 1024, 1024, 1024',
    'Batch size': '4096',
    Epochs: '1',
  });
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('training', { timeout: 60_000 });
  await app.button('Pause').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('paused');
  // The worker answers while paused within a batch: the drawing is read.
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction:');
  await app.button('Resume').click();
  // A whole batch of 4,096 trains: its loss arrives.
  await expect.poll(() => app.batchCount(), { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  await app.button('Stop').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('stopped');
  await expect(app.page.getByRole('alert')).toHaveCount(0);
});
