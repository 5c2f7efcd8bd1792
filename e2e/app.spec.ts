/** What people come for: click Train, watch it learn, draw a digit and see it read. */
import { expect, test } from './fixtures/fixtures';

test('train, watch, pause, resume, stop, draw, reset', async ({ app }) => {
  await app.open();
  await app.waitForData();
  // An untrained model still answers, marked as a guess.
  await app.drawOne();
  await expect(app.prediction()).toContainText('untrained');
  await app.button('Clear').click();
  await expect(app.prediction()).toContainText('No drawing');

  // Batch 64: an epoch takes ~1 s here (CPU engine, 2026-12-04), a few on a slow machine; 10 of
  // them leave the run going while it is paused, resumed and stopped below.
  await app.setSettings({ 'Batch size': '64', Epochs: '10', 'Learning rate': '0.002' });
  await app.button('Train').click();
  await expect(app.field('Batch size')).toBeDisabled();

  // The loss chart's batch count rises, again and again, before the first epoch ends.
  const seen: number[] = [];
  while (seen.length < 4) {
    const before = seen.at(-1) ?? 0;
    await expect.poll(() => app.batchCount()).toBeGreaterThan(before);
    seen.push(await app.batchCount());
  }
  expect(await app.accuracyCaption().textContent()).not.toMatch(/epoch 1/);
  expect(Number.isFinite(await app.latestLoss())).toBe(true);

  // The plot draws them: a raw and a smoothed line through many points, on a batch axis (and,
  // once measured, the train and test loss).
  const loss = app.page.getByRole('figure', { name: 'Loss chart' });
  await expect.poll(async () => (await app.plotted(loss)).lines).toBeGreaterThanOrEqual(2);
  expect((await app.plotted(loss)).points).toBeGreaterThan(20);
  expect((await app.plotted(loss)).xTicks).toBeGreaterThan(2);

  // First epoch: in-sample and out-of-sample accuracy, test above 90 %, each a point on the chart.
  await expect(app.accuracyCaption()).toContainText('epoch 1', { timeout: 120_000 });
  const caption = (await app.accuracyCaption().textContent())!;
  expect(caption).toMatch(/train \d+\.\d%/);
  expect(Number(/test (\d+\.\d)%/.exec(caption)![1])).toBeGreaterThan(90);
  const accuracy = app.page.getByRole('figure', { name: 'Accuracy chart' });
  await expect.poll(async () => (await app.plotted(accuracy)).dots).toBeGreaterThanOrEqual(2);
  // And the epoch's test loss on the loss chart.
  await expect.poll(async () => (await app.plotted(loss)).dots).toBeGreaterThanOrEqual(1);

  // Pause holds the batch count still; Resume moves it on.
  await app.button('Pause').click();
  await expect(app.button('Resume')).toBeVisible();
  // The worker says "paused" after the losses it drained at the pause: once the page shows it,
  // and the chart has drawn a frame since, no chunk is on its way.
  await expect(app.page.getByTestId('status.run')).toHaveText('paused');
  await app.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const paused = await app.batchCount();
  // An absence can only be watched for a while: a slow machine makes this pass more easily, never fail.
  await app.page.waitForTimeout(1500);
  expect(await app.batchCount()).toBe(paused);
  await app.button('Resume').click();
  await expect.poll(() => app.batchCount()).toBeGreaterThan(paused);

  // Stop ends the run; the model stays and reads drawn digits.
  await app.button('Stop').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('stopped');
  await expect(app.button('Train')).toBeEnabled();
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction: 1');
  await expect(app.prediction()).not.toContainText('untrained');
  await app.button('Clear').click();
  await app.drawZero();
  await expect(app.prediction()).toContainText('Prediction: 0');

  // Reset clears the charts and the model.
  await app.button('Reset').click();
  await expect(app.page.getByRole('figure', { name: 'Loss chart' })).not.toContainText(/batch \d+/);
  await expect(app.page.getByRole('figure', { name: 'Accuracy chart' })).not.toContainText(/epoch \d+/);
  await expect(app.prediction()).toContainText('untrained');
});

