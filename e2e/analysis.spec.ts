/**
 * Training over time and where the model errs, tried as a new user would: the Tutorial preset
 * (one epoch), two curves rising within it, the numbers behind the charts, the confusion matrix
 * and the digits of its biggest mistake; every table checked against the others.
 */
import { readFile } from 'node:fs/promises';
import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures/fixtures';

/** The cells of a table's body, row by row, as text. */
async function cells(table: Locator): Promise<string[][]> {
  return table
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())),
    );
}

test('measured curves within the first epoch, their data, the matrix and its mistakes agree', async ({
  app,
  analysis,
}) => {
  test.setTimeout(15 * 60_000);
  await app.open();
  await app.waitForData();
  await app.setSettings({ Epochs: '1' });
  await expect(app.page.getByRole('spinbutton', { name: 'Evaluate every' })).toHaveAttribute(
    'placeholder',
    'auto (300)',
  );
  await app.button('Train').click();

  // Within the first epoch: measurements every 300 batches, train and test, rising.
  const accuracy = app.page.getByRole('figure', { name: 'Accuracy chart' });
  await app.button('Show accuracy data').click();
  const accuracyData = app.page.getByRole('table', { name: 'Accuracy data' });
  await expect
    .poll(async () => (await cells(accuracyData)).length, { timeout: 120_000 })
    .toBeGreaterThanOrEqual(4);
  const early = await cells(accuracyData);
  expect(early.every((r) => r[7] === '1000 + 1000')).toBe(true);
  expect(early.map((r) => Number(r[0]))).toEqual(early.map((_, i) => (i + 1) * 300));
  const testAcc = (r: string[]) => Number(r[6].replace('%', ''));
  expect(testAcc(early.at(-1)!)).toBeGreaterThan(testAcc(early[0]));
  expect(await app.accuracyCaption().textContent()).toMatch(/^Latest: batch [\d,]+ \(0\.\d+ epochs\), train/);
  // Two lines (and their faint raw values beneath): train and test.
  expect((await app.plotted(accuracy)).lines).toBeGreaterThanOrEqual(2);

  await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 10 * 60_000 });
  const rows = await cells(accuracyData);
  expect(rows).toHaveLength(20); // 19 on slices, then the epoch's end on all images
  const end = rows.at(-1)!;
  expect(end[7]).toBe('all (60000 + 10000)');
  const caption = (await app.accuracyCaption().textContent())!;
  expect(caption).toContain('Latest: epoch 1 of 1');
  expect(caption).toContain(`test ${testAcc(end).toFixed(1)}%`);
  expect(testAcc(end)).toBeGreaterThan(93);

  // The loss table has the same rows; its train and test loss fall.
  await app.button('Show loss data').click();
  const lossRows = await cells(app.page.getByRole('table', { name: 'Loss data' }));
  expect(lossRows).toEqual(rows);
  expect(Number(end[5])).toBeLessThan(Number(rows[0][5]));

  // The chart view: log scale, epochs on the x axis, smoothing; kept across a reload.
  await app.page.getByRole('checkbox', { name: 'Log scale' }).check();
  await app.page.getByRole('combobox', { name: 'X axis' }).selectOption('epochs');
  await app.page.getByRole('slider', { name: 'Smoothing' }).fill('0.5');
  const loss = app.page.getByRole('figure', { name: 'Loss chart' });
  await expect(loss.locator('svg').first()).toContainText('epoch');

  // The full log as CSV: every batch, every measurement.
  const [download] = await Promise.all([
    app.page.waitForEvent('download'),
    app.button('Download CSV').click(),
  ]);
  const csv = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\n');
  expect(csv).toHaveLength(1 + 6000 + 20);
  expect(csv.filter((l) => l.split(',')[1] === 'epoch')[0]).toContain(',60000,10000');

  // The Analysis tab, named in the address.
  await analysis.open();
  await expect(app.page).toHaveURL(/[?&]tab=analysis(&|$)/);
  const matrix = analysis.matrix();
  await expect(matrix.locator('thead th')).toHaveText(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  await expect(matrix.locator('tbody th')).toHaveText(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const counts = (await cells(matrix)).map((r) => r.slice(1).map(Number));
  expect(counts.flat()).toHaveLength(100);
  expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(10_000);
  const diagonal = counts.reduce((n, r, i) => n + r[i], 0);
  // The diagonal over 10,000 is the test accuracy the page shows.
  expect(((diagonal / 10_000) * 100).toFixed(2)).toBe(testAcc(end).toFixed(2));
  await expect(analysis.summary()).toContainText(`${(diagonal / 100).toFixed(2)}%`);

  // The biggest off-diagonal cell opens its digits, most confident first.
  let best = { t: 0, p: 1, n: -1 };
  counts.forEach((r, t) => r.forEach((n, p) => t !== p && n > best.n && (best = { t, p, n })));
  const cell = matrix.getByRole('button', { name: `${best.n}: true ${best.t}, predicted ${best.p}` });
  await cell.click();
  await expect(cell).toHaveAttribute('aria-pressed', 'true');
  const list = analysis.mistakes(best.t, best.p);
  await expect(list.getByRole('listitem')).toHaveCount(Math.min(best.n, 60));
  await expect(list.getByRole('listitem').first()).toContainText(`is ${best.t}`);
  await expect(list.getByRole('img').first()).toBeVisible();
  const sure = (await list.getByRole('listitem').allTextContents()).map((t) =>
    Number(/ at (\d+\.\d)%/.exec(t)![1]),
  );
  expect(sure).toEqual([...sure].sort((a, b) => b - a));

  // Row percentages: each row sums to 100.
  await app.page.getByRole('radio', { name: 'Row %' }).check();
  const percents = (await cells(matrix)).map((r) => r.slice(1).map((c) => Number(c.replace('%', ''))));
  for (const r of percents) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);

  // The most confident mistakes, and the model as print(net) shows it.
  await expect(analysis.mostConfidentMistakes().getByRole('listitem')).toHaveCount(24);
  const summary = app.page.getByRole('table', { name: 'Model summary' });
  await expect(summary).toContainText('Linear(in_features=784, out_features=64, bias=True)');
  await expect(summary.locator('tfoot')).toContainText('59,210');

  // The keyboard moves between tabs; the address and a reload keep the one open.
  await app.tab('Analysis').focus();
  await app.page.keyboard.press('ArrowLeft');
  await expect(app.tab('Train')).toHaveAttribute('aria-selected', 'true');
  await expect(app.page).not.toHaveURL(/tab=/);
  await app.page.goBack();
  await expect(app.tab('Analysis')).toHaveAttribute('aria-selected', 'true');
  await app.page.reload();
  await expect(app.tab('Analysis')).toHaveAttribute('aria-selected', 'true');
  await app.tab('Train').click();
  await expect(app.page.getByRole('checkbox', { name: 'Log scale' })).toBeChecked();
  await expect(app.page.getByRole('combobox', { name: 'X axis' })).toHaveValue('epochs');
});

test('a link to a tab that does not exist says so and opens Train', async ({ app }) => {
  await app.open('/?tab=weights');
  await expect(
    app.page.getByText(/The link asks for a tab "weights" that this page does not have/),
  ).toBeVisible();
  await expect(app.tab('Train')).toHaveAttribute('aria-selected', 'true');
  await expect(app.button('Train')).toBeVisible();
});
