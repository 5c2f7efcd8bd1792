/** Decoding one MNIST sprite sheet: on a decoder worker (decode.worker.ts) or inline. */
import { IMAGE_SIZE } from '../../shared/mnist';
import { DataError } from './dataError';
import type { Shard } from './manifest';
import { unpackSheet } from './mnistSprite';

/**
 * The images of one sprite sheet (`shard`, a PNG), 784 bytes each: decoded with createImageBitmap
 * (no colour management, no premultiplication) and read back through an OffscreenCanvas. Throws a
 * DataError naming the file when it is not the PNG the manifest describes.
 */
export async function decodeSheet(shard: Shard, png: Uint8Array, columns: number): Promise<Uint8Array> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }), {
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new DataError(
      'data-corrupt',
      `${shard.file} is not a readable PNG image. Rebuild it with npm run data.`,
    );
  }
  const rows = Math.ceil(shard.count / columns);
  const width = Math.min(shard.count, columns) * 28;
  if (bitmap.width !== width || bitmap.height !== rows * 28) {
    bitmap.close();
    throw new DataError(
      'data-corrupt',
      `${shard.file} is ${bitmap.width}x${bitmap.height} px, expected ${width}x${rows * 28}`,
    );
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const out = new Uint8Array(shard.count * IMAGE_SIZE);
  unpackSheet(data, canvas.width, columns, shard.count, out, 0);
  return out;
}
