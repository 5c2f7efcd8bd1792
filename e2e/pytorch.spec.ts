/**
 * A model trained here goes to PyTorch: the exported .safetensors loads into the tutorial's own
 * Net (strict names and shapes) and reads the test set as well as the page said. Needs Debian's
 * python3-torch, which `bash .ci/run` installs when it is missing.
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from './fixtures/fixtures';

test('Export for PyTorch: the tutorial Net takes the file and gives the page’s test accuracy', async ({
  app,
  runs,
}) => {
  test.setTimeout(5 * 60_000);
  await app.open();
  await app.waitForData();
  // The tutorial's architecture (784-64-64-64-10), one quick epoch.
  await app.trainUntilDone({ 'Batch size': '128', Epochs: '1' });
  const shown = await app.fullTestAccuracy();

  await runs.open();
  const exportButton = runs.button('Run 1', 'Export for PyTorch');
  await expect(exportButton).toBeEnabled();
  const [download] = await Promise.all([app.page.waitForEvent('download'), exportButton.click()]);
  expect(download.suggestedFilename()).toBe('run-1-mlp-784-64-64-64-10.safetensors');
  const file = test.info().outputPath('model.safetensors');
  await download.saveAs(file);

  const python = spawnSync('/usr/bin/python3', ['scripts/check_safetensors.py', file], { encoding: 'utf8' });
  expect(python.status, `python3 (with torch: bash .ci/run installs it) said: ${python.stderr}`).toBe(0);
  const result = JSON.parse(python.stdout);
  expect(result.tensors).toEqual({
    'fc1.weight': [64, 784],
    'fc1.bias': [64],
    'fc2.weight': [64, 64],
    'fc2.bias': [64],
    'fc3.weight': [64, 64],
    'fc3.bias': [64],
    'fc4.weight': [10, 64],
    'fc4.bias': [10],
  });
  expect(Math.abs(result.test_accuracy - shown)).toBeLessThanOrEqual(0.001);
  expect(result.metadata.run).toBe('Run 1');
});