test('the Tutorial preset trains to the PyTorch tutorial accuracy', async ({ app }) => {
  test.setTimeout(30 * 60_000);
  await app.open();
  await app.waitForData();
  await expect(app.field('Batch size')).toHaveValue('10');
  await expect(app.field('Epochs')).toHaveValue('3');
  await expect(app.field('Learning rate')).toHaveValue('0.001');
  await app.button('Train').click();
  await expect.poll(() => app.batchCount(), { timeout: 120_000 }).toBeGreaterThan(1000);
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 25 * 60_000 });
  await expect(app.accuracyCaption()).toContainText('epoch 3');
  const caption = (await app.accuracyCaption().textContent())!;
  expect(Number(/test (\d+\.\d)%/.exec(caption)![1])).toBeGreaterThanOrEqual(96);
  expect(await app.batchCount()).toBe(18_000);
  await expect(app.page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
});

test('invalid settings say why and keep Train disabled', async ({ app }) => {
  await app.open();
  await app.waitForData();
  await expect(app.button('Train')).toBeEnabled();
  await app.setSettings({ 'Batch size': '0' });
  await expect(app.page.getByText('Batch size must be a whole number from 1 to 4096')).toBeVisible();
  await expect(app.button('Train')).toBeDisabled();
  await app.setSettings({ 'Batch size': '10', 'Learning rate': 'abc' });
  await expect(app.page.getByText('Learning rate must be a number above 0 and at most 1')).toBeVisible();
  await expect(app.button('Train')).toBeDisabled();
  await app.setSettings({ 'Learning rate': '0.001', Epochs: '1000' });
  await expect(app.page.getByText('Epochs must be a whole number from 1 to 100')).toBeVisible();
  await expect(app.button('Train')).toBeDisabled();
  await app.setSettings({ Epochs: '3' });
  await expect(app.button('Train')).toBeEnabled();
  // A CNN's conv layers are checked against the 28x28 image they must fit.
  await app.field('Model').selectOption('cnn');
  await app.setSettings({ 'Conv layers': '32x5, 64x5, 64x5' });
  await expect(app.page.getByText(/Conv layers shrink the image to nothing/)).toBeVisible();
  await expect(app.button('Train')).toBeDisabled();
  await app.setSettings({ 'Conv layers': '32 by 5' });
  await expect(
    app.page.getByText(/Conv layers must be 1 to 3 layers written filters x kernel/),
  ).toBeVisible();
  await app.setSettings({ 'Conv layers': '32x5, 64x5', 'Hidden layers': '' });
  await expect(app.button('Train')).toBeEnabled();
  // An MLP needs at least one hidden layer.
  await app.field('Model').selectOption('mlp');
  await expect(app.page.getByText(/Hidden layers must be 1 to 5 sizes/)).toBeVisible();
  await expect(app.button('Train')).toBeDisabled();
});

test('the Small CNN trains through the same page: live loss, accuracy, the engine named, a drawn digit read', async ({
  app,
}) => {
  test.setTimeout(10 * 60_000);
  await app.open();
  await app.waitForData();
  await app.button('Small CNN').click();
  await expect(app.field('Model')).toHaveValue('cnn');
  await expect(app.field('Conv layers')).toHaveValue('8x5, 16x5');
  await expect(app.field('Hidden layers')).toHaveValue('');
  await app.setSettings({ Epochs: '1' });
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.engine')).toContainText('(CNN 8x5, 16x5 -> 256-10)');
  await expect.poll(() => app.batchCount(), { timeout: 120_000 }).toBeGreaterThan(20);
  await expect(app.accuracyCaption()).toContainText('epoch 1', { timeout: 8 * 60_000 });
  const caption = (await app.accuracyCaption().textContent())!;
  expect(Number(/test (\d+\.\d)%/.exec(caption)![1])).toBeGreaterThan(95);
  await expect(app.page.getByTestId('status.run')).toHaveText('done');
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction: 1');
  await app.button('Clear').click();
  await app.drawZero();
  await expect(app.prediction()).toContainText('Prediction: 0');
});

test('an empty pad shows no prediction', async ({ app }) => {
  await app.open();
  await expect(app.prediction()).toContainText('No drawing');
  await expect(app.prediction()).not.toContainText('Prediction:');
});

