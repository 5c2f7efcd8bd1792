/**
 * The run ledger when the page is not alone or not kept: two tabs training and editing runs at
 * once, a reload mid-run, the site's data cleared while a run trains.
 */
import { expect, test } from './fixtures/fixtures';
import { AppPage } from './fixtures/fixtures';
import { RunsPage } from './fixtures/runsPage';

/** A run long enough to act on while it trains: 1,875 batches an epoch, 100 epochs. */
const LONG_RUN = { 'Batch size': '32', Epochs: '100' };

test('two tabs: runs numbered apart, renames and deletes stick, each list follows the other tab', async ({
  app,
  runs,
  context,
}) => {
  test.setTimeout(5 * 60_000);
  const other = await context.newPage();
  const b = new AppPage(other);
  const bRuns = new RunsPage(other);
  await app.open();
  await b.open();
  await app.waitForData();
  await b.waitForData();
  await app.setSettings(LONG_RUN);
  await b.setSettings(LONG_RUN);
  // B starts first, A right after: two runs begun within a second.
  await b.button('Train').click();
  await app.button('Train').click();

  await runs.open();
  await expect(runs.list().getByRole('listitem')).toHaveCount(2);
  const names = await runs
    .list()
    .getByRole('listitem')
    .evaluateAll((items) => items.map((li) => li.getAttribute('aria-label')));
  expect([...names].sort()).toEqual(['Run 1', 'Run 2']);
  // One row is this tab's run: by its id, not its name.
  const mine = runs.list().locator('[aria-current="true"]');
  await expect(mine).toHaveCount(1);
  const aName = (await mine.getAttribute('aria-label'))!;
  const bName = aName === 'Run 1' ? 'Run 2' : 'Run 1';
  await expect(runs.run(bName)).toContainText('training in another tab');

  // B stops its run, then renames A's: the rename survives A's next saves.
  await b.button('Stop').click();
  await expect(b.page.getByTestId('status.run')).toHaveText('stopped');
  await bRuns.open();
  await expect(bRuns.run(aName)).toContainText('training in another tab');
  await bRuns.rename(aName, 'renamed in B');
  // A's list follows without a reload, and A's status says so on its own run.
  await expect(runs.run('renamed in B')).toHaveAttribute('aria-current', 'true');
  // A saves at its first epoch's end (B's list follows that too): the name stays.
  await expect(bRuns.run('renamed in B')).toContainText('test ', { timeout: 120_000 });
  await expect(runs.run('renamed in B')).toContainText('test ');
  await expect(bRuns.list().getByRole('listitem')).toHaveCount(2);

  // B reloads: A's run is still training in another tab, not "stopped", and B shows its own.
  await b.page.reload();
  await b.waitForData();
  await bRuns.open();
  await expect(bRuns.run('renamed in B')).toContainText('training in another tab');
  await expect(bRuns.run(bName)).toHaveAttribute('aria-current', 'true');
  await expect(bRuns.button('renamed in B', 'Load')).toBeDisabled();

  // B deletes A's run: asked first, A stops and says why, and nothing writes it back.
  const asked: string[] = [];
  b.page.once('dialog', (d) => {
    asked.push(d.message());
    void d.accept();
  });
  await bRuns.button('renamed in B', 'Delete').click();
  await expect(bRuns.list().getByRole('listitem')).toHaveCount(1);
  expect(asked).toEqual([
    '"renamed in B" is training in another tab. Delete it? The run stops, and nothing of it is kept.',
  ]);
  await expect(app.page.getByRole('alert').filter({ hasText: 'was deleted in another tab' })).toBeVisible();
  await expect(app.page.getByTestId('status.run')).toHaveText('not started');
  await expect(runs.list().getByRole('listitem')).toHaveCount(1);
  await app.page.reload();
  await app.waitForData();
  await runs.open();
  await expect(runs.list().getByRole('listitem')).toHaveCount(1);
  await expect(runs.run(bName)).toBeVisible();
  await other.close();
});

test('a reload mid-run: the run comes back interrupted, with the model of its last epoch', async ({
  app,
  runs,
}) => {
  test.setTimeout(5 * 60_000);
  await app.open();
  await app.waitForData();
  await app.setSettings(LONG_RUN);
  await app.button('Train').click();
  await runs.open();
  // Epoch 1 ended and was saved with its weights; the run goes on into epoch 2.
  await expect(runs.run('Run 1')).toContainText('test ', { timeout: 120_000 });
  await app.tab('Train').click();
  await expect.poll(() => app.batchCount(), { timeout: 60_000 }).toBeGreaterThan(1875);

  await app.page.reload();
  await app.waitForData();
  const status = app.page.getByTestId('status.run');
  // Its model as saved at the last epoch's end (or a later save), however far the run got.
  await expect(status).toContainText(/^interrupted at batch [\d,]+: its model as saved at batch [\d,]+$/);
  const [batch, weightsAt] = [...(await status.textContent())!.matchAll(/batch ([\d,]+)/g)].map((m) =>
    Number(m[1].replace(/,/g, '')),
  );
  expect(weightsAt).toBeGreaterThanOrEqual(1875);
  expect(weightsAt).toBeLessThanOrEqual(batch);
  await expect.poll(() => app.batchCount()).toBe(batch);
  // The model of epoch 1 reads a drawing; it is not the untrained guess.
  await app.tab('Train').click();
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction: 1');
  await expect(app.prediction()).not.toContainText('untrained');
  await runs.open();
  await expect(runs.run('Run 1')).toContainText(
    `interrupted at batch ${batch.toLocaleString('en-US')} of 187,500`,
  );
});

test('site data cleared mid-run: the page says what happened and keeps recording the run', async ({
  app,
  runs,
  baseURL,
}) => {
  test.setTimeout(5 * 60_000);
  await app.open();
  await app.waitForData();
  await app.setSettings(LONG_RUN);
  await app.button('Train').click();
  await runs.open();
  await expect(runs.run('Run 1')).toContainText('training');

  // As "Clear site data" in the browser's settings does: the database goes, its connections closed.
  const cdp = await app.page.context().newCDPSession(app.page);
  await cdp.send('Storage.clearDataForOrigin', {
    origin: new URL(baseURL!).origin,
    storageTypes: 'indexeddb',
  });
  await expect(
    app.page.getByRole('alert').filter({ hasText: "This site's saved data was cleared" }),
  ).toContainText('the earlier runs are gone. The run training now is kept again, as "Run 1".');
  // Recorded again at once, and saved on at its epoch's end.
  await expect(runs.run('Run 1')).toContainText('test ', { timeout: 120_000 });
  await expect(app.page.getByRole('alert').filter({ hasText: 'could not be saved' })).toHaveCount(0);
  await app.tab('Train').click();
  await app.button('Stop').click();
  await runs.open();
  await expect(runs.run('Run 1')).toContainText('stopped');
  await app.page.reload();
  await app.waitForData();
  await runs.open();
  await expect(runs.run('Run 1')).toContainText('stopped');
});
