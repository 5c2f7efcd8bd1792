/** Runs that last: kept in IndexedDB as they train, back after a reload, listed, renamed, deleted. */
import { expect, test, type AppPage } from './fixtures/fixtures';
import type { RunsPage } from './fixtures/runsPage';

/** Trains Run 1, one epoch at `batchSize`, and opens the Runs tab once it is saved, accuracy and all. */
async function savedRun(app: AppPage, runs: RunsPage, batchSize: string) {
  await app.trainUntilDone({ 'Batch size': batchSize, Epochs: '1' });
  await runs.open();
  await expect(runs.run('Run 1')).toContainText(/test \d+\.\d+%/);
}

test('a trained run is back after a reload: its curves, its model, and its place in the Runs list', async ({
  app,
  runs,
}) => {
  test.setTimeout(5 * 60_000);
  await app.open();
  await app.waitForData();
  await app.trainUntilDone({ 'Batch size': '128', Epochs: '1' });
  const caption = (await app.accuracyCaption().textContent())!;
  expect(caption).toContain('Latest: epoch 1 of 1');

  // The final weights are saved after "done": the Runs list shows the run's test accuracy then.
  await runs.open();
  // The caption gives one decimal, the list two: the same figure, within the caption's rounding.
  const test1 = Number(/test (\d+\.\d)%/.exec(caption)![1]);
  await expect
    .poll(async () => {
      const text = (await runs.run('Run 1').textContent()) ?? '';
      const listed = /test (\d+\.\d+)%/.exec(text);
      return listed ? Math.abs(Number(listed[1]) - test1) : Infinity;
    })
    .toBeLessThanOrEqual(0.05 + 1e-9);
  await expect(app.page.getByTestId('runs.storage')).toContainText('stored of');

  await app.page.reload();
  await app.waitForData();
  await expect(app.tab('Runs')).toHaveAttribute('aria-selected', 'true');
  await app.tab('Train').click();
  // The run as it ended: done, not cut short.
  await expect(app.page.getByTestId('status.run')).toHaveText('done');
  // The curves: every batch and the same measurements, the same caption.
  await expect.poll(() => app.batchCount()).toBe(469);
  await expect(app.accuracyCaption()).toHaveText(caption);
  // The model: a drawn digit is read by the trained weights, not guessed.
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction: 1');
  await expect(app.prediction()).not.toContainText('untrained');

  // Rename, a second run, delete one.
  await runs.open();
  await runs.rename('Run 1', 'batch 128, one epoch');
  await expect(runs.run('batch 128, one epoch')).toBeVisible();
  await app.tab('Train').click();
  await app.setSettings({ 'Batch size': '256' });
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 120_000 });
  await runs.open();
  await expect(runs.list().getByRole('listitem')).toHaveCount(2);
  await expect(runs.list().getByRole('listitem').first()).toHaveAccessibleName('Run 2');
  // Load the first run again: its curves come back.
  await runs.button('batch 128, one epoch', 'Load').click();
  await app.tab('Train').click();
  await expect.poll(() => app.batchCount()).toBe(469);
  await runs.open();
  await runs.button('Run 2', 'Delete').click();
  await expect(runs.list().getByRole('listitem')).toHaveCount(1);
  await runs.deleteAll();
  await expect(runs.noRuns()).toBeVisible();
});

test('a full disk: the run is not saved, the page says so, and the earlier runs are kept', async ({
  app,
  runs,
}) => {
  test.setTimeout(5 * 60_000);
  // A full disk, simulated: once the test says so, IndexedDB refuses every write as a browser
  // over its quota does (a QuotaExceededError).
  await app.page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args: Parameters<typeof put>) {
      if ((window as { diskFull?: boolean }).diskFull)
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await app.open();
  await app.waitForData();
  await savedRun(app, runs, '256');

  await app.page.evaluate(() => ((window as { diskFull?: boolean }).diskFull = true));
  await app.tab('Train').click();
  await app.setSettings({ 'Batch size': '512' });
  await app.button('Train').click();
  await expect(app.page.getByRole('alert')).toContainText('storage is full', { timeout: 120_000 });
  await expect(app.page.getByRole('alert')).toContainText('Your earlier runs are kept');
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 120_000 });
  await runs.open();
  await expect(runs.list().getByRole('listitem')).toHaveCount(1);
  await expect(runs.run('Run 1')).toContainText('test ');
  // And a reload brings back the run that was saved, whole.
  await app.page.reload();
  await app.waitForData();
  await app.tab('Train').click();
  await expect.poll(() => app.batchCount()).toBe(235);
});

