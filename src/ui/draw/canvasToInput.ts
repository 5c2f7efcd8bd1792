/**
 * Turns a drawing into the 28x28 image the model expects, made the way MNIST was made
 * (LeCun et al.): crop to the ink's bounding box, scale it to fit a 20x20 box keeping its aspect
 * ratio with anti-aliased (area-averaged) grey levels, then place it in a 28x28 field so that its
 * centre of mass sits at the centre. White ink on black, values 0..1, row-major.
 *
 * Pure and DOM-free so it runs in tests, on the page and in a worker alike.
 *
 * Centre convention: pixel (row r, column c) has coordinates (x = c, y = r), i.e. pixel indices,
 * not pixel-area centres. In that convention the 60,000 MNIST training digits have a mean centre
 * of mass of (14.007, 13.996) with 90% of them within 14 +/- 0.45, which is what an integer shift
 * to (14, 14) produces. So we shift by whole pixels to put the centre of mass at index (14, 14)
 * (within half a pixel, from the rounding), and never resample a second time, which would blur.
 */

import { IMAGE_SIDE, IMAGE_SIZE } from '../../shared/mnist';

/** Side of the box the digit is scaled to fit, as in MNIST. */
export const DIGIT_BOX = 20;

/** Where the centre of mass goes, in pixel-index coordinates (see the module comment). */
export const CENTRE_OF_MASS_TARGET = 14;

/**
 * The shape of an `ImageData` (which satisfies it): RGBA bytes, row-major. The red channel is read
 * as the ink level, so the canvas must be drawn white (or grey) on black.
 */
export interface RgbaImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

/** A point in pixel-index coordinates. */
export interface Point {
  x: number;
  y: number;
}

/**
 * Preprocesses a canvas read back with `getImageData`: 784 floats 0..1, white digit on black,
 * row-major, centred like MNIST. Returns null when nothing has been drawn.
 */
export function canvasToInput(image: RgbaImage): Float32Array | null {
  return preprocess(image.data, image.width, image.height, 4, 1 / 255);
}

/**
 * Same as `canvasToInput` for a one-channel image of ink levels 0..1 (`width * height` values,
 * row-major). Returns null when there is no ink.
 */
export function inkToInput(ink: ArrayLike<number>, width: number, height: number): Float32Array | null {
  return preprocess(ink, width, height, 1, 1);
}

/**
 * Intensity-weighted centre of mass of a `width` x `height` row-major image, in pixel-index
 * coordinates; null when the image is all zero.
 */
export function centreOfMass(pixels: ArrayLike<number>, width: number, height: number): Point | null {
  let mass = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = pixels[y * width + x];
      mass += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return mass > 0 ? { x: sx / mass, y: sy / mass } : null;
}

/** One output pixel's footprint along one axis: source indices first.. with their weights. */
interface Footprint {
  first: number;
  weights: number[];
}

/**
 * Area-averaging weights for scaling `srcLength` pixels by `scale` into `targetLength` pixels.
 * Output pixel u covers source interval [u / scale, (u + 1) / scale); each source pixel counts by
 * the length of its overlap, times `scale`, so a fully inked footprint gives exactly 1. The last
 * output pixel may reach past the source: that part counts as no ink, which is the anti-aliased
 * edge of the digit's narrow side.
 */
function footprints(srcLength: number, targetLength: number, scale: number): Footprint[] {
  const result: Footprint[] = [];
  for (let u = 0; u < targetLength; u++) {
    const a = u / scale;
    const b = Math.min((u + 1) / scale, srcLength);
    const first = Math.floor(a);
    const weights: number[] = [];
    for (let x = first; x < b; x++) {
      weights.push((Math.min(b, x + 1) - Math.max(a, x)) * scale);
    }
    result.push({ first, weights });
  }
  return result;
}

/** Value of the pixel at index i is src[i * stride] * unit. */
function preprocess(
  src: ArrayLike<number>,
  width: number,
  height: number,
  stride: number,
  unit: number,
): Float32Array | null {
  // 1. Bounding box of every inked pixel. Anti-aliased fringes count: they are part of the stroke.
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    let row = y * width * stride;
    for (let x = 0; x < width; x++, row += stride) {
      if (src[row] > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const boxW = x1 - x0 + 1;
  const boxH = y1 - y0 + 1;

  // 2. Scale so the longer side is exactly DIGIT_BOX. The epsilon keeps 20.000000001 from
  // becoming a 21st column.
  const scale = DIGIT_BOX / Math.max(boxW, boxH);
  const outW = Math.min(DIGIT_BOX, Math.ceil(boxW * scale - 1e-9));
  const outH = Math.min(DIGIT_BOX, Math.ceil(boxH * scale - 1e-9));
  const cols = footprints(boxW, outW, scale);
  const rows = footprints(boxH, outH, scale);

  // Separable box filter: rows first (boxH x outW), then columns (outH x outW).
  const wide = new Float64Array(boxH * outW);
  for (let y = 0; y < boxH; y++) {
    const rowStart = ((y0 + y) * width + x0) * stride;
    for (let u = 0; u < outW; u++) {
      const { first, weights } = cols[u];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += src[rowStart + (first + k) * stride] * weights[k];
      wide[y * outW + u] = sum * unit;
    }
  }
  const digit = new Float64Array(outH * outW);
  let peak = 0;
  for (let v = 0; v < outH; v++) {
    const { first, weights } = rows[v];
    for (let u = 0; u < outW; u++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += wide[(first + k) * outW + u] * weights[k];
      digit[v * outW + u] = sum;
      if (sum > peak) peak = sum;
    }
  }

  // 3. Stretch so the brightest pixel is 1: every MNIST training image peaks at 254 or 255, and
  // a thin or light stroke would otherwise reach the model fainter than anything it trained on.
  if (peak <= 0) return null;
  for (let i = 0; i < digit.length; i++) digit[i] /= peak;

  // 4. Whole-pixel shift putting the centre of mass at (14, 14). A digit whose mass sits at one
  // edge of its box can be pushed past the frame; like MNIST, we clip rather than un-centre it.
  const com = centreOfMass(digit, outW, outH);
  if (!com) return null;
  const dx = Math.round(CENTRE_OF_MASS_TARGET - com.x);
  const dy = Math.round(CENTRE_OF_MASS_TARGET - com.y);
  const out = new Float32Array(IMAGE_SIZE);
  for (let v = 0; v < outH; v++) {
    const ty = v + dy;
    if (ty < 0 || ty >= IMAGE_SIDE) continue;
    for (let u = 0; u < outW; u++) {
      const tx = u + dx;
      if (tx < 0 || tx >= IMAGE_SIDE) continue;
      out[ty * IMAGE_SIDE + tx] = digit[v * outW + u];
    }
  }
  return out;
}
