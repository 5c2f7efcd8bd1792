// @ts-check
/**
 * MNIST images <-> sprite sheets. A sheet is an 8-bit grayscale PNG holding up to
 * SHEET_COLS x SHEET_COLS tiles of 28x28, white digit on black exactly as in the IDX file,
 * image i at tile (row floor(i / SHEET_COLS), column i % SHEET_COLS).
 * The browser's decoder lives in src/worker/data/decodeSheet.ts and must agree with this layout.
 */
import { PNG } from 'pngjs';

export const IMAGE_SIDE = 28;
export const IMAGE_SIZE = IMAGE_SIDE * IMAGE_SIDE;
/** 100 x 28 = 2,800 px a side, far inside browser canvas limits (16,384 px). */
export const SHEET_COLS = 100;

/**
 * Lays `count` images out as tiles and encodes them as a grayscale PNG, every row unfiltered
 * (filter type 0): for MNIST's sheets that is also the smallest file (1.65 MB against 1.86 MB
 * with adaptive filters, for 10,000 images at level 9), and the browser then only inflates it.
 * @param {Uint8Array} pixels count * 784 bytes, image after image
 * @param {number} count
 * @returns {Buffer} the PNG file
 */
export function encodeSheet(pixels, count) {
  const cols = Math.min(count, SHEET_COLS);
  const rows = Math.ceil(count / SHEET_COLS);
  const width = cols * IMAGE_SIDE;
  const height = rows * IMAGE_SIDE;
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < count; i++) {
    const x0 = (i % SHEET_COLS) * IMAGE_SIDE;
    const y0 = Math.floor(i / SHEET_COLS) * IMAGE_SIDE;
    for (let y = 0; y < IMAGE_SIDE; y++) {
      const src = i * IMAGE_SIZE + y * IMAGE_SIDE;
      gray.set(pixels.subarray(src, src + IMAGE_SIDE), (y0 + y) * width + x0);
    }
  }
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(gray.buffer);
  return PNG.sync.write(png, {
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
    bitDepth: 8,
    deflateLevel: 9,
    filterType: 0,
  });
}