test('a run that collapses to one digit is not just "done": the page says so, and what to try', async ({
  app,
}) => {
  test.setTimeout(3 * 60_000);
  await app.open();
  await app.waitForData();
  // Adam at a learning rate of 1: the loss stays finite, every image gets one digit.
  await app.setSettings({ 'Learning rate': '1', 'Batch size': '64', Epochs: '1' });
  await app.page.getByLabel('Optimizer', { exact: true }).selectOption('adam');
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done, collapsed to one digit', {
    timeout: 120_000,
  });
  const said = app.page.getByTestId('error.collapsed');
  await expect(said).toContainText('Training collapsed.');
  await expect(said).toContainText(/predicts \d for \d+\.\d% of the test images/);
  await expect(said).toContainText('A learning rate of 1 is likely too high for Adam: Reset and try 0.001.');
  await expect(app.page.getByTestId('error.diverged')).toHaveCount(0);
});

test('measured after every batch, the charts draw a plot’s worth of points, not one a measurement', async ({
  app,
}) => {
  test.setTimeout(3 * 60_000);
  await app.open();
  await app.waitForData();
  // Two epochs of 625 batches, each measured: 1,250 measurements, twice what a plot draws.
  await app.page.getByRole('button', { name: 'Fast', exact: true }).click();
  await app.setSettings({ 'Evaluate every': '1' });
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 150_000 });
  await expect(app.accuracyCaption()).toContainText('epoch 2 of 2');
  // The accuracy chart draws measurements only (the loss chart, a line of every batch's loss too).
  const { lines, points } = await app.plotted(app.page.getByRole('figure', { name: 'Accuracy chart' }));
  expect(lines).toBeGreaterThan(0);
  expect(points).toBeLessThanOrEqual(600);
});

test('a message does not move the drawing pad under the pen', async ({ app }) => {
  await app.open();
  await app.waitForData();
  const pad = app.page.getByLabel('Drawing pad');
  // A diverging run raises a message while the user may be drawing.
  await app.setSettings({ 'Learning rate': '1', 'Batch size': '100', 'Hidden layers': '64, 64, 64, 64, 64' });
  await app.page.getByLabel('Optimizer', { exact: true }).selectOption('momentum');
  // Measured after the settings: filling a field may scroll it into view.
  const before = (await pad.boundingBox())!;
  await app.button('Train').click();
  await expect(app.page.getByRole('alert')).toContainText(/learning rate/i, { timeout: 120_000 });
  const after = (await pad.boundingBox())!;
  expect(after.y).toBe(before.y);
  expect(after.x).toBe(before.x);
});

for (const width of [1280, 375])
  test.describe(`${width} px wide`, () => {
    test.use({ viewport: { width, height: 720 } });

    test('a run starting does not move the charts’ data links under the pointer', async ({ app }) => {
      await app.open();
      await app.waitForData();
      const links = ['Show loss data', 'Show accuracy data'].map((name) => app.button(name));
      await app.setSettings({ Epochs: '1' });
      const before = await Promise.all(links.map((l) => l.boundingBox()));
      await app.button('Train').click();
      // The captions now hold figures: the latest batch, the first measurement.
      await expect(app.accuracyCaption()).toContainText('Latest:', { timeout: 60_000 });
      await expect(app.lossCaption()).toContainText('Latest:');
      const after = await Promise.all(links.map((l) => l.boundingBox()));
      expect(after.map((b) => b!.y)).toEqual(before.map((b) => b!.y));
    });
  });

test.describe('on a 320 px wide screen', () => {
  test.use({ viewport: { width: 320, height: 640 }, hasTouch: true });

  test('nothing is wider than the screen', async ({ app }) => {
    await app.open();
    await app.waitForData();
    expect(await app.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  });
});

test.describe('on a 375 px wide phone screen', () => {
  test.use({ viewport: { width: 375, height: 740 }, hasTouch: true });

  test('every control stays usable', async ({ app }) => {
    await app.open();
    await app.waitForData();
    const width = await app.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    for (const name of ['Train', 'Pause', 'Stop', 'Reset', 'Clear']) {
      const button = app.button(name);
      await button.scrollIntoViewIfNeeded();
      await expect(button).toBeVisible();
      const box = (await button.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(375);
    }
    for (const label of ['Epochs', 'Batch size', 'Learning rate'])
      await expect(app.field(label)).toBeEditable();
    await app.page.getByLabel('Drawing pad').scrollIntoViewIfNeeded();
    await app.drawOne();
    await expect(app.prediction()).toContainText('Prediction:');
  });
});
