/**
 * MNIST images as their nonzero pixels only (~20 % of them), the input format of mlp.ts:
 * layer 1 then touches only the rows of W1 that a pixel actually lights. Pure.
 */
import type { MnistData } from '../../shared/mnist';
import { IMAGE_SIZE } from '../../shared/mnist';
import { isShared, shareableBuffer } from '../../shared/memory';
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

/**
 * The nonzero pixels of `count` images of 784 bytes each, in one pass: four pixels are read at a
 * time where `images` is 4-byte aligned (~80 % of MNIST's are zero, so most words are skipped
 * whole), into arrays sized for ~192 pixels an image and grown when that is not enough (MNIST
 * averages ~150): faster than two passes byte by byte (docs/performance.md).
 *
 * In shared memory where the worker is cross-origin isolated, so that the evaluator's thread takes
 * the training thread's form as it is (shareSparse) instead of building its own: two threads
 * building one each did so one after the other, while the run waited for the first and its first
 * measurement for the second, and each is ~60 MB (docs/performance.md).
 */
export function sparseFromBytes(images: Uint8Array, count: number): SparseImages {
  const WORDS = IMAGE_SIZE >> 2; // 784 = 4 * 196: an image is whole words
  const words =
    images.byteOffset % 4 === 0 ? new Uint32Array(images.buffer, images.byteOffset, count * WORDS) : null;
  const start = new Int32Array(count + 1);
  let index = new Uint16Array(shareableBuffer(Math.max(IMAGE_SIZE, count * 192) * 2));
  let value = new Float32Array(shareableBuffer(index.length * 4));
  let n = 0;
  for (let r = 0; r < count; r++) {
    start[r] = n;
    if (n + IMAGE_SIZE > index.length) {
      const grown = new Uint16Array(shareableBuffer(index.length * 4));
      grown.set(index);
      index = grown;
      const grownValues = new Float32Array(shareableBuffer(index.length * 4));
      grownValues.set(value);
      value = grownValues;
    }
    const base = r * IMAGE_SIZE;
    for (let q = 0; q < WORDS; q++) {
      // Whatever the byte order, a word that is not all zero is read byte by byte.
      if (words && words[r * WORDS + q] === 0) continue;
      for (let k = q * 4; k < q * 4 + 4; k++) {
        const byte = images[base + k];
        if (byte !== 0) {
          index[n] = k;
          value[n++] = UNIT[byte];
        }
      }
    }
  }
  start[count] = n;
  return { count, start, index: index.subarray(0, n), value: value.subarray(0, n) };
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

/** Both splits as sparse images. */
export interface SparseData {
  train: SparseImages;
  test: SparseImages;
}

const FORM = 'cpu-sparse';

/** Both splits as sparse images, built once per data set (~0.2 s) and kept (a ResidentData form). */
export function sparseData(data: ResidentData): SparseData {
  return data.form(FORM, (mnist: MnistData) => ({
    train: sparseFromBytes(mnist.train.images, mnist.train.count),
    test: sparseFromBytes(mnist.test.images, mnist.test.count),
  }));
}

/**
 * The sparse form of `data` when it is built and in shared memory (another thread can take it as
 * it is, with adoptSparse); else null.
 */
export function shareSparse(data: ResidentData): SparseData | null {
  const sparse = data.peek<SparseData>(FORM);
  return sparse && isShared(sparse.train.index.buffer) ? sparse : null;
}

/** Makes `sparse` (shareSparse's, from another thread) the sparse form of `data`. */
export function adoptSparse(data: ResidentData, sparse: SparseData): void {
  data.adopt(FORM, sparse);
}
