/**
 * What both threads know about an MNIST image: its size, the classes, and how its bytes become the
 * network's input. Pure.
 */

export const IMAGE_SIDE = 28;
export const IMAGE_SIZE = IMAGE_SIDE * IMAGE_SIDE;
export const NUM_CLASSES = 10;

/** The index of the largest value, the first of equals: the digit a row of logits or probabilities picks. */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j] > values[best]) best = j;
  return best;
}

/** Scales 0..255 bytes to 0..1 floats, as the tutorial's ToTensor() does. */
export function bytesToUnit(bytes: Uint8Array, out = new Float32Array(bytes.length)): Float32Array {
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}

/** One split of the data set, as the worker holds it. */
export interface MnistSplit {
  count: number;
  /** count * 784 bytes, image after image, row-major, 0 black .. 255 white. */
  images: Uint8Array;
  /** count bytes, each a digit 0-9. */
  labels: Uint8Array;
}

export interface MnistData {
  train: MnistSplit;
  test: MnistSplit;
  /** Bytes fetched for all shards and labels. */
  bytes: number;
}