test('two runs compared: both on the loss and accuracy charts in their colours, their settings side by side', async ({
  app,
  runs,
}) => {
  test.setTimeout(5 * 60_000);
  await app.open();
  await app.waitForData();
  for (const batch of ['256', '512']) await app.trainUntilDone({ 'Batch size': batch, Epochs: '1' });
  await runs.open();
  await expect(runs.run('Run 2')).toContainText('test ');
  for (const name of ['Run 1', 'Run 2']) await runs.compare(name).check();
  const figure = runs.comparison();
  await expect(runs.comparedRuns().locator('thead th')).toHaveText(['Setting', 'Run 1', 'Run 2']);
  const row = (label: string) => runs.comparedRuns().locator('tbody tr').filter({ hasText: label });
  await expect(row('Batch size')).toContainText('(differs)');
  await expect(row('Batch size').locator('td')).toHaveText(['256', '512']);
  await expect(row('Learning rate')).not.toContainText('(differs)');
  // One line a run in each chart, each run in one colour in both, as the legend shows it.
  const strokes = await figure.evaluate((f) =>
    [...f.querySelectorAll('.comparison-plot')].map((p) =>
      [...p.querySelectorAll('svg path[fill="none"]')]
        .filter((e) => (e.getAttribute('d') ?? '').length > 0)
        .map((e) => e.getAttribute('stroke')),
    ),
  );
  expect(strokes).toHaveLength(2);
  expect(strokes[0]).toHaveLength(2);
  expect(strokes[1]).toEqual(strokes[0]);
  expect(new Set(strokes[0]).size).toBe(2);
  // Unticked, a run leaves the comparison.
  await runs.compare('Run 1').uncheck();
  await expect(runs.comparedRuns().locator('thead th')).toHaveText(['Setting', 'Run 2']);
});

