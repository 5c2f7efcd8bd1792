/**
 * Trust on any GPU: the hand-written WebGL programs prove themselves before they train (a start-up
 * check against the CPU reference, src/engines/webgl/selfCheck.ts). A program made wrong on
 * purpose, as a miscompiling driver's would be, fails the check: the run trains with TensorFlow.js's
 * ops instead, the status line says why, and the numbers stay right.
 */
import { expect, test } from './fixtures/fixtures';

test('a faulty WebGL program fails the start-up check: training moves to TensorFlow.js and says why', async ({
  app,
}) => {
  test.setTimeout(6 * 60_000);
  await app.open('/?backend=webgl');
  await app.waitForData();
  await expect(app.page.getByTestId('status.backend')).toContainText(/^WebGL/);
  const engine = app.page.getByTestId('status.engine');
  const trainOnce = async () => {
    await app.button('Train').click();
    await expect(app.page.getByTestId('status.run')).toHaveText('done', { timeout: 240_000 });
  };
  await app.setSettings({ 'Batch size': '512', Epochs: '1' });

  // Sound programs pass, and train.
  await trainOnce();
  await expect(engine).toContainText('WebGL programs');
  await expect(engine).toContainText('passed their start-up check');
  const check = await app.page.evaluate(() => window.mnistDev!.lastCheck());
  console.log(`start-up check on SwiftShader: ${JSON.stringify(check)}`);
  expect(check!.loss).toBeLessThan(1e-4);
  expect(check!.weights).toBeLessThan(1e-5);

  // One layer's program off by a quarter: the check catches it before a step is trained.
  await app.page.evaluate(() => window.mnistDev!.injectFault('dense1'));
  await trainOnce();
  await expect(engine).toContainText('TensorFlow.js');
  await expect(engine).toContainText(
    'the WebGL programs failed their start-up check: after 3 steps of 7 images',
  );
  const caught = await app.page.evaluate(() => window.mnistDev!.lastCheck());
  console.log(`with dense1 off by a quarter: ${JSON.stringify(caught)}`);
  // The run's numbers are TensorFlow.js's, and right: one epoch at batch 512 reads most digits.
  expect(await app.fullTestAccuracy()).toBeGreaterThan(0.85);

  // A GPU whose fragment shaders have mediump floats at best: the programs are not tried.
  await app.page.evaluate(() => window.mnistDev!.injectFault('mediump'));
  await trainOnce();
  await expect(engine).toContainText('TensorFlow.js');
  await expect(engine).toContainText("this GPU's fragment shaders have 10-bit floats at best");

  // Fixed again: the programs pass and train once more.
  await app.page.evaluate(() => window.mnistDev!.injectFault(null));
  await trainOnce();
  await expect(engine).toContainText('WebGL programs');
});
