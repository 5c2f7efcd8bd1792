/**
 * The sprite layout written by scripts/sprites.mjs: image i of a sheet is the 28x28 tile at row
 * floor(i / columns), column i % columns. Pure functions, usable in any thread.
 */

import { IMAGE_SIDE, IMAGE_SIZE } from '../../shared/mnist';

/**
 * Copies `count` tiles out of a decoded sheet (RGBA, as getImageData returns it; the red channel
 * holds the grey level) into `out` at image `first`, image after image, 784 bytes each.
 */
export function unpackSheet(
  rgba: Uint8ClampedArray,
  sheetWidth: number,
  columns: number,
  count: number,
  out: Uint8Array,
  first: number,
): void {
  for (let i = 0; i < count; i++) {
    const x0 = (i % columns) * IMAGE_SIDE;
    const y0 = Math.floor(i / columns) * IMAGE_SIDE;
    let dst = (first + i) * IMAGE_SIZE;
    for (let y = 0; y < IMAGE_SIDE; y++) {
      let src = ((y0 + y) * sheetWidth + x0) * 4;
      for (let x = 0; x < IMAGE_SIDE; x++, src += 4) out[dst++] = rgba[src];
    }
  }
}
