/**
 * MNIST images as their nonzero pixels only (~20 % of them), the input format of mlp.ts:
 * layer 1 then touches only the rows of W1 that a pixel actually lights. Pure.
 */
import type { MnistData } from '../../shared/mnist';
import { IMAGE_SIZE } from '../../shared/mnist';
import type { ResidentData } from '../data';

/** byte -> byte / 255 as float32, exactly what bytesToUnit stores. */
export const UNIT = Float32Array.from({ length: 256 }, (_, b) => b / 255);

/**
 * Images with only their nonzero pixels (CSR): image r's are index/value[start[r] .. start[r + 1]).
 * The whole training set is ~146 nonzero pixels an image: 60,000 images take ~52 MB (index as
 * Uint16, value as float32 0..1), built once per data set in ~0.2 s.
 */
export interface SparseImages {
  count: number;
  /** [count + 1]. */
  start: Int32Array;
  /** Pixel positions 0..783. */
  index: Uint16Array;
  /** Pixel values 0..1 (byte / 255, as bytesToUnit). */
  value: Float32Array;
}

/** The nonzero pixels of `count` images of 784 bytes each. */
export function sparseFromBytes(images: Uint8Array, count: number): SparseImages {
  let nnz = 0;
  for (let i = 0; i < count * IMAGE_SIZE; i++) if (images[i] !== 0) nnz++;
  const start = new Int32Array(count + 1);
  const index = new Uint16Array(nnz);
  const value = new Float32Array(nnz);
  let n = 0;
  for (let r = 0; r < count; r++) {
    start[r] = n;
    const base = r * IMAGE_SIZE;
    for (let k = 0; k < IMAGE_SIZE; k++) {
      const byte = images[base + k];
      if (byte !== 0) {
        index[n] = k;
        value[n++] = UNIT[byte];
      }
    }
  }
  start[count] = n;
  return { count, start, index, value };
}

/** The nonzero pixels of `count` images of 784 floats each. */
export function sparseFromFloats(x: Float32Array, count: number): SparseImages {
  const start = new Int32Array(count + 1);
  const index = new Uint16Array(count * IMAGE_SIZE);
  const value = new Float32Array(count * IMAGE_SIZE);
  let n = 0;
  for (let r = 0; r < count; r++) {
    start[r] = n;
    for (let k = 0; k < IMAGE_SIZE; k++) {
      const v = x[r * IMAGE_SIZE + k];
      if (v !== 0) {
        index[n] = k;
        value[n++] = v;
      }
    }
  }
  start[count] = n;
  return { count, start, index, value };
}

/** Both splits as sparse images, built once per data set (~0.2 s) and kept (a ResidentData form). */
export function sparseData(data: ResidentData): { train: SparseImages; test: SparseImages } {
  return data.form('cpu-sparse', (mnist: MnistData) => ({
    train: sparseFromBytes(mnist.train.images, mnist.train.count),
    test: sparseFromBytes(mnist.test.images, mnist.test.count),
  }));
}
