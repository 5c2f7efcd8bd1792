/**
 * The browser's sheet decoder (DecompressionStream is in Node too) against the build's encoder,
 * on real MNIST images: the bytes come back exactly, whatever PNG row filters were used, and a
 * file that is not such a PNG is refused naming the file and the fault.
 */
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { encodeSheet } from '../../../scripts/sprites.mjs';
import { IMAGE_SIZE } from '../../shared/mnist';
import { loadMnistSubset } from '../../test/fixtures/mnist';
import { decodeSheet, SheetReader } from './decodeSheet';
import type { Shard } from './manifest';

const test = loadMnistSubset(0, 10000).test;
const shard = (count: number): Shard => ({ file: 'test-0.png', bytes: 0, sha256: '', first: 0, count });
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The sheet of `count` test images re-encoded with PNG filter `filterType` (-1: adaptive). */
function reencoded(count: number, filterType: number): Uint8Array {
  const png = PNG.sync.read(Buffer.from(encodeSheet(test.images.subarray(0, count * IMAGE_SIZE), count)));
  return PNG.sync.write(png, { colorType: 0, inputColorType: 6, bitDepth: 8, filterType });
}

describe('decodeSheet', () => {
  it('gives back the 10,000 images of a sheet the build writes, byte for byte', async () => {
    const png = encodeSheet(test.images, 10000);
    expect(same(await decodeSheet(shard(10000), png, 100), test.images)).toBe(true);
  });

  it('writes into the place it is given, in shared memory too, and nowhere else', async () => {
    const png = encodeSheet(test.images.subarray(0, 250 * IMAGE_SIZE), 250);
    const all = new Uint8Array(new SharedArrayBuffer(260 * IMAGE_SIZE)).fill(7);
    const into = all.subarray(5 * IMAGE_SIZE, 255 * IMAGE_SIZE);
    expect(await decodeSheet(shard(250), png, 100, into)).toBe(into);
    expect(same(into, test.images.subarray(0, 250 * IMAGE_SIZE))).toBe(true);
    expect(all.subarray(0, 5 * IMAGE_SIZE).every((v) => v === 7)).toBe(true);
    expect(all.subarray(255 * IMAGE_SIZE).every((v) => v === 7)).toBe(true);
  });

  it('reads a sheet as its bytes arrive, in pieces of any size, to the same images', async () => {
    for (const [count, sizes] of [
      [30, [1]],
      [1000, [7, 13, 1]],
      [1000, [4096]],
      [1000, [65536, 3]],
    ] as const) {
      const png = encodeSheet(test.images.subarray(0, count * IMAGE_SIZE), count);
      const reader = new SheetReader(shard(count), 100);
      for (let at = 0, i = 0; at < png.length; at += sizes[i++ % sizes.length])
        reader.push(png.slice(at, at + sizes[i % sizes.length]));
      expect(same(await reader.end(), test.images.subarray(0, count * IMAGE_SIZE)), `${sizes}`).toBe(true);
    }
  });

  it('reads a partial last row of tiles, and every PNG row filter', async () => {
    for (const filterType of [-1, 1, 2, 3, 4]) {
      const images = await decodeSheet(shard(123), reencoded(123, filterType), 100);
      expect(same(images, test.images.subarray(0, 123 * IMAGE_SIZE)), `filter ${filterType}`).toBe(true);
    }
  });

  it('refuses what is not such a PNG, naming the file and the fault', async () => {
    const png = encodeSheet(test.images.subarray(0, 200 * IMAGE_SIZE), 200);
    const refused = (bytes: Uint8Array, count = 200) => decodeSheet(shard(count), bytes, 100);
    await expect(refused(new TextEncoder().encode('<html>not found</html>'))).rejects.toThrow(
      /test-0.png is not a readable PNG image \(no PNG signature\)/,
    );
    await expect(refused(png.subarray(0, png.length >> 1))).rejects.toThrow(/test-0.png .*runs past the end/);
    await expect(refused(png, 300)).rejects.toThrow(/test-0.png is 2800x56 px, expected 2800x84/);
    // Pixel data that is not a zlib stream: its bytes scrambled inside an intact chunk.
    const scrambled = Uint8Array.from(png);
    for (let i = 45; i < 200; i++) scrambled[i] ^= 0x5a;
    await expect(refused(scrambled)).rejects.toThrow(/test-0.png is not a readable PNG image/);
    // Cut short at any point, piece by piece: refused, naming the fault.
    for (const cut of [5, 20, 40, png.length - 10, png.length - 1]) {
      const reader = new SheetReader(shard(200), 100);
      for (let at = 0; at < cut; at += 9) reader.push(png.slice(at, Math.min(cut, at + 9)));
      await expect(reader.end(), `cut at ${cut}`).rejects.toThrow(
        /test-0.png is not a readable PNG image \((no PNG signature|it ends inside a chunk|its I\w+ chunk runs past the end)\)/,
      );
    }
    // An RGBA PNG of the right size.
    const rgba = PNG.sync.write(PNG.sync.read(Buffer.from(png)));
    await expect(refused(rgba)).rejects.toThrow(/colour type 6: not 8-bit grey/);
  });
});
