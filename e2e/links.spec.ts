/** The address carries the settings: a link restores them, and invalid ones are marked as typed ones are. */
import { expect, test } from './fixtures/fixtures';

test('a link restores its settings, and the address follows the form', async ({ app }) => {
  await app.open('/?batch=64&epochs=2&lr=0.002&hidden=128&tab=analysis');
  await expect(app.tab('Analysis')).toHaveAttribute('aria-selected', 'true');
  await app.tab('Train').click();
  await expect(app.field('Batch size')).toHaveValue('64');
  await expect(app.field('Epochs')).toHaveValue('2');
  await expect(app.field('Learning rate')).toHaveValue('0.002');
  await expect(app.field('Hidden layers')).toHaveValue('128');
  await app.waitForData();
  await expect(app.button('Train')).toBeEnabled();
  await app.setSettings({ 'Batch size': '32' });
  await expect(app.page).toHaveURL(/[?&]batch=32(&|$)/);
  await expect(app.page).toHaveURL(/[?&]lr=0.002(&|$)/);
  // A preset writes its own values; back to the Tutorial, the address is bare.
  await app.button('Tutorial').click();
  await expect(app.page).toHaveURL(/\/$/);
});

test('a link with invalid settings says so; each is marked with what it takes', async ({ app }) => {
  await app.open('/?batch=0&lr=fast&optimizer=magic');
  await expect(
    app.page.getByRole('status').filter({ hasText: "This link's settings have problems" }),
  ).toBeVisible();
  await expect(app.page.getByText('Batch size must be a whole number from 1 to 4096')).toBeVisible();
  await expect(app.page.getByText('Learning rate must be a number above 0 and at most 1')).toBeVisible();
  await expect(app.page.getByText(/Optimizer must be one of/)).toBeVisible();
  await app.waitForData();
  await expect(app.button('Train')).toBeDisabled();
});