test('a run loaded after a reload is analysed digit by digit and trained further from its weights', async ({
  app,
  analysis,
  runs,
}) => {
  test.setTimeout(6 * 60_000);
  await app.open();
  await app.waitForData();
  await app.trainUntilDone({ 'Batch size': '128', Epochs: '1' });
  const accuracy = await app.fullTestAccuracy();
  const accuracyData = app.page.getByRole('table', { name: 'Accuracy data' });
  const firstTest = async () =>
    Number(
      (await accuracyData.locator('tbody tr').first().locator('td').nth(6).textContent())!.replace('%', ''),
    );
  const freshStart = await firstTest();

  await app.page.reload();
  await app.waitForData();
  // Its mistakes: the saved weights are measured again, and match the run's last epoch.
  await analysis.open();
  const summary = analysis.summary();
  await expect(summary).toContainText("Run 1's model, measured now", { timeout: 60_000 });
  await expect(summary).toContainText(`${(accuracy * 100).toFixed(2)}%`);
  await expect(analysis.mostConfidentMistakes().getByRole('listitem')).toHaveCount(24);
  const cell = analysis.matrix().getByRole('button').first();
  const [, n, t, p] = /^(\d+): true (\d), predicted (\d)$/.exec((await cell.getAttribute('aria-label'))!)!;
  await cell.click();
  await expect(analysis.mistakes(t, p).getByRole('listitem')).toHaveCount(Math.min(Number(n), 60));

  // Trained further: the new run starts where Run 1 ended, not from fresh weights.
  await app.tab('Train').click();
  const further = app.page.getByRole('checkbox', { name: 'Continue training the current model' });
  await further.check();
  await expect(app.page.getByText("Train goes on from Run 1's weights")).toBeVisible();
  await app.button('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 120_000 });
  await app.fullTestAccuracy();
  const continuedStart = await firstTest();
  expect(continuedStart).toBeGreaterThan(Math.max(85, freshStart));
  await runs.open();
  await expect(runs.run('Run 2')).toContainText('continued from Run 1');
});

test('a run saved before its weights were kept as a Blob (an array in the record) still loads', async ({
  app,
  runs,
}) => {
  test.setTimeout(3 * 60_000);
  await app.open();
  await app.waitForData();
  await savedRun(app, runs, '256');
  // The record rewritten as the earlier version wrote it: the weights a Float32Array.
  const rewritten = await app.page.evaluate(async () => {
    const request = (r: IDBRequest) =>
      new Promise<unknown>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const db = (await request(indexedDB.open('mnist-studio'))) as IDBDatabase;
    const [record] = (await request(db.transaction('data').objectStore('data').getAll())) as {
      weights: { params: Blob | Float32Array };
    }[];
    const wasBlob = record.weights.params instanceof Blob;
    record.weights.params = new Float32Array(await (record.weights.params as Blob).arrayBuffer());
    await request(db.transaction('data', 'readwrite').objectStore('data').put(record));
    db.close();
    return { wasBlob, length: record.weights.params.length };
  });
  expect(rewritten).toEqual({
    wasBlob: true,
    length: 784 * 64 + 64 + 64 * 64 + 64 + 64 * 64 + 64 + 64 * 10 + 10,
  });

  await app.page.reload();
  await app.waitForData();
  await app.tab('Train').click();
  await expect(app.page.getByTestId('status.run')).toHaveText('done');
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction: 1');
  await expect(app.prediction()).not.toContainText('untrained');
});

test('deleting the run that trains asks first, stops it, and nothing writes it back', async ({
  app,
  runs,
}) => {
  await app.open();
  await app.waitForData();
  await app.setSettings({ 'Batch size': '32', Epochs: '20' });
  await app.button('Train').click();
  await runs.open();
  // Kept as it trains (its first save comes with its first epoch's end).
  await expect(runs.run('Run 1')).toContainText('training', { timeout: 120_000 });
  const asked: string[] = [];
  app.page.once('dialog', (d) => {
    asked.push(d.message());
    void d.accept();
  });
  await runs.button('Run 1', 'Delete').click();
  await expect(runs.noRuns()).toBeVisible();
  expect(asked).toEqual(['"Run 1" is training. Delete it? The run stops, and nothing of it is kept.']);
  await expect(app.page.getByTestId('status.run')).toHaveText('not started');
  // Nothing offers the deleted run to train further, and nothing brings it back, even a reload.
  await app.tab('Train').click();
  await expect(
    app.page.getByRole('checkbox', { name: 'Continue training the current model' }),
  ).toBeDisabled();
  await app.page.reload();
  await app.waitForData();
  await runs.open();
  await expect(runs.noRuns()).toBeVisible();
});

test('narrow screens: compared runs and a long name stay on screen; focus stays put; compare ticks follow the list', async ({
  app,
  runs,
}) => {
  test.setTimeout(3 * 60_000);
  await app.open();
  await app.waitForData();
  await savedRun(app, runs, '512');
  // Five more runs, copies of the first as the ledger keeps them: six in all, one more than
  // Compare takes.
  await app.page.evaluate(async () => {
    const request = <T>(r: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const db = await request(indexedDB.open('mnist-studio'));
    const tx = db.transaction(['runs', 'data'], 'readwrite');
    const [run] = (await request(tx.objectStore('runs').getAll())) as { id: string; createdAt: number }[];
    const [data] = (await request(tx.objectStore('data').getAll())) as { id: string }[];
    for (let n = 2; n <= 6; n++) {
      const id = `copy-${n}`;
      tx.objectStore('runs').put({ ...run, id, number: n, name: `Run ${n}`, createdAt: run.createdAt + n });
      tx.objectStore('data').put({ ...data, id });
    }
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  });
  await app.page.reload();
  await app.waitForData();
  await runs.open();
  await expect(runs.list().getByRole('listitem')).toHaveCount(6);

  // Save name keeps the focus on the run: on its Rename button.
  const long = 'A run with a name as long as the field allows, eighty characters of it, for sure';
  expect(long).toHaveLength(80);
  await runs.rename('Run 1', long);
  await expect(runs.button(long, 'Rename')).toBeFocused();

  // Five ticked: the sixth cannot be.
  for (const name of [long, 'Run 2', 'Run 3', 'Run 4', 'Run 5']) await runs.compare(name).check();
  await expect(runs.compare('Run 6')).toBeDisabled();
  await expect(runs.comparedRuns().locator('thead th')).toHaveCount(6);

  // Leaving the tab and coming back keeps them.
  await app.tab('Train').click();
  await runs.open();
  await expect(runs.compare('Run 2')).toBeChecked();
  await expect(runs.comparedRuns().locator('thead th')).toHaveCount(6);

  // Deleting a ticked run frees its place; the focus moves to the run after it.
  await runs.button('Run 3', 'Delete').click();
  await expect(runs.list().getByRole('listitem')).toHaveCount(5);
  await expect(runs.run('Run 2')).toBeFocused();
  await expect(runs.compare('Run 6')).toBeEnabled();
  await expect(runs.comparedRuns().locator('thead th')).toHaveCount(5);

  // On a phone, nothing is wider than the screen: the long name wraps, every button can be reached.
  for (const width of [320, 375, 414]) {
    await app.page.setViewportSize({ width, height: 800 });
    // The charts take the new width when the browser has laid the page out again.
    await expect
      .poll(() => app.page.evaluate(() => document.documentElement.scrollWidth), {
        message: `page width at ${width} px`,
      })
      .toBeLessThanOrEqual(width);
    for (const button of ['Delete', 'Export for PyTorch', 'Download CSV']) {
      const box = (await runs.button(long, button).boundingBox())!;
      expect(box.x + box.width, `${button} at ${width} px`).toBeLessThanOrEqual(width);
    }
  }
});
